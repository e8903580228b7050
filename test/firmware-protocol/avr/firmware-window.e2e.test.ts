/**
 * The send window end to end (issue #14, PROTOCOL.md §7.7): the real
 * firmware.elf in simavr asks for 16 VOTEs in flight, the real bridge grants
 * them, and the link misbehaves: a backlog of 40 votes stored with the
 * bridge away, the box's RX wire cut while a window is in flight (every ACK
 * lost: go-back-N resends answered DUP), the bridge stopped with a window
 * stored but never ACKed and started again (its WELCOME mark covers that
 * window: resent, not renumbered, §7.6), presses throughout.
 * Every press must reach MQTT exactly once, in press order, with its level.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Vote } from '../../../core/vote.ts';
import { tempDir, until } from '../../bridge/bridge-rig.ts';
import { startEmulator, type Emulator } from './emulator.ts';
import { LEVELS, currentStatus, startOfficeBridge, votesBySeq } from './office-bridge.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Distinct device seqs in the order the box first sent them. */
function sentSeqs(box: Emulator): number[] {
  const seqs = box.sentLines.filter((l) => l.startsWith('$VOTE,')).map((l) => Number(l.split(',')[1]));
  return [...new Set(seqs)];
}

describe('send window W = 16 between the emulated box and the real bridge, with link loss', () => {
  it('delivers every press once, in order, through a cut RX wire and a bridge restart mid-window', async () => {
    const tmp = tempDir('hailong-fwwin-');
    cleanups.push(tmp.remove);
    const uid = 'HL328P-E2EW001';
    const box = await startEmulator({ uid });
    cleanups.push(() => box.stop());
    await box.wait(100); // clear of the 30 ms after power-up
    const presses: number[] = [];
    const press = async (b: number) => {
      await box.tap(b, 40);
      await box.wait(40);
      presses.push(b);
    };

    // 40 votes while no bridge listens: the box stores them (the ring holds 147).
    for (let i = 0; i < 40; i++) await press(1 + ((i * 5) % 3));
    await box.wait(2100); // the next HELLO, every 2 s, says so
    let bridge = await startOfficeBridge(uid, box.ptyPath, tmp.dir);
    cleanups.push(() => bridge.stop());
    const hello = box.sentLines.filter((l) => l.startsWith('$HELLO,')).at(-1)!;
    expect(hello.split('*')[0]!.split(',').slice(6)).toEqual(['40', '16']); // pending 40, asks inFlight 16
    await bridge.sub.waitFor(() => votesBySeq(bridge.sub).length >= 5, 20_000, 'the backlog starts flowing');

    // The RX wire goes: the window in flight is never ACKed, the box goes back N after 1, 2, 4 s.
    await box.rx(false);
    for (let i = 0; i < 6; i++) await press(1 + (i % 3));
    await box.wait(4000);
    await box.rx(true);
    await bridge.sub.waitFor(() => votesBySeq(bridge.sub).length >= presses.length, 30_000, 'the flow resumes after the RX cut');
    await box.wait(300); // the last window's ACK reaches the box

    // The bridge stops with a window stored but not ACKed (the ACKs are lost on the cut wire), and
    // comes back on the same journal: its WELCOME mark covers them, the box resends them (DUP).
    await box.rx(false);
    for (let i = 0; i < 5; i++) await press(3 - (i % 3));
    await until(() => bridge.app.bridge.journal.voteCount() >= presses.length, 15_000, 'the unACKed window journaled');
    const before = bridge.sub.json<Vote>('vote');
    await bridge.stop();
    await box.rx(true);
    for (let i = 0; i < 3; i++) await press(1 + (i % 3));
    bridge = await startOfficeBridge(uid, box.ptyPath, tmp.dir);
    for (let i = 0; i < 5; i++) await press(1 + (i % 2));
    await until(() => bridge.app.bridge.journal.voteCount() >= presses.length, 60_000, `all ${presses.length} votes journaled`);
    await until(() => bridge.app.bridge.journal.outboxSize() === 0, 10_000, 'every vote PUBACKed');
    await box.wait(1500); // a duplicate would show up now

    // 0 lost, 0 duplicated: the journal holds each press once, in press order, with its level.
    expect(bridge.app.bridge.journal.voteCount()).toBe(presses.length);
    const seqs = sentSeqs(box);
    expect(seqs).toEqual(Array.from({ length: presses.length }, (_, i) => i + 1));
    // What reached MQTT, from both bridge processes: each press once (by vote id), in press order, with its level.
    const byId = new Map<string, Vote>();
    for (const v of [...before, ...bridge.sub.json<Vote>('vote')]) if (!byId.has(v.id)) byId.set(v.id, v);
    const published = [...byId.values()].sort((a, b) => a.seq - b.seq);
    expect(published.map((v) => v.level)).toEqual(presses.map((b) => LEVELS[b - 1]));
    expect(currentStatus(bridge.sub)?.state).toBe('online');
    // The window was used: 16 distinct new VOTEs within 100 emulated ms of each other at least once.
    const firstSends = new Map<number, number>();
    for (const e of box.events)
      if (e.kind === 'sent' && e.line.startsWith('$VOTE,')) {
        const seq = Number(e.line.split(',')[1]);
        if (!firstSends.has(seq)) firstSends.set(seq, e.at);
      }
    const times = [...firstSends.values()];
    expect(times.some((t, i) => i + 15 < times.length && times[i + 15]! - t < 100)).toBe(true);
    // Go-back-N happened (the RX cut): some seq went out more than once.
    const all = box.sentLines.filter((l) => l.startsWith('$VOTE,')).length;
    expect(all).toBeGreaterThan(presses.length);
  }, 180_000);
});
