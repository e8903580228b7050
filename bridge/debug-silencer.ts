/**
 * Makes the `debug` loggers of mqtt.js, mqtt-packet, serialport and Aedes
 * free when DEBUG does not enable them: imported for its effect, first, by
 * every module that imports one of those packages, so it runs before they
 * create their loggers.
 *
 * Why: debug 4.x's logger is `function debug(...args) { if (!debug.enabled)
 * return; … }`, so each call allocates its argument array even when it logs
 * nothing, and mqtt-packet, mqtt.js and serialport call it several times per
 * packet. That was 1.1 KB of the bridge's 8.3 KB of garbage per vote and
 * 0.040–0.046 → 0.039 ms of CPU per vote under the 8-box load (issue 14,
 * bench/bridge-throughput, an allocation profile: BENCH_ALLOC_PROF). A
 * namespace DEBUG enables at start logs exactly as before; `debug.enable()`
 * called later reaches only loggers created after it (debug's own API).
 */
import { createRequire } from 'node:module';

/** The packages whose `debug` is silenced, and the ones they bring. */
const USERS: readonly (readonly string[])[] = [
  ['mqtt'],
  ['mqtt', 'mqtt-packet'],
  ['serialport', '@serialport/stream'],
  ['serialport', '@serialport/bindings-cpp'],
  ['aedes'],
  ['aedes', 'mqtt-packet'],
];

/** What `require('debug')` returns: the factory, with enable/disable and the rest of its API on it. */
interface DebugFactory {
  (namespace: string): unknown;
  enabled(namespace: string): boolean;
}

/** Marks a factory already wrapped (two users may share one copy of debug). */
const QUIET = Symbol.for('hailong.quiet-debug');

/** A logger that logs nothing and allocates nothing per call, with the properties callers read or set. */
function silentLogger(namespace: string): unknown {
  const logger = Object.assign(() => undefined, { enabled: false, namespace, log: () => undefined, destroy: () => false });
  return Object.assign(logger, { extend: (sub: string, delimiter = ':') => silentLogger(`${namespace}${delimiter}${sub}`) });
}

/** The `debug` module file each user would load (resolved from that user's own folder), when installed. */
function debugPaths(): string[] {
  const paths = new Set<string>();
  for (const chain of USERS) {
    let from = import.meta.url;
    try {
      for (const pkg of chain) from = createRequire(from).resolve(pkg);
      paths.add(createRequire(from).resolve('debug'));
    } catch {
      // Not installed here (a kiosk-only checkout, or a package that dropped debug): nothing to silence.
    }
  }
  return [...paths];
}

/** Replaces each user's `debug` factory (in Node's module cache) by one that hands out silent loggers for disabled namespaces. */
export function silenceDebug(): void {
  const require = createRequire(import.meta.url);
  for (const path of debugPaths()) {
    const real = require(path) as DebugFactory & { [QUIET]?: true };
    if (real[QUIET]) continue;
    const quiet = Object.assign((namespace: string) => (real.enabled(namespace) ? real(namespace) : silentLogger(namespace)), real, {
      [QUIET]: true as const,
    });
    const cached = require.cache[path];
    if (cached !== undefined) cached.exports = quiet;
  }
}

silenceDebug();
