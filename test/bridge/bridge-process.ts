/**
 * The bridge as its own process, for fault tests that kill it: a YAML office
 * config for N rig boxes, `hailong bridge` spawned on it, and `kill -9`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { box } from './bridge-rig.ts';

const repo = join(import.meta.dirname, '..', '..');

/** The broker of a written config: an external one at `url`, or the embedded one on `brokerPort`. */
export type BrokerChoice = { readonly url: string } | { readonly brokerPort: number };

/** Writes `hailong.yaml` in `dir` for `boxes` rig boxes on `ports` (data in `dir/data`); returns its path. */
export function writeConfig(dir: string, boxes: number, ports: readonly string[], broker: BrokerChoice): string {
  const file = join(dir, 'hailong.yaml');
  writeFileSync(
    file,
    stringify({
      district: { id: 'ba-dinh', name: 'Quận Ba Đình' },
      ward: { id: 'phuc-xa', name: 'Phường Phúc Xá' },
      rating: { cooldownMs: 0 },
      counters: Array.from({ length: boxes }, (_, i) => ({
        id: box(i).counter,
        name: `Quầy ${i + 1}`,
        terminals: [{ id: box(i).terminal, kind: 'button', uid: box(i).uid }],
      })),
      serial: { ports: [...ports], scanIntervalMs: 200 },
      ...('url' in broker
        ? { mqtt: { urls: [broker.url] } }
        : { broker: { port: broker.brokerPort, host: '127.0.0.1', anonymous: 'read' } }),
      dataDir: join(dir, 'data'),
    }),
  );
  return file;
}

/** Starts `hailong bridge --config <config>` as a child process. */
export function spawnBridge(config: string): ChildProcess {
  const child = spawn(process.execPath, [join(repo, 'bridge', 'bin.mjs'), 'bridge', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HAILONG_LOG_FORMAT: 'json', HAILONG_LOG_LEVEL: 'warn' },
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.resume();
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) console.error(`bridge exited with ${code}: ${err}`);
  });
  return child;
}

/** `kill -9` of `child`; resolves once it is gone. */
export function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
