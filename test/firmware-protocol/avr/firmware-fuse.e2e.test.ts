/**
 * A box flashed through a bootloader (issue #14): the real firmware.elf in
 * simavr, with an Arduino Nano's factory fuses (brown-out 2.7 V, EESAVE
 * unprogrammed), reads them at boot and reports EVENT FUSE; the real bridge
 * puts them on the box's retained status (`fuses`), which the supervisor
 * dashboard shows on the counter's tile
 * (test/dashboard/views/office/counter-tile.test.tsx). simavr 1.6 does not
 * read fuses on LPM itself: the harness does (firmware-protocol/avr/sim/board.c).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../bridge/bridge-rig.ts';
import { startEmulator } from './emulator.ts';
import { currentStatus, startOfficeBridge } from './office-bridge.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('missing fuses from the emulated box to the status the dashboard reads', () => {
  it("puts a Nano's fuse bytes and what they lack on the retained terminal status", async () => {
    const tmp = tempDir('hailong-fwfuse-');
    cleanups.push(tmp.remove);
    const uid = 'HL328P-E2EF001';
    const box = await startEmulator({ uid, fuses: { efuse: 0xfd, hfuse: 0xda } });
    cleanups.push(() => box.stop());
    const bridge = await startOfficeBridge(uid, box.ptyPath, tmp.dir);
    cleanups.push(() => bridge.stop());
    await bridge.sub.waitFor(() => currentStatus(bridge.sub)?.fuses !== undefined, 15_000, 'a status with fuses');
    expect(currentStatus(bridge.sub)).toMatchObject({ state: 'online', fuses: { efuse: 0xfd, hfuse: 0xda, missing: ['BOD', 'EESAVE'] } });
  }, 60_000);

  it("carries no fuses for a box with flash-isp's fuses", async () => {
    const tmp = tempDir('hailong-fwfuse-');
    cleanups.push(tmp.remove);
    const uid = 'HL328P-E2EF002';
    const box = await startEmulator({ uid });
    cleanups.push(() => box.stop());
    const bridge = await startOfficeBridge(uid, box.ptyPath, tmp.dir);
    cleanups.push(() => bridge.stop());
    await bridge.sub.waitFor(() => currentStatus(bridge.sub)?.state === 'online', 15_000, 'box online');
    await box.wait(1000);
    expect(bridge.sub.messages.filter((m) => m.topic.endsWith('/status') && m.payload.includes('fuses'))).toEqual([]);
  }, 60_000);
});
