/**
 * A socat pseudo-terminal pair standing in for a USB serial cable: the
 * simulator opens the DEVICE end, the bridge opens the HOST end, exactly as
 * it opens /dev/ttyACM0. Killing socat is a faithful unplug (both paths
 * vanish); starting it again with the same link names is a replug.
 * The tests' pty pairs (test/helpers/pty.ts) are made here too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Debian's socat; override with SOCAT_PATH. */
export const DEFAULT_SOCAT_PATH = process.env.SOCAT_PATH ?? '/usr/bin/socat';

/** Options of createSocatPair. */
export interface SocatPairOptions {
  /** Folder for the two links (created if missing). Required. */
  dir: string;
  /** Link name stem: links are `<name>-device` and `<name>-host`. Required. */
  name: string;
  /**
   * socat executable.
   * @default process.env.SOCAT_PATH ?? "/usr/bin/socat"
   */
  socatPath?: string;
  /**
   * How long to wait for socat to create both links.
   * @default 5000
   */
  startTimeoutMs?: number;
  /** Called when socat exits without being asked to (the "cable" fell out). */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** A running socat pair with stable link paths. */
export interface SocatPair {
  /** Link to the device end (the virtual terminal opens this). */
  readonly device: string;
  /** Link to the host end (the bridge opens this). */
  readonly host: string;
  /** True while socat runs. */
  readonly plugged: boolean;
  /** Kills socat: both ends vanish. */
  unplug(): Promise<void>;
  /** Starts socat again with the same links (new /dev/pts numbers behind them). */
  replug(): Promise<void>;
  /** Unplugs for good. */
  close(): Promise<void>;
}

async function waitForLinks(paths: readonly string[], proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!paths.every((p) => existsSync(p))) {
    if (proc.exitCode !== null) throw new Error(`socat exited with code ${proc.exitCode} before creating ${paths.join(', ')}`);
    if (Date.now() > deadline) throw new Error(`socat did not create ${paths.join(', ')} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts socat and resolves once both links exist. Throws when socat is missing or fails. */
export async function createSocatPair(options: SocatPairOptions): Promise<SocatPair> {
  const socat = options.socatPath ?? DEFAULT_SOCAT_PATH;
  if (!existsSync(socat)) throw new Error(`socat not found at ${socat}: install it ("apt-get install socat") or set SOCAT_PATH`);
  await mkdir(options.dir, { recursive: true });
  const device = join(options.dir, `${options.name}-device`);
  const host = join(options.dir, `${options.name}-host`);
  const timeoutMs = options.startTimeoutMs ?? 5000;
  let proc: ChildProcess | undefined;

  const removeLinks = (): void => {
    // A killed socat leaves its links dangling; stale links would make us wait on a dead pair.
    rmSync(device, { force: true });
    rmSync(host, { force: true });
  };

  const plug = async (): Promise<void> => {
    removeLinks();
    const p = spawn(socat, [`pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${host}`], { stdio: 'ignore' });
    proc = p;
    p.on('error', () => {}); // spawn errors surface through exitCode in waitForLinks
    p.on('exit', (code, signal) => {
      if (proc === p) {
        proc = undefined;
        options.onUnexpectedExit?.(code, signal);
      }
    });
    try {
      await waitForLinks([device, host], p, timeoutMs);
    } catch (error) {
      proc = undefined;
      p.kill('SIGKILL');
      throw error;
    }
  };

  const unplug = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (p !== undefined && p.exitCode === null && p.signalCode === null) {
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill('SIGKILL');
      });
    }
    removeLinks();
  };

  await plug();
  return {
    device,
    host,
    get plugged() {
      return proc !== undefined;
    },
    unplug,
    replug: async () => {
      await unplug();
      await plug();
    },
    close: unplug,
  };
}
