/**
 * Issue 17, items 2 and 3, over real socat ptys and the embedded broker:
 * one port per uid (a second port claiming a live box's uid is refused,
 * `NAK,0,UID`), a seq jump far above the mark is stored as rejected and
 * cannot swallow the real box's later votes, and a button above the office
 * scale is stored as rejected and ACKed instead of wedging the box.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPtyFleet } from '../../bridge/simulator/fleet.ts';
import { MAX_SEQ_JUMP } from '../../bridge/journal/rejected-votes.ts';
import type { Message } from '../../firmware-protocol/src/message.ts';
import type { Status } from '../../core/status.ts';
import { collect } from '../helpers/mqtt-collector.ts';
import { createPtyPair } from '../helpers/pty.ts';
import { box, rigConfig, startApp, tempDir, until } from './bridge-rig.ts';
import { openRawBox } from './raw-box.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const FAST = { helloIntervalMs: 300, ackTimeoutMs: 300, maxAckTimeoutMs: 1000 };
const hello = (uid: string, buttons = 3): Message => ({ type: 'HELLO', proto: 1, uid, model: 'X', firmware: '1', buttons, pending: 0 });
const vote = (seq: number, button: number): Message => ({ type: 'VOTE', seq, button, reason: 0, ageMs: 0, flags: '' });
const is = (type: string, seq?: number) => (m: Message) => m.type === type && (seq === undefined || ('seq' in m && m.seq === seq));

/** One configured box (SIM-01) as a virtual terminal on a pty, plus an impostor's pty the bridge also watches. */
async function twoPorts() {
  const tmp = tempDir();
  cleanups.push(tmp.remove);
  const fleet = await createPtyFleet(1, { dir: tmp.dir, terminal: FAST });
  cleanups.push(() => fleet.close());
  const other = await createPtyPair('impostor');
  cleanups.push(() => other.dispose());
  const { app } = await startApp(rigConfig({ boxes: 1, ports: [...fleet.hostPaths, other.host], dataDir: tmp.dir, cooldownMs: 0 }));
  cleanups.push(() => app.stop());
  const impostor = await openRawBox(other.device);
  cleanups.push(() => impostor.close());
  const real = fleet.terminals[0]!;
  const acks: string[] = [];
  real.on('acked', (a) => acks.push(a.status));
  fleet.start();
  await until(() => real.phase === 'session', 10_000, 'the real box in session');
  return { app, fleet, real, acks, impostor };
}

describe('one port per uid (PROTOCOL.md §6.1)', () => {
  it("refuses a second port claiming a live uid, 5 times in a row, and loses none of the real box's 30 votes", async () => {
    const { app, real, acks, impostor } = await twoPorts();
    for (let round = 1; round <= 5; round++) {
      const from = impostor.heard.length;
      await impostor.send(hello(box(0).uid));
      await impostor.waitFor((m) => m.type === 'NAK' && m.reason === 'UID', from);
      // No session for the impostor: its vote with a huge seq is not stored.
      await impostor.send(vote(1_000_000 * round, 1));
      await impostor.waitFor((m) => m.type === 'NAK' && m.reason === 'HELLO', from);
      expect(impostor.heard.slice(from).some(is('WELCOME'))).toBe(false);
      for (let i = 0; i < 6; i++) real.press((i % 3) + 1);
      await until(() => acks.length >= round * 6, 10_000, `the real box's votes of round ${round}`);
    }
    expect(acks).toEqual(Array(30).fill('OK'));
    expect(app.bridge.journal.voteCount()).toBe(30);
    expect(app.bridge.counterSnapshot()['refused-uid-conflict']).toBeGreaterThanOrEqual(5);
  });

  it("a seq jump far above the mark is stored as rejected, and the real box's later votes still count", async () => {
    const { app, fleet, real, acks, impostor } = await twoPorts();
    for (let i = 0; i < 3; i++) real.press(1);
    await until(() => acks.length === 3, 10_000, 'three votes');
    // The real box is unplugged: its uid is free, the other port may take it (a box that moved).
    await fleet.pairs[0]!.unplug();
    await impostor.send(hello(box(0).uid));
    await impostor.waitFor(is('WELCOME'));
    const jump = 3 + MAX_SEQ_JUMP + 1;
    await impostor.send(vote(jump, 1));
    const ack = await impostor.waitFor(is('ACK', jump));
    expect(ack).toMatchObject({ status: 'REJECT' });
    // Back on its own port, the real box waits until the other port is silent, then goes on.
    await fleet.pairs[0]!.replug();
    for (let i = 0; i < 3; i++) real.press(2);
    await until(() => acks.length === 6, 20_000, "the real box's votes after the jump");
    expect(acks).toEqual(Array(6).fill('OK'));
    expect(app.bridge.journal.voteCount()).toBe(6);
    expect(app.bridge.counterSnapshot()['votes-rejected-seq-jump']).toBe(1);
  });
});

describe('a button above the office scale (PROTOCOL.md §5.7, §7.3)', () => {
  it('is stored as rejected, ACKed REJECT and counted, never tallied; the box goes on (5 cases)', async () => {
    const pair = await createPtyPair('wide');
    cleanups.push(() => pair.dispose());
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const { app } = await startApp(rigConfig({ boxes: 1, ports: [pair.host], dataDir: tmp.dir, cooldownMs: 0 }));
    cleanups.push(() => app.stop());
    const raw = await openRawBox(pair.device);
    cleanups.push(() => raw.close());
    // A 9-button box on a 3-level office, pressing before (or regardless of) its CONFIG.
    await raw.send(hello(box(0).uid, 9));
    await raw.waitFor(is('WELCOME'));
    let seq = 0;
    for (const button of [4, 9, 5, 7, 6]) {
      const wide = ++seq;
      await raw.send(vote(wide, button));
      expect(await raw.waitFor(is('ACK', wide))).toMatchObject({ status: 'REJECT' });
      // A resend (lost ACK) is the same rejected vote, not a second one.
      const from = raw.heard.length;
      await raw.send(vote(wide, button));
      expect(await raw.waitFor(is('ACK', wide), from)).toMatchObject({ status: 'REJECT' });
      const good = ++seq;
      await raw.send(vote(good, 1));
      expect(await raw.waitFor(is('ACK', good))).toMatchObject({ status: 'OK' });
    }
    expect(raw.heard.some(is('NAK'))).toBe(false);
    expect(app.bridge.journal.voteCount()).toBe(5);
    expect(app.bridge.journal.rejectedCounts()).toEqual({ 'button-beyond-scale': 5 });
    expect(app.bridge.counterSnapshot()['votes-rejected-button-beyond-scale']).toBe(5);
    expect(
      app.bridge.journal.tallies().reduce((n, t) => n + Object.values(t.days).reduce((m, d) => m + d.c.reduce((a, b) => a + b, 0), 0), 0),
    ).toBe(5);
  });
});

describe('a lost or replaced journal (issue 17)', () => {
  it('never makes published vote ids repeat', async () => {
    const pair = await createPtyPair('lost');
    cleanups.push(() => pair.dispose());
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const config = rigConfig({ boxes: 1, ports: [pair.host], dataDir: tmp.dir, cooldownMs: 0 });
    const raw = await openRawBox(pair.device);
    cleanups.push(() => raw.close());
    let deviceSeq = 0;
    /** Starts the bridge with the default seq base, votes `n` times, and returns the published ids. */
    const session = async (n: number): Promise<number[]> => {
      const { app, url } = await startApp(config, { seqBase: 'clock' });
      const sub = await collect(url, 'hailong/v1/+/+/+/+/vote');
      const from = raw.heard.length;
      await raw.send(hello(box(0).uid));
      await raw.waitFor(is('WELCOME'), from);
      for (let i = 0; i < n; i++) {
        const seq = ++deviceSeq;
        await raw.send(vote(seq, 1));
        await raw.waitFor(is('ACK', seq), from);
      }
      await sub.waitFor((m) => m.length >= n, 10_000, `${n} votes`);
      const seqs = sub.messages.map((m) => (JSON.parse(m.payload) as { seq: number }).seq);
      await sub.close();
      await app.stop();
      return seqs;
    };
    const before = await session(4);
    // The PC is replaced: the journal is gone (no backup).
    for (const f of ['journal.db', 'journal.db-wal', 'journal.db-shm']) rmSync(join(tmp.dir, f), { force: true });
    // The seq base is the clock in seconds: a busy counter cannot out-vote it.
    await until(() => Math.floor(Date.now() / 1000) >= Math.max(...before), 10_000, 'the clock past the old ids');
    const after = await session(4);
    expect(after.filter((s) => before.includes(s))).toEqual([]);
    expect(Math.min(...after)).toBeGreaterThan(Math.max(...before));
  });
});

describe('a port closing mid-commit (issue 17)', () => {
  it('the vote committed after the close is published at once, not at the next MQTT reconnect', async () => {
    const pair = await createPtyPair('mid');
    cleanups.push(() => pair.dispose());
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const { app, url } = await startApp(rigConfig({ boxes: 1, ports: [pair.host], dataDir: tmp.dir, cooldownMs: 0 }));
    cleanups.push(() => app.stop());
    const sub = await collect(url, 'hailong/v1/#');
    cleanups.push(() => sub.close());
    const raw = await openRawBox(pair.device);
    cleanups.push(() => raw.close());
    await raw.send(hello(box(0).uid));
    await raw.waitFor(is('WELCOME'));
    // Fault injection: hold the vote pipeline's batch until the cable is out.
    const journal = app.bridge.journal;
    const votes = app.bridge.votes;
    const flush = votes.flush.bind(votes);
    let release: () => void = () => undefined;
    const unplugged = new Promise<void>((r) => (release = r));
    let committing = false;
    votes.flush = () => {
      committing = true;
      void unplugged.then(flush);
    };
    await raw.send(vote(1, 2));
    await until(() => committing, 5000, 'the commit to start');
    await pair.unplug();
    await sub.waitFor((m) => m.some((x) => x.topic.endsWith('hop-1/status') && x.payload.includes('"offline"')), 10_000, 'the port closed');
    release();
    await sub.waitFor((m) => m.some((x) => x.topic.endsWith('hop-1/vote')), 3000, 'the vote published promptly');
    await until(() => journal.outboxSize() === 0, 3000, 'the outbox empty');
  });
});

describe('a box without the power-cut fuses (EVENT FUSE, PROTOCOL.md §5.9)', () => {
  it('rides on its retained status until a session without FUSE; a value its bytes contradict is counted, not shown', async () => {
    const pair = await createPtyPair('fuse');
    cleanups.push(() => pair.dispose());
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const { app, url } = await startApp(rigConfig({ boxes: 1, ports: [pair.host], dataDir: tmp.dir, cooldownMs: 0 }));
    cleanups.push(() => app.stop());
    const sub = await collect(url, 'hailong/v1/+/+/+/+/status');
    cleanups.push(() => sub.close());
    const raw = await openRawBox(pair.device);
    cleanups.push(() => raw.close());
    const statuses = () => sub.json<Status>('status').filter((s) => s.state === 'online');
    const event = (value: string): Message => ({ type: 'EVENT', code: 'FUSE', value });

    await raw.send(hello(box(0).uid));
    await raw.waitFor(is('WELCOME'));
    // Lies: flash-isp's bytes (nothing missing) and a Nano's bytes claiming only BOD. Neither reaches the status.
    await raw.send(event('FC.D7.BOD'));
    await raw.send(event('FD.DA.BOD'));
    await until(() => app.bridge.counterSnapshot()['port-bad-fuse-event'] === 2, 5000, 'two bad FUSE values counted');
    await raw.send(event('FD.DA.BOD-EESAVE'));
    await until(() => statuses().some((s) => s.fuses !== undefined), 5000, 'a status with fuses');
    expect(statuses().filter((s) => s.fuses !== undefined)).toEqual([
      expect.objectContaining({ fuses: { efuse: 0xfd, hfuse: 0xda, missing: ['BOD', 'EESAVE'] } }),
    ]);

    // Re-flashed over ISP: the next session says nothing, and the status drops it.
    const from = raw.heard.length;
    const seen = sub.messages.length;
    await raw.send(hello(box(0).uid));
    await raw.waitFor(is('WELCOME'), from);
    await until(() => sub.messages.length > seen, 5000, "the new session's status");
    expect(statuses().at(-1)?.fuses).toBeUndefined();
    expect(app.bridge.counterSnapshot()['port-bad-fuse-event']).toBe(2);
  });
});
