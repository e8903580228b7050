/**
 * What survives a reboot, on the host with a fake clock (PROTOCOL.md §5.7,
 * §7.1, §7.4, §7.5, §12): pending votes with ageMs unknown, the seq, the
 * CONFIG, the refused-press count, and the uid; and power cuts at every
 * EEPROM byte write of a vote.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HostTerminal } from './host-terminal.ts';
import { RING_SLOTS } from './ring-host.ts';

let t: HostTerminal;
afterEach(async () => {
  await t?.close();
});

/** ACKs each VOTE in flight until none is left; returns the seqs ACKed. */
async function ackEverything(box: HostTerminal, since: number): Promise<number[]> {
  const done: number[] = [];
  for (let i = 0; i < 200; i++) {
    const next = box.frames('VOTE', since).find((v) => !done.includes(v.msg.seq));
    if (next === undefined) {
      await box.run(100);
      if (box.frames('VOTE', since).every((v) => done.includes(v.msg.seq))) return done;
      continue;
    }
    done.push(next.msg.seq);
    await box.receive({ type: 'ACK', seq: next.msg.seq, status: 'OK' });
    await box.run(60);
  }
  return done;
}

describe('terminal persistence', () => {
  it('resends votes pending at a power cut with ageMs unknown, and continues the seq', async () => {
    t = await HostTerminal.start();
    await t.run(100);
    for (const b of [1, 2, 3]) await t.tap(b);
    await t.welcome();
    await t.receive({ type: 'ACK', seq: 1, status: 'OK' });
    await t.run(100);
    await t.reboot();
    const boot = t.time;
    await t.run(2100);
    expect(t.frames(undefined, boot)[0]!.msg).toEqual({ type: 'EVENT', code: 'BOOT', value: 'POWERON' });
    expect(t.frames('HELLO', boot).map((h) => h.msg.pending)).toEqual([2, 2]);
    await t.welcome();
    await t.tap(4);
    const seqs = await ackEverything(t, boot);
    expect(seqs).toEqual([2, 3, 4]);
    const votes = t.frames('VOTE', boot);
    expect(votes.filter((v) => v.msg.seq <= 3).every((v) => v.msg.ageMs === null)).toBe(true);
    expect(votes.find((v) => v.msg.seq === 4)!.msg.ageMs).not.toBeNull();
    expect(votes.map((v) => [v.msg.seq, v.msg.button])).toEqual(
      expect.arrayContaining([
        [2, 2],
        [3, 3],
        [4, 4],
      ]),
    );
  });

  it('keeps the last CONFIG across a reboot while the bridge is away', async () => {
    t = await HostTerminal.start();
    await t.run(100);
    await t.welcome({ mode: 'GATED', cooldownMs: 0, leds: false, buzzer: false, buttons: 3 });
    await t.run(200);
    await t.reboot(2);
    const boot = t.time;
    await t.run(100);
    await t.tap(4); // inactive under the stored CONFIG
    await t.tap(2); // window closed: G
    await t.run(500);
    expect(t.outputs.filter((o) => o.at > boot && (o.leds !== 0 || o.buzzer))).toEqual([]);
    await t.receive({ type: 'WELCOME', proto: 1 }); // no CONFIG this time
    await t.run(100);
    expect(t.frames('VOTE', boot).map((v) => v.msg)).toMatchObject([{ seq: 1, button: 2, flags: 'G' }]);
  });

  it('keeps the refused-press count across a reboot and reports it after WELCOME', async () => {
    t = await HostTerminal.start();
    await t.run(100);
    for (let i = 0; i < RING_SLOTS + 2; i++) await t.tap(1, 60, 40);
    await t.run(300);
    await t.reboot();
    const boot = t.time;
    await t.run(100);
    await t.tap(1); // still full: a third refusal
    await t.welcome();
    await t.run(100);
    expect(
      t
        .frames('EVENT', boot)
        .map((e) => e.msg)
        .filter((e) => e.code === 'FULL'),
    ).toEqual([{ type: 'EVENT', code: 'FULL', value: '3' }]);
  });

  it('never reuses a sent seq and loses only the unsent press, whichever record byte a power cut tears', async () => {
    for (let k = 0; k < 10; k++) {
      for (const mode of [0, 1, 2, 3]) {
        t = await HostTerminal.start();
        await t.run(100);
        await t.welcome();
        await t.tap(1);
        await t.tap(2);
        const sent = await ackEverything(t, 0);
        expect(sent).toEqual([1, 2]);
        // ACK the next vote as the bridge would, but cut power while its record is being written
        await t.cutPowerAfterWrites(k, mode);
        await t.tap(3);
        await t.run(200);
        const where = `cut at write ${k} mode ${mode}`;
        const cut = t.powerCuts.length === 1;
        await t.reboot();
        const boot = t.time;
        await t.run(100);
        await t.welcome();
        await t.tap(4);
        const after = await ackEverything(t, boot);
        const votes = t.frames('VOTE', boot);
        const torn = votes.find((v) => v.msg.button === 3);
        const fresh = votes.find((v) => v.msg.button === 4)!;
        if (!cut) {
          // the cut point lay beyond this vote's writes: it went out before, as seq 3
          expect(
            t.frames('VOTE').some((v) => v.msg.seq === 3 && v.msg.button === 3),
            where,
          ).toBe(true);
        }
        if (torn !== undefined) {
          // the press survived the cut: resent as seq 3 with its age unknown, the next press is 4
          expect(torn.msg, where).toMatchObject({ seq: 3, ageMs: null });
          expect(after, where).toEqual([3, 4]);
          expect(fresh.msg.seq, where).toBe(4);
        } else {
          // lost before it was ever sent, so its seq may be taken again (§7.1), but nothing lower
          expect(cut, where).toBe(true);
          expect(after, where).toEqual([fresh.msg.seq]);
          expect(fresh.msg.seq, where).toBeGreaterThanOrEqual(3);
        }
        expect(fresh.msg.ageMs, where).not.toBeNull();
        await t.close();
      }
    }
  });

  it('uses the chip serial for the uid when the signature row is readable, else the programmed uid', async () => {
    t = await HostTerminal.start({ uid: 'HL328P-PROGRAMMED1' });
    await t.run(50);
    expect(t.frames('HELLO')[0]!.msg.uid).toBe('HL328P-PROGRAMMED1');
    // an ATmega328P: signature 1E 95 0F at 0/2/4, serial at 0x0E..0x13 and 0x15..0x17
    const row = new Uint8Array(32).fill(0xff);
    row.set([0x1e, 0x00, 0x95, 0x00, 0x0f], 0);
    row.set([0x59, 0x35, 0x33, 0x30, 0x32, 0x18, 0xff, 0x0c, 0x1d, 0x14], 0x0e);
    await t.command(`sig ${Buffer.from(row).toString('hex')}`);
    await t.reboot();
    const boot = t.time;
    await t.run(50);
    expect(t.frames('HELLO', boot)[0]!.msg.uid).toBe('HL328P-59353330321' + '80C1D14');
    // a clone whose signature does not read back: the programmed uid again
    row[0] = 0x00;
    await t.command(`sig ${Buffer.from(row).toString('hex')}`);
    await t.reboot();
    const again = t.time;
    await t.run(50);
    expect(t.frames('HELLO', again)[0]!.msg.uid).toBe('HL328P-PROGRAMMED1');
  });

  it('says HL328P-NOID and blinks the fault pattern when it has no uid at all', async () => {
    t = await HostTerminal.start({ uid: '' });
    await t.run(100);
    await t.welcome();
    await t.run(2000);
    expect(t.frames('HELLO')[0]!.msg.uid).toBe('HL328P-NOID');
    // online would be a steady status LED; NOID blinks it every 250 ms
    const changes = t.outputs.filter((o) => o.at > 500);
    expect(changes.length).toBeGreaterThanOrEqual(6);
  });
});
