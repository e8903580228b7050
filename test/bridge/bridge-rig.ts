/**
 * Shared rig for bridge integration tests: a validated office config for N
 * virtual boxes on given serial paths, and a HailongApp started in-process
 * against the embedded Aedes broker (or an external Mosquitto).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { HailongConfig } from '../../bridge/config/hailong-config.ts';
import { validateConfig } from '../../bridge/config/validate-config.ts';
import { HailongApp, type HailongAppOptions } from '../../bridge/hailong-app.ts';

/** A silent logger (HAILONG_TEST_LOG=debug shows everything). */
export const testLog = pino({ level: process.env.HAILONG_TEST_LOG ?? 'silent' });

/** Box `i` (from 0) of a rig: uid SIM-0i+1 → terminal hop-i+1 at quay-i+1. */
export function box(i: number): { uid: string; terminal: string; counter: string } {
  const n = String(i + 1).padStart(2, '0');
  return { uid: `SIM-${n}`, terminal: `hop-${i + 1}`, counter: `quay-${i + 1}` };
}

/** Options of `rigConfig`. */
export interface RigConfigOptions {
  readonly boxes: number;
  readonly ports: readonly string[];
  readonly dataDir: string;
  readonly mqttUrls?: readonly string[];
  readonly mqttUsername?: string;
  readonly mqttPassword?: string;
  readonly gated?: readonly number[];
  readonly cooldownMs?: number;
  readonly pins?: Readonly<Record<number, string>>;
  readonly uidPrefix?: string;
}

/** A valid office config for the rig (throws if the rig itself is wrong). */
export function rigConfig(o: RigConfigOptions): HailongConfig {
  const counters = Array.from({ length: o.boxes }, (_, i) => {
    const b = box(i);
    const uid = o.uidPrefix === undefined ? b.uid : `${o.uidPrefix}${String(i + 1).padStart(2, '0')}`;
    return {
      id: b.counter,
      name: `Quầy ${i + 1}`,
      ...(o.gated?.includes(i) ? { mode: 'gated' } : {}),
      terminals: [{ id: b.terminal, kind: 'button', uid, ...(o.pins?.[i] === undefined ? {} : { port: o.pins[i] }) }],
    };
  });
  const r = validateConfig({
    district: { id: 'ba-dinh', name: 'Quận Ba Đình' },
    ward: { id: 'phuc-xa', name: 'Phường Phúc Xá' },
    rating: { cooldownMs: o.cooldownMs ?? 3000 },
    counters,
    serial: { ports: [...o.ports], scanIntervalMs: 200 },
    mqtt: { urls: [...(o.mqttUrls ?? [])], ...(o.mqttUsername ? { username: o.mqttUsername, password: o.mqttPassword } : {}) },
    broker: { port: 0, host: '127.0.0.1', anonymous: 'read' },
    dataDir: o.dataDir,
  });
  if (!r.ok) throw new Error(`rig config invalid: ${JSON.stringify(r.problems)}`);
  return r.config;
}

/** A temp folder removed by the returned function. */
export function tempDir(prefix = 'hailong-it-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts a HailongApp (no web server unless given) and returns it with its broker URL. */
export async function startApp(config: HailongConfig, extra: Partial<HailongAppOptions> = {}): Promise<{ app: HailongApp; url: string }> {
  // Ids from 1, so tests can name them; the default (clock) is tested in ward-bridge.e2e.test.ts.
  const app = new HailongApp({
    config,
    log: testLog,
    version: 'test',
    session: { pingIntervalMs: 1000, offlineAfterMs: 3000 },
    seqBase: 'zero',
    ...extra,
  });
  await app.start();
  const url = app.endpoints('127.0.0.1').mqttUrls[0] as string;
  return { app, url };
}

/** Polls `predicate` until true or `timeoutMs` (then throws `what`, with `detail()` when given: what was seen instead). */
export async function until(predicate: () => boolean, timeoutMs: number, what: string, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Polls `count` until it reaches `target`; fails only once it has not grown
 * for `stallMs` (a stall: lost or stuck), so a machine slowed by other work
 * gets the time it needs and a real stall still fails at once after `stallMs`.
 */
export async function untilReached(count: () => number, target: number, stallMs: number, what: string): Promise<void> {
  const started = Date.now();
  let best = count();
  let grewAt = started;
  for (;;) {
    const n = count();
    if (n >= target) return;
    if (n > best) {
      best = n;
      grewAt = Date.now();
    } else if (Date.now() - grewAt > stallMs) {
      throw new Error(
        `stalled at ${n} of ${target} waiting for ${what}: no progress for ${stallMs} ms (${Date.now() - started} ms in all)`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
