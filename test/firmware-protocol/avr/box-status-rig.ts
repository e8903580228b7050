/**
 * The rig of the firmware status e2e tests (firmware-lowv, firmware-fuse):
 * an emulated box (the real firmware.elf in simavr) and the real office
 * bridge on its pty (office-bridge.ts), in a temp folder of their own, all
 * stopped after the test; and the check that a healthy box's status never
 * carries a warning field.
 */
import { expect } from 'vitest';
import type { Status } from '../../../core/status.ts';
import type { Cleanups } from '../../helpers/cleanups.ts';
import { tempDir } from '../../bridge/bridge-rig.ts';
import { startEmulator, type Emulator, type EmulatorOptions } from './emulator.ts';
import { currentStatus, startOfficeBridge, type OfficeBridge } from './office-bridge.ts';

/** One emulated box and the bridge that serves it. */
export interface EmulatedOffice {
  readonly box: Emulator;
  /** The bridge now (a new one after `restartBridge()`). */
  readonly bridge: OfficeBridge;
  /**
   * Stops the bridge and starts a new one on the same journal, the box still
   * on its port; resolves with the time the old one had stopped (anything
   * published from then on is the new bridge's).
   */
  restartBridge(): Promise<number>;
}

/** Starts box `uid` (with `emulator` options) and its bridge in a `prefix` temp folder; `cleanups` stops them. */
export async function emulatedOffice(uid: string, emulator: EmulatorOptions, prefix: string, cleanups: Cleanups): Promise<EmulatedOffice> {
  const tmp = tempDir(prefix);
  cleanups.push(tmp.remove);
  const box = await startEmulator({ uid, ...emulator });
  cleanups.push(() => box.stop());
  let bridge = await startOfficeBridge(uid, box.ptyPath, tmp.dir);
  cleanups.push(() => bridge.stop());
  return {
    box,
    get bridge() {
      return bridge;
    },
    async restartBridge() {
      await bridge.stop();
      const stoppedAt = Date.now();
      bridge = await startOfficeBridge(uid, box.ptyPath, tmp.dir);
      return stoppedAt;
    },
  };
}

/** Once the box is online and a second of its session has passed, no status it published carries `field`. */
export async function expectNoStatusField(office: EmulatedOffice, field: keyof Status): Promise<void> {
  const { sub } = office.bridge;
  await sub.waitFor(() => currentStatus(sub)?.state === 'online', 15_000, 'box online');
  await office.box.wait(1000);
  expect(sub.messages.filter((m) => m.topic.endsWith('/status') && m.payload.includes(field))).toEqual([]);
}
