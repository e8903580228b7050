/**
 * Upgrading a box in service from firmware 1.1 to 1.2 (issue #14): its
 * EEPROM holds the 64-slot layout 1 with votes the bridge never ACKed (the
 * box was flashed while the bridge was away). The real firmware.elf (1.2)
 * boots in simavr on that EEPROM, converts it to the 147-slot layout 2
 * (src/ring_migrate.c), and the real bridge receives every one of those
 * votes exactly once, with its seq and level, then the box's new presses
 * above them. The host tests (ring-migrate.test.ts) tear every byte write of
 * the conversion; this one proves the same code on the emulated chip.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Vote } from '../../../core/vote.ts';
import { tempDir, until } from '../../bridge/bridge-rig.ts';
import { freshEeprom, type Layout1Record, writeLayout1 } from './eeprom-image.ts';
import { startEmulator } from './emulator.ts';
import { LEVELS, currentStatus, startOfficeBridge, votesBySeq } from './office-bridge.ts';

/** Layout mark of the firmware 1.2 EEPROM (src/ee_map.h HL_EE_LAYOUT: "H2"). */
const EE_LAYOUT = 0x06e;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('firmware 1.1 -> 1.2 upgrade in the emulator, with the real bridge', () => {
  it('delivers every vote pending in the 1.1 EEPROM exactly once, then new presses above them', async () => {
    const tmp = tempDir('hailong-fwup-');
    cleanups.push(tmp.remove);
    const uid = 'HL328P-E2EU001';
    // A 1.1 box whose ring has wrapped: seqs 1..70 stored (1..6 overwritten), 59..70 never ACKed.
    const records: Layout1Record[] = [];
    for (let seq = 7; seq <= 70; seq++) {
      records.push({ slot: (seq - 1) % 64, seq, button: 1 + (seq % 3), flags: 0, pending: seq >= 59 });
    }
    const eepromFile = join(tmp.dir, 'box.eeprom');
    writeFileSync(eepromFile, writeLayout1(freshEeprom(uid), records));
    const box = await startEmulator({ uid, eepromFile });
    cleanups.push(() => box.stop());
    await box.wait(300);
    const hello = box.sentLines.find((l) => l.startsWith('$HELLO,'));
    expect(hello, 'the upgraded box says HELLO').toBeDefined();
    expect(hello!.split('*')[0]!.split(',').slice(4, 7)).toEqual(['1.2.0', '4', '12']);

    const { app, sub, stop } = await startOfficeBridge(uid, box.ptyPath, tmp.dir);
    cleanups.push(stop);
    await sub.waitFor(() => currentStatus(sub)?.state === 'online', 10_000, 'box online');
    await sub.waitFor(() => votesBySeq(sub).length >= 12, 20_000, 'the 12 votes from the 1.1 ring');
    await box.wait(100);
    await box.tap(2, 80);
    await box.wait(50);
    await sub.waitFor(() => votesBySeq(sub).length >= 13, 10_000, 'the new press');
    await until(() => app.bridge.journal.outboxSize() === 0, 5000, 'every vote PUBACKed');

    const votes = votesBySeq(sub);
    const old = records.filter((x) => x.pending);
    // the box sent them under their 1.1 seqs (the bridge publishes its own seq in the vote)
    const deviceSeqs = box.sentLines.filter((l) => l.startsWith('$VOTE,')).map((l) => Number(l.split(',')[1]));
    expect([...new Set(deviceSeqs)]).toEqual([...old.map((x) => x.seq), 71]);
    expect(votes).toHaveLength(13);
    expect(votes.map((v) => v.level)).toEqual([...old.map((x) => LEVELS[x.button - 1]), LEVELS[1]]);
    // pressed before the upgrade's reboot: the box has no clock for them (§7.5)
    expect(votes.slice(0, 12).every((v) => v.timeUncertain === true)).toBe(true);
    expect(votes[12]!.timeUncertain).toBeUndefined();
    const ids = sub.json<Vote>('vote').map((v) => v.id);
    expect(ids.length).toBe(new Set(ids).size);
    expect(app.bridge.journal.voteCount()).toBe(13);
    await box.powerCut();
    expect(
      readFileSync(eepromFile)
        .subarray(EE_LAYOUT, EE_LAYOUT + 2)
        .toString('latin1'),
    ).toBe('H2');
  });
});
