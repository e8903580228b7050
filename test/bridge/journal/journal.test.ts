import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_RECEIPT_RANGES, rangesOf } from '../../../core/kiosk-receipt.ts';
import { applyVotes, emptyTally } from '../../../core/tally.ts';
import { parseVote, type Vote } from '../../../core/vote.ts';
import { Journal } from '../../../bridge/journal/journal.ts';
import type { VoteInput } from '../../../bridge/journal/vote-input.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempJournal(options: { maxBytes?: number } = {}): Journal {
  const dir = mkdtempSync(join(tmpdir(), 'hailong-journal-'));
  dirs.push(dir);
  const j = new Journal({ path: join(dir, 'sub', 'journal.db'), ...options });
  j.open();
  return j;
}

const PATH = { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'hop-1' };
// 2026-11-23 09:00 in Vietnam.
const T0 = Date.UTC(2026, 10, 23, 2, 0);

function input(uid: string, deviceSeq: number, over: Partial<VoteInput> = {}): VoteInput {
  return {
    uid,
    deviceSeq,
    path: PATH,
    level: 'rat-hai-long',
    pressedAt: T0 + deviceSeq * 1000,
    receivedAt: T0 + deviceSeq * 1000 + 40,
    source: 'button',
    ...over,
  };
}

describe('Journal.append', () => {
  it('stores a vote with the published id terminal:seq and a valid payload', async () => {
    const j = tempJournal();
    const out = await j.append(input('HL-1', 7, { officer: 'lan', reasons: ['thoi-gian-cho'], filtered: 'cooldown' }));
    expect(out.status).toBe('stored');
    if (out.status !== 'stored') return;
    expect(out.vote).toMatchObject({
      id: 'hop-1:1',
      seq: 1,
      terminal: 'hop-1',
      officer: 'lan',
      reasons: ['thoi-gian-cho'],
      filtered: 'cooldown',
    });
    expect(parseVote(out.payload)).toEqual({ ok: true, value: out.vote });
    expect(j.highWaterMark('HL-1')).toBe(7);
  });

  it('answers duplicate for a seq at or below the device high-water mark, and stores nothing', async () => {
    const j = tempJournal();
    await j.append(input('HL-1', 5));
    expect(await j.append(input('HL-1', 5))).toEqual({ status: 'duplicate', hwm: 5 });
    expect(await j.append(input('HL-1', 3))).toEqual({ status: 'duplicate', hwm: 5 });
    expect(j.outboxSize()).toBe(1);
    expect(j.stats()).toMatchObject({ stored: 1, duplicates: 2 });
  });

  it('numbers published votes per terminal, so a replaced box never reuses an id', async () => {
    const j = tempJournal();
    const a = await j.append(input('HL-OLD', 900));
    // The new box behind the same terminal id starts its own seq at 1.
    const b = await j.append(input('HL-NEW', 1));
    expect([a, b].map((o) => (o.status === 'stored' ? o.vote.id : o.status))).toEqual(['hop-1:1', 'hop-1:2']);
  });

  it('commits appends of one event-loop turn together (group commit)', async () => {
    const j = tempJournal();
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => j.append(input(`HL-${i % 5}`, Math.floor(i / 5) + 1))));
    expect(outcomes.every((o) => o.status === 'stored')).toBe(true);
    expect(j.stats().commits).toBe(1);
  });

  it('keeps the monthly tally in step with the stored votes, across reopen', async () => {
    const j = tempJournal();
    const votes: Vote[] = [];
    for (let s = 1; s <= 30; s++) {
      const o = await j.append(
        input('HL-1', s, {
          level: s % 10 === 0 ? 'khong-hai-long' : s % 3 === 0 ? 'hai-long' : 'rat-hai-long',
          filtered: s % 7 === 0 ? 'cooldown' : undefined,
        }),
      );
      if (o.status === 'stored') votes.push(o.vote);
    }
    const expected = applyVotes(emptyTally(PATH, '2026-11'), votes);
    expect(j.tallyOf(PATH, '2026-11')).toEqual(expected);
    const file = j.options.path;
    j.close();
    const again = new Journal({ path: file });
    again.open();
    expect(again.tallies()).toEqual([expected]);
    expect(again.highWaterMark('HL-1')).toBe(30);
    again.close();
  });

  it('serves the outbox oldest first and forgets rows once marked published', async () => {
    const j = tempJournal();
    for (let s = 1; s <= 5; s++) await j.append(input('HL-1', s));
    const rows = j.outbox(0, 3);
    expect(rows.map((r) => JSON.parse(r.payload).id)).toEqual(['hop-1:1', 'hop-1:2', 'hop-1:3']);
    j.markPublished(rows.map((r) => r.rowid));
    j.markPublished(rows.map((r) => r.rowid)); // idempotent
    expect(j.outbox(0, 10).map((r) => JSON.parse(r.payload).id)).toEqual(['hop-1:4', 'hop-1:5']);
    expect(j.outboxSize()).toBe(2);
  });

  it('reports a full disk as failed, stores nothing of the batch, and recovers when space returns', async () => {
    const j = tempJournal({ maxBytes: 64 * 1024 });
    let failed: { status: string; code?: string } | undefined;
    let s = 0;
    while (failed === undefined && s < 10_000) {
      s += 1;
      const o = await j.append(input('HL-1', s, { ticket: 'x'.repeat(32) }));
      if (o.status === 'failed') failed = o;
    }
    expect(failed).toMatchObject({ status: 'failed', code: 'SQLITE_FULL' });
    // The refused vote was not stored: its seq is still above the mark, so the resend is taken later.
    expect(j.highWaterMark('HL-1')).toBe(s - 1);
    const file = j.options.path;
    j.close();
    const roomy = new Journal({ path: file });
    roomy.open();
    expect(await roomy.append(input('HL-1', s))).toMatchObject({ status: 'stored' });
    roomy.close();
  });

  it('stores exactly the presses above the running high-water mark, whatever the order and repeats (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('HL-A', 'HL-B', 'HL-C'), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 8 }),
        async (presses, batch) => {
          const j = tempJournal();
          const marks = new Map<string, number>();
          let expectedStored = 0;
          for (let i = 0; i < presses.length; i += batch) {
            const chunk = presses.slice(i, i + batch);
            const outcomes = await Promise.all(
              chunk.map(([uid, seq]) => j.append(input(uid, seq, { path: { ...PATH, terminal: uid.toLowerCase() } }))),
            );
            chunk.forEach(([uid, seq], k) => {
              const fresh = seq > (marks.get(uid) ?? 0);
              if (fresh) {
                marks.set(uid, seq);
                expectedStored += 1;
              }
              expect(outcomes[k]?.status).toBe(fresh ? 'stored' : 'duplicate');
            });
          }
          const ids = j.outbox(0, 1000).map((r) => JSON.parse(r.payload).id as string);
          expect(ids.length).toBe(expectedStored);
          expect(new Set(ids).size).toBe(ids.length);
          j.close();
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('Journal.append with the terminal’s own seq (kiosk votes)', () => {
  const KIOSK = { ...PATH, terminal: 'kiosk-1' };
  const own = (seq: number, over: Partial<VoteInput> = {}): VoteInput =>
    input('touch:kiosk-1', seq, { path: KIOSK, ownSeq: seq, source: 'touch', ...over });

  it('keeps the kiosk’s id, stores it as already published, and answers duplicate for the same id', async () => {
    const j = tempJournal();
    const first = await j.append(own(7, { officer: 'can-bo-a' }));
    expect(first.status).toBe('stored');
    if (first.status !== 'stored') return;
    expect(first.vote.id).toBe('kiosk-1:7');
    expect(first.vote.source).toBe('touch');
    expect(parseVote(first.payload).ok).toBe(true);
    expect(j.outboxSize()).toBe(0);
    expect((await j.append(own(7))).status).toBe('duplicate');
    expect(j.voteCount()).toBe(1);
    j.close();
  });

  it('stores each id once and folds the tally exactly, whatever the order, repeats and batching (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        async (seqs, batch, reopen) => {
          const j = tempJournal();
          const vote = (seq: number) => own(seq, { level: seq % 3 === 0 ? 'khong-hai-long' : 'hai-long' });
          for (let i = 0; i < seqs.length; i += batch) await Promise.all(seqs.slice(i, i + batch).map((s) => j.append(vote(s))));
          if (reopen) {
            j.close();
            j.open();
          }
          const distinct = [...new Set(seqs)].sort((a, b) => a - b);
          expect(j.voteCount()).toBe(distinct.length);
          const stored = distinct.map((s) => {
            const v = vote(s);
            return {
              v: 1,
              id: `kiosk-1:${s}`,
              ...KIOSK,
              seq: s,
              level: v.level,
              pressedAt: v.pressedAt,
              receivedAt: v.receivedAt,
              source: 'touch',
            } as Vote;
          });
          const expected = applyVotes(emptyTally(KIOSK, '2026-11'), stored);
          const got = j.tallyOf(KIOSK, '2026-11');
          expect(got?.days).toEqual(expected.days);
          expect(got?.seq).toBe(expected.seq);
          j.close();
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('Journal.deviceSeqRuns (a kiosk receipt after a restart)', () => {
  const KIOSK = { ...PATH, terminal: 'kiosk-1' };
  const own = (seq: number): VoteInput => input('touch:kiosk-1', seq, { path: KIOSK, ownSeq: seq, source: 'touch' });

  it('gives the newest runs of the seqs stored or stored as rejected, whatever the order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 200 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 20 }),
        async (seqs, rejected) => {
          const j = tempJournal();
          for (const s of seqs) await j.append(own(s));
          const stored = new Set(seqs);
          for (const s of rejected) {
            if (stored.has(s)) continue;
            j.commitBatch([
              {
                kind: 'rejected',
                input: {
                  uid: 'touch:kiosk-1',
                  deviceSeq: s,
                  terminal: 'kiosk-1',
                  reason: 'button-beyond-scale',
                  receivedAt: T0,
                  detail: {},
                },
              },
            ]);
            stored.add(s);
          }
          expect(j.deviceSeqRuns('touch:kiosk-1', MAX_RECEIPT_RANGES)).toEqual(rangesOf([...stored].sort((a, b) => a - b)));
          expect(j.deviceSeqRuns('touch:kiosk-2', MAX_RECEIPT_RANGES)).toEqual([]);
          j.close();
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('Journal.revoke', () => {
  const KIOSK = { ...PATH, terminal: 'kiosk-1' };
  const own = (seq: number): VoteInput => input('touch:kiosk-1', seq, { path: KIOSK, ownSeq: seq, source: 'touch' });

  it('leaves revoked votes out of the tally, keeps its seq, makes it newer, and keeps the audit trail across reopen', async () => {
    const j = tempJournal();
    for (let s = 1; s <= 10; s++) await j.append(own(s));
    const before = j.tallyOf(KIOSK, '2026-11');
    const at = T0 + 3_600_000;
    const { revocation, tallies } = j.revoke({
      terminal: 'kiosk-1',
      from: T0 + 6000,
      to: T0 + 9000,
      reason: 'Tài khoản bị lộ',
      by: 'Nguyễn Văn A',
      at,
    });
    expect(revocation.votes).toEqual(['kiosk-1:6', 'kiosk-1:7', 'kiosk-1:8']);
    expect(tallies.map((t) => t.month)).toEqual(['2026-11']);
    const after = j.tallyOf(KIOSK, '2026-11');
    const count = (t: typeof after) => Object.values(t?.days ?? {}).reduce((n, d) => n + d.c.reduce((a, b) => a + b, 0), 0);
    expect(count(before)).toBe(10);
    expect(count(after)).toBe(7);
    expect(after?.seq).toBe(before?.seq);
    expect(after?.updatedAt).toBe(at);
    // Revoking again revokes nothing new; listed ids work too.
    expect(j.revoke({ terminal: 'kiosk-1', ids: ['kiosk-1:7', 'kiosk-1:2'], reason: 'x', by: 'B', at: at + 1 }).revocation.votes).toEqual([
      'kiosk-1:2',
    ]);
    j.close();
    j.open();
    expect(count(j.tallyOf(KIOSK, '2026-11'))).toBe(6);
    expect(j.revocations().map((r) => [r.by, r.reason, r.votes.length])).toEqual([
      ['Nguyễn Văn A', 'Tài khoản bị lộ', 3],
      ['B', 'x', 1],
    ]);
    const marked = [...j.rowsPressedBetween(0, Number.MAX_SAFE_INTEGER)]
      .filter((r) => r.revocation !== null)
      .map((r) => JSON.parse(r.payload).id);
    expect(marked.sort()).toEqual(['kiosk-1:2', 'kiosk-1:6', 'kiosk-1:7', 'kiosk-1:8']);
    j.close();
  });

  it('folds again, at the next sync, the tallies of a revocation written by another process', async () => {
    const j = tempJournal();
    for (let s = 1; s <= 4; s++) await j.append(own(s));
    expect(j.syncRevocations()).toEqual([]);
    const other = new Journal({ path: j.options.path });
    other.open();
    other.revoke({ terminal: 'kiosk-1', ids: ['kiosk-1:4'], reason: 'r', by: 'b', at: T0 + 60_000 });
    other.close();
    const changed = j.syncRevocations();
    expect(changed.map((t) => t.terminal)).toEqual(['kiosk-1']);
    const days = Object.values(j.tallyOf(KIOSK, '2026-11')?.days ?? {});
    expect(days.reduce((n, d) => n + d.c.reduce((a, b) => a + b, 0), 0)).toBe(3);
    j.close();
  });
});

describe('Journal tally persistence failures (issue 13, item 9)', () => {
  it('logs a failed tally write at error and counts it, instead of swallowing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hailong-journal-'));
    dirs.push(dir);
    const lines: { level: number; msg: string; count?: number }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const path = join(dir, 'journal.db');
    const j = new Journal({ path, tallyFlushMs: 60_000, log });
    j.open();
    // A real SQLite failure at the seam: a second connection makes every tally write abort.
    const other = new Database(path);
    other.exec("CREATE TRIGGER fail_i BEFORE INSERT ON tallies BEGIN SELECT RAISE(ABORT, 'injected disk failure'); END;");
    other.exec("CREATE TRIGGER fail_u BEFORE UPDATE ON tallies BEGIN SELECT RAISE(ABORT, 'injected disk failure'); END;");
    other.close();
    expect((await j.append(input('HL-1', 1))).status).toBe('stored');
    j.close(); // persists the tallies: fails
    expect(j.stats().tallyPersistFailed).toBe(1);
    const errors = lines.filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/tallies not written/);
    // Nothing is lost: the vote is there and the tally is folded again at the next open.
    const again = new Database(path);
    again.exec('DROP TRIGGER fail_i; DROP TRIGGER fail_u;');
    again.close();
    const k = new Journal({ path, log });
    k.open();
    expect(k.tallyOf(PATH, '2026-11')?.seq).toBe(1);
    k.close();
  });
});

describe('Journal recovery with revocations', () => {
  it('a crash that lost the saved tallies folds the votes again without the revoked ones', async () => {
    const j = tempJournal();
    for (let s = 1; s <= 5; s++) await j.append(input('HL-A', s));
    j.revoke({ terminal: PATH.terminal, ids: [`${PATH.terminal}:2`], reason: 'r', by: 'b', at: T0 + 3_600_000 });
    const path = j.options.path;
    j.close();
    // The state a kill -9 can leave: votes and revocations committed, tallies not yet written.
    const db = new Database(path);
    db.exec("DELETE FROM tallies; UPDATE meta SET value = '0' WHERE key = 'tallies_through'");
    db.close();
    j.open();
    const days = Object.values(j.tallyOf(PATH, '2026-11')?.days ?? {});
    expect(days.reduce((n, d) => n + d.c.reduce((a, b) => a + b, 0), 0)).toBe(4);
    j.close();
  });
});

describe('Journal.commitBatch and deferred published marks (issue 14)', () => {
  it('commits judged votes, rejected votes and queued appends in ONE transaction, and writes deferred marks in it', async () => {
    const j = tempJournal();
    const queued = j.append(input('HL-2', 1, { path: { ...PATH, terminal: 'hop-2' } }));
    await queued;
    const [first] = j.outbox(0, 10);
    j.deferPublished([first!.rowid]);
    expect(j.outboxSize()).toBe(1); // not yet: it rides the next commit
    const later = j.append(input('HL-3', 1, { path: { ...PATH, terminal: 'hop-3' } }));
    const commits = j.stats().commits;
    const outcomes = j.commitBatch([
      { kind: 'vote', input: input('HL-1', 1) },
      { kind: 'vote', input: input('HL-1', 2) },
      { kind: 'rejected', input: { uid: 'HL-1', deviceSeq: 900_000, terminal: 'hop-1', reason: 'seq-jump', receivedAt: T0, detail: {} } },
    ]);
    expect(j.stats().commits).toBe(commits + 1);
    expect(outcomes.map((o) => o.status)).toEqual(['stored', 'stored', 'rejected']);
    expect((await later).status).toBe('stored');
    expect(j.highWaterMark('HL-1')).toBe(2);
    expect(j.outboxSize()).toBe(3); // the two box votes and the queued append; the first row marked
    expect(j.rejectedCounts()).toEqual({ 'seq-jump': 1 });
  });

  it('writes deferred marks on its own when no vote comes, and at close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hailong-journal-'));
    dirs.push(dir);
    const path = join(dir, 'journal.db');
    const j = new Journal({ path, publishedFlushMs: 20 });
    j.open();
    for (let seq = 1; seq <= 3; seq++) await j.append(input('HL-1', seq));
    const rows = j.outbox(0, 10).map((r) => r.rowid);
    j.deferPublished([rows[0]!]);
    await new Promise((r) => setTimeout(r, 80));
    expect(j.outboxSize()).toBe(2);
    j.deferPublished([rows[2]!, rows[1]!]);
    j.close();
    const again = new Journal({ path });
    again.open();
    expect(again.outboxSize()).toBe(0);
    expect(again.stats().markedPublished).toBe(0);
    again.close();
  });
});
