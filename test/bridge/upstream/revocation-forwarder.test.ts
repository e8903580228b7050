/**
 * The revocation forwarder at its MQTT seam (a fake hub channel) over a
 * real journal: a revocation goes out as parts on the ward's `_revocation`
 * topic, is marked forwarded only once the hub acknowledged every part, and
 * is sent again after a dropped line or a restart (the journal is the outbox).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_REVOCATION_ITEMS, parseRevocation, type VoteRevocation } from '../../../core/revocation.ts';
import { parseMessage } from '../../../core/topic-payload.ts';
import { Journal } from '../../../bridge/journal/journal.ts';
import { RevocationForwarder } from '../../../bridge/upstream/revocation-forwarder.ts';
import { FakeChannel } from './fake-channel.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const WARD = { district: 'ba-dinh', ward: 'phuc-xa' };
const T0 = Date.UTC(2026, 10, 23, 2, 0);

function tempJournal(): { journal: Journal; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hailong-revocation-forwarder-'));
  const path = join(dir, 'journal.db');
  const journal = new Journal({ path });
  journal.open();
  cleanups.push(() => {
    if (journal.isOpen) journal.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { journal, path };
}

/** `n` kiosk votes of `kiosk-1`, own seqs 1..n, one minute apart. */
async function kioskVotes(j: Journal, n: number): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      j.append({
        uid: 'touch:kiosk-1',
        deviceSeq: i + 1,
        ownSeq: i + 1,
        path: { ...WARD, counter: 'quay-9', terminal: 'kiosk-1' },
        level: 'hai-long',
        pressedAt: T0 + i * 60_000,
        receivedAt: T0 + i * 60_000,
        source: 'touch',
      }),
    ),
  );
}

function revoke(j: Journal, from: number, to: number) {
  return j.revoke({ terminal: 'kiosk-1', from, to, reason: 'Tài khoản kiosk bị lộ', by: 'Nguyễn Văn An', at: T0 + 86_400_000 }).revocation;
}

function forwarder(j: Journal, ch: FakeChannel): RevocationForwarder {
  const f = new RevocationForwarder(j, ch, WARD, pino({ level: 'silent' }), { pollMs: 20, ackTimeoutMs: 5000 });
  cleanups.push(() => f.stop());
  return f;
}

const parts = (ch: FakeChannel) => ch.published.filter((p) => p.topic.endsWith('/_revocation'));
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
async function until(p: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!p()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(5);
  }
}

describe('RevocationForwarder', () => {
  it('sends a revocation on its ward topic at QoS 1 and marks it forwarded only on the PUBACK', async () => {
    const { journal } = tempJournal();
    await kioskVotes(journal, 10);
    const r = revoke(journal, T0 + 2 * 60_000, T0 + 5 * 60_000);
    expect(r.votes).toEqual(['kiosk-1:3', 'kiosk-1:4', 'kiosk-1:5']);
    const ch = new FakeChannel();
    const f = forwarder(journal, ch);
    f.start();
    await tick(60);
    expect(parts(ch)).toEqual([]); // not connected: nothing queued in the client
    revoke(journal, T0 + 8 * 60_000, T0 + 9 * 60_000); // a second one while the hub is away: the backlog shows it
    await until(() => f.stats().backlog === 2, 'the backlog while the hub is away');
    ch.connect();
    await until(() => parts(ch).length === 1, 'the revocation');
    const [sent] = parts(ch);
    expect(sent!.retain).toBe(false);
    const parsed = parseMessage(sent!.topic, sent!.payload);
    expect(parsed).toMatchObject({ ok: true, value: { kind: 'revocation', params: WARD } });
    expect(JSON.parse(sent!.payload)).toEqual({
      v: 1,
      ...WARD,
      id: r.id,
      at: r.at,
      by: 'Nguyễn Văn An',
      reason: 'Tài khoản kiosk bị lộ',
      terminal: 'kiosk-1',
      from: T0 + 2 * 60_000,
      to: T0 + 5 * 60_000,
      part: 1,
      parts: 1,
      votes: ['kiosk-1:3', 'kiosk-1:4', 'kiosk-1:5'],
    });
    await tick(60);
    expect(journal.revocationTable.backlog('forwarded')).toBe(2); // no PUBACK yet
    sent!.ack();
    await until(() => parts(ch).length === 2, 'the second revocation, after the first was acknowledged');
    expect(journal.revocationTable.backlog('forwarded')).toBe(1);
    parts(ch)[1]!.ack();
    await until(() => journal.revocationTable.backlog('forwarded') === 0, 'the forwarded marks');
    expect(f.stats()).toEqual({ backlog: 0, forwarded: 2 });
    await tick(100);
    expect(parts(ch)).toHaveLength(2); // once acknowledged, never again
  });

  it('sends a big revocation in parts and marks it only when the hub acknowledged them all', async () => {
    const { journal } = tempJournal();
    await kioskVotes(journal, 2500);
    const r = revoke(journal, T0, T0 + 2500 * 60_000);
    expect(r.votes).toHaveLength(2500);
    const ch = new FakeChannel();
    forwarder(journal, ch).start();
    ch.connect();
    await until(() => parts(ch).length === 3, 'three parts');
    const messages = parts(ch).map((p) => parseRevocation(p.payload));
    expect(messages.every((m) => m.ok)).toBe(true);
    const ok = messages.map((m) => (m as { value: VoteRevocation }).value);
    expect(ok.map((m) => [m.part, m.parts, m.votes.length])).toEqual([
      [1, 3, MAX_REVOCATION_ITEMS],
      [2, 3, MAX_REVOCATION_ITEMS],
      [3, 3, 500],
    ]);
    expect(ok.flatMap((m) => m.votes)).toEqual(r.votes);
    parts(ch)[0]!.ack();
    parts(ch)[2]!.ack();
    await tick(80);
    expect(journal.revocationTable.backlog('forwarded')).toBe(1);
    parts(ch)[1]!.ack();
    await until(() => journal.revocationTable.backlog('forwarded') === 0, 'the mark after the last PUBACK');
  });

  it('sends again what a dropped line left unacknowledged, and resumes after a restart from the journal', async () => {
    const { journal, path } = tempJournal();
    await kioskVotes(journal, 6);
    revoke(journal, T0, T0 + 2 * 60_000);
    const ch = new FakeChannel();
    const f = forwarder(journal, ch);
    f.start();
    ch.connect();
    await until(() => parts(ch).length === 1, 'the first send');
    ch.drop(); // the PUBACK is lost with the line
    ch.connect();
    await until(() => parts(ch).length === 2, 'the resend on the new connection');
    expect(parts(ch)[1]!.payload).toBe(parts(ch)[0]!.payload); // the same part: the hub stores it once
    // The bridge dies before the hub answers (kill -9 between the revocation and its forwarding):
    f.stop();
    journal.close();
    const reopened = new Journal({ path });
    reopened.open();
    cleanups.push(() => reopened.isOpen && reopened.close());
    revoke(reopened, T0 + 4 * 60_000, T0 + 6 * 60_000); // and another one while it was down
    expect(reopened.revocationTable.backlog('forwarded')).toBe(2);
    const ch2 = new FakeChannel();
    ch2.autoAck = true;
    const f2 = forwarder(reopened, ch2);
    f2.start();
    ch2.connect();
    await until(() => reopened.revocationTable.backlog('forwarded') === 0, 'both revocations on the hub');
    expect(parts(ch2).map((p) => (JSON.parse(p.payload) as VoteRevocation).votes)).toEqual([
      ['kiosk-1:1', 'kiosk-1:2'],
      ['kiosk-1:5', 'kiosk-1:6'],
    ]);
    expect(f2.stats().forwarded).toBe(2);
  });

  it('forwards a revocation that matched nothing too: the hub keeps the same audit trail', async () => {
    const { journal } = tempJournal();
    revoke(journal, T0, T0 + 60_000);
    const ch = new FakeChannel();
    ch.autoAck = true;
    forwarder(journal, ch).start();
    ch.connect();
    await until(() => journal.revocationTable.backlog('forwarded') === 0, 'the empty revocation');
    expect(JSON.parse(parts(ch)[0]!.payload)).toMatchObject({ part: 1, parts: 1, votes: [] });
  });

  it('passes over a journal row that cannot make a valid message, logged once, and forwards the next ones', async () => {
    const { journal } = tempJournal();
    await kioskVotes(journal, 3);
    // A row no current hailong writes (the terminal id is not an id): e.g. a hand-edited journal.
    journal.revoke({ terminal: 'Kiosk 1', from: T0, to: T0 + 1, reason: 'x', by: 'y', at: T0 });
    revoke(journal, T0, T0 + 60_000);
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const ch = new FakeChannel();
    ch.autoAck = true;
    const f = new RevocationForwarder(journal, ch, WARD, log, { pollMs: 20 });
    cleanups.push(() => f.stop());
    f.start();
    ch.connect();
    await until(() => parts(ch).length === 1, 'the good revocation');
    expect(JSON.parse(parts(ch)[0]!.payload)).toMatchObject({ id: 2, votes: ['kiosk-1:1'] });
    await tick(100);
    expect(lines.filter((l) => l.level >= 50 && l.msg.startsWith('revocation #1 in the journal cannot be sent'))).toHaveLength(1);
    expect(journal.revocationTable.backlog('forwarded')).toBe(1); // still there, visible
    expect(f.stats().backlog).toBe(1);
  });
});
