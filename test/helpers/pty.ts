/**
 * Real pseudo-terminal pairs from socat, standing in for a USB serial cable:
 * one end is the "device" side, the other the "host" side that the bridge
 * opens with serialport. Killing socat is a faithful unplug (both ptys and
 * links vanish: test/bridge/simulator/socat-pair.test.ts); starting it again
 * with the same link names is a replug.
 * The pair itself is the simulator's (bridge/simulator/socat-pair.ts); this
 * adds a fresh folder per pair, deleted on dispose.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocatPair, DEFAULT_SOCAT_PATH, type SocatPair } from '../../bridge/simulator/socat-pair.ts';

/** Debian's socat (override with SOCAT_PATH). */
export const SOCAT_PATH = DEFAULT_SOCAT_PATH;

/** A socat-made pty pair with stable link paths. */
export interface PtyPair extends Omit<SocatPair, 'close'> {
  /** Unplugs and deletes the folder (when the pair made it). */
  dispose(): Promise<void>;
}

/**
 * Creates a pty pair in a fresh folder (or at `dir`/`name`-device and
 * -host) and waits until both links exist. Throws when socat is missing
 * ("apt-get install socat"; scripts/test.sh does).
 */
export async function createPtyPair(name = 'tty', dir?: string): Promise<PtyPair> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'hailong-pty-')));
  const pair = await createSocatPair({ dir: folder, name });
  return {
    device: pair.device,
    host: pair.host,
    get plugged() {
      return pair.plugged;
    },
    unplug: () => pair.unplug(),
    replug: () => pair.replug(),
    dispose: async () => {
      await pair.close();
      if (dir === undefined) await rm(folder, { recursive: true, force: true });
    },
  };
}
