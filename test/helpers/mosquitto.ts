/**
 * A real Mosquitto broker for tests (Debian's `mosquitto`), on free ports,
 * with a TCP listener and a WebSocket listener for the browser apps. It can
 * be stopped, killed and restarted on the same ports to test broker outages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.ts';

/** Where Debian installs the broker (override with MOSQUITTO_PATH). */
export const MOSQUITTO_PATH = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';

/** Options of `startMosquitto`. */
export interface MosquittoOptions {
  /** Extra lines appended to mosquitto.conf (e.g. `password_file`, `acl_file`). */
  readonly extraConfig?: string;
  /**
   * Allow clients without credentials.
   * @default true
   */
  readonly allowAnonymous?: boolean;
  /**
   * Keep retained messages and sessions on disk across restarts.
   * @default false
   */
  readonly persistence?: boolean;
}

/** A running (or stopped) Mosquitto with fixed ports. */
export interface Mosquitto {
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<wsPort>` (Mosquitto serves MQTT-over-WebSocket on any path). */
  readonly wsUrl: string;
  readonly port: number;
  readonly wsPort: number;
  /** Folder holding mosquitto.conf and the persistence file. */
  readonly dir: string;
  /** SIGTERM and wait for exit (a clean shutdown; persistence is saved). */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit (a crash). */
  kill(): Promise<void>;
  /** Starts again on the same ports after `stop` or `kill`. */
  restart(): Promise<void>;
  /** SIGSTOP: the broker hangs with its connections open (a frozen host); `kill` or `stop` ends it. */
  freeze(): void;
  /** Stops and deletes the folder. */
  dispose(): Promise<void>;
  /** Everything the broker logged so far. */
  log(): string;
}

/**
 * Starts Mosquitto on two free loopback ports and waits until both accept
 * connections. A missing binary fails with the fix in the message: CI
 * installs it, so a skip would hide a broken setup.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  if (!existsSync(MOSQUITTO_PATH)) {
    throw new Error(`mosquitto not found at ${MOSQUITTO_PATH}: run "apt-get install mosquitto" (scripts/test.sh does)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'hailong-mosquitto-'));
  const port = await freePort();
  const wsPort = await freePort();
  const conf = [
    // As root Mosquitto would switch to user "mosquitto", who cannot read the temp folder.
    'user root',
    `persistence ${options.persistence === true ? 'true' : 'false'}`,
    `persistence_location ${dir}/`,
    'autosave_interval 1',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'per_listener_settings false',
    `allow_anonymous ${options.allowAnonymous === false ? 'false' : 'true'}`,
    `listener ${port} 127.0.0.1`,
    'protocol mqtt',
    `listener ${wsPort} 127.0.0.1`,
    'protocol websockets',
    options.extraConfig ?? '',
    '',
  ].join('\n');
  const confPath = join(dir, 'mosquitto.conf');
  await writeFile(confPath, conf);
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async (): Promise<void> => {
    const proc = spawn(MOSQUITTO_PATH, ['-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}:\n${output}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([Promise.all([waitForPort(port), waitForPort(wsPort)]), exited]);
  };

  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
      // A frozen broker handles SIGTERM only once it runs again.
      proc.kill('SIGCONT');
    });
  };

  await launch();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    port,
    wsPort,
    dir,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    freeze: () => void child?.kill('SIGSTOP'),
    restart: async () => {
      await end('SIGTERM');
      await launch();
    },
    dispose: async () => {
      await end('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
    log: () => output,
  };
}
