/**
 * A real Mosquitto started from exactly the files `hailong mosquitto-config`
 * generates (config, the dynamic-security plugin's JSON, the permissions
 * script), with the real plugin, on free loopback ports. Used by the broker tests and
 * bench/broker-throughput.bench.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnonymousAccess, BrokerUser } from '../../../bridge/broker/broker-user.ts';
import { MOSQUITTO_FILES, mosquittoConfig, type MosquittoLayout } from '../../../bridge/broker/mosquitto-config.ts';
import { findDynsecPlugin } from '../../../bridge/commands/mosquitto-config.ts';
import { MOSQUITTO_PATH } from '../../helpers/mosquitto.ts';
import { freePort, waitForPort } from '../../helpers/ports.ts';

/** A running generated Mosquitto. */
export interface GeneratedMosquitto {
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<wsPort>/mqtt` */
  readonly wsUrl: string;
  /** Folder holding the generated files and the database. */
  readonly dir: string;
  /** Everything the broker logged so far. */
  log(): string;
  /** SIGTERM, wait for exit, delete the folder. */
  dispose(): Promise<void>;
}

/** A temp folder that user "mosquitto" can enter (Mosquitto drops root for it before reading its files). */
export async function sharedTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

/**
 * Generates the setup for ward d1/w1 with `users`, runs the password script
 * and starts Mosquitto. With `conf.d`, the snippet goes into `<dir>/conf.d/`
 * under a main file like Debian's (persistence + include_dir).
 */
export async function startGeneratedMosquitto(
  users: readonly BrokerUser[],
  anonymous: AnonymousAccess,
  layout: MosquittoLayout = 'standalone',
  clientIds: Readonly<Record<string, string>> = {},
): Promise<GeneratedMosquitto> {
  // Debian's mosquitto package ships it; a missing plugin must fail the suite, not skip it.
  const pluginPath = findDynsecPlugin();
  if (pluginPath === undefined)
    throw new Error('mosquitto_dynamic_security.so not found: run "apt-get install mosquitto" (2.0 or later; scripts/test.sh does)');
  const dir = await sharedTempDir('hailong-mosq-gen-');
  const tcpPort = await freePort();
  const wsPort = await freePort();
  const configDir = layout === 'conf.d' ? join(dir, 'conf.d') : dir;
  if (layout === 'conf.d') {
    await mkdir(configDir, { mode: 0o755 });
    // What Debian's /etc/mosquitto/mosquitto.conf says (minus pid file and log file).
    await writeFile(join(dir, MOSQUITTO_FILES.conf), `persistence true\npersistence_location ${dir}/\ninclude_dir ${configDir}\n`);
  }
  const files = mosquittoConfig({
    district: 'd1',
    ward: 'w1',
    users,
    anonymous,
    tcpPort,
    wsPort,
    dataDir: dir,
    configDir,
    bindAddress: '127.0.0.1',
    layout,
    pluginPath,
    clientIds,
  });
  await writeFile(join(configDir, files.confName), files.conf);
  await writeFile(join(configDir, MOSQUITTO_FILES.dynsec), files.dynsec);
  await writeFile(join(configDir, MOSQUITTO_FILES.script), files.script, { mode: 0o700 });
  const script = spawnSync('sh', [join(configDir, MOSQUITTO_FILES.script)], { encoding: 'utf8' });
  // Any output on stderr is a failure too: the script warns when user "mosquitto" could not read or write.
  if (script.status !== 0 || script.stderr !== '') throw new Error(`${MOSQUITTO_FILES.script} failed (${script.status}): ${script.stderr}`);
  let output = '';
  const child: ChildProcess = spawn(MOSQUITTO_PATH, ['-c', join(dir, MOSQUITTO_FILES.conf)], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}:\n${output}`))),
  );
  exited.catch(() => undefined);
  await Promise.race([Promise.all([waitForPort(tcpPort), waitForPort(wsPort)]), exited]);
  return {
    url: `mqtt://127.0.0.1:${tcpPort}`,
    wsUrl: `ws://127.0.0.1:${wsPort}/mqtt`,
    dir,
    log: () => output,
    dispose: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((r) => {
          child.once('exit', () => r());
          child.kill('SIGTERM');
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
