/**
 * A box flashed through a bootloader (issue #14): the real firmware.elf in
 * simavr, with an Arduino Nano's factory fuses (brown-out 2.7 V, EESAVE
 * unprogrammed), reads them at boot and reports EVENT FUSE; the real bridge
 * puts them on the box's retained status (`fuses`), which the supervisor
 * dashboard shows on the counter's tile
 * (test/dashboard/views/office/counter-tile.test.tsx). simavr 1.6 does not
 * read fuses on LPM itself: the harness does (firmware-protocol/avr/sim/board.c).
 */
import { describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from '../../helpers/cleanups.ts';
import { emulatedOffice, expectNoStatusField } from './box-status-rig.ts';
import { currentStatus } from './office-bridge.ts';

const cleanups = cleanupsAfterEach();

describe('missing fuses from the emulated box to the status the dashboard reads', () => {
  it("puts a Nano's fuse bytes and what they lack on the retained terminal status", async () => {
    const { bridge } = await emulatedOffice('HL328P-E2EF001', { fuses: { efuse: 0xfd, hfuse: 0xda } }, 'hailong-fwfuse-', cleanups);
    await bridge.sub.waitFor(() => currentStatus(bridge.sub)?.fuses !== undefined, 15_000, 'a status with fuses');
    expect(currentStatus(bridge.sub)).toMatchObject({ state: 'online', fuses: { efuse: 0xfd, hfuse: 0xda, missing: ['BOD', 'EESAVE'] } });
  }, 60_000);

  it("carries no fuses for a box with flash-isp's fuses", async () => {
    await expectNoStatusField(await emulatedOffice('HL328P-E2EF002', {}, 'hailong-fwfuse-', cleanups), 'fuses');
  }, 60_000);
});
