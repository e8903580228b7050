/**
 * Real pseudo-terminal pairs from socat, standing in for a USB serial cable:
 * one end is the "device" side, the other the "host" side that the bridge
 * opens with serialport. Killing socat is a faithful unplug (FIELD-NOTES,
 * "Pseudo-terminals"); starting it again with the same link names is a replug.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's socat (override with SOCAT_PATH). */
export const SOCAT_PATH = process.env.SOCAT_PATH ?? '/usr/bin/socat';

/** A socat-made pty pair with stable link paths. */
export interface PtyPair {
  /** Link to the device end (a simulated terminal or emulator writes here). */
  readonly device: string;
  /** Link to the host end (the bridge opens this, like /dev/ttyACM0). */
  readonly host: string;
  /** True while socat runs (the "cable" is plugged in). */
  readonly plugged: boolean;
  /** Kills socat: both ends vanish, as when the USB cable is pulled. */
  unplug(): Promise<void>;
  /** Starts socat again with the same link paths (new /dev/pts numbers). */
  replug(): Promise<void>;
  /** Unplugs and deletes the folder. */
  dispose(): Promise<void>;
}

async function waitForFiles(paths: readonly string[], proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!paths.every((p) => existsSync(p))) {
    if (proc.exitCode !== null) throw new Error(`socat exited with ${proc.exitCode} before creating ${paths.join(', ')}`);
    if (Date.now() > deadline) throw new Error(`socat did not create ${paths.join(', ')} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Creates a pty pair in a fresh folder (or at `dir`/`name`-device and
 * -host) and waits until both links exist.
 */
export async function createPtyPair(name = 'tty', dir?: string): Promise<PtyPair> {
  if (!existsSync(SOCAT_PATH)) {
    throw new Error(`socat not found at ${SOCAT_PATH}: run "apt-get install socat" (scripts/test.sh does)`);
  }
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'hailong-pty-')));
  const device = join(folder, `${name}-device`);
  const host = join(folder, `${name}-host`);
  let proc: ChildProcess | undefined;

  const plug = async (): Promise<void> => {
    const p = spawn(
      SOCAT_PATH,
      [`pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${host}`],
      { stdio: 'ignore' },
    );
    proc = p;
    await waitForFiles([device, host], p, 5000);
  };

  const unplug = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
    // socat removes its links on a clean exit only; a kill leaves them dangling.
    await rm(device, { force: true });
    await rm(host, { force: true });
  };

  await plug();
  return {
    device,
    host,
    get plugged() {
      return proc !== undefined && proc.exitCode === null;
    },
    unplug,
    replug: async () => {
      await unplug();
      await plug();
    },
    dispose: async () => {
      await unplug();
      if (dir === undefined) await rm(folder, { recursive: true, force: true });
    },
  };
}
