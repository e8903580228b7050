/** Free TCP ports for servers started by tests, so suites can run in parallel. */
import { createServer } from 'node:net';

/**
 * Ports handed out lie below Linux's ephemeral range (`net.ipv4.ip_local_port_range`,
 * 32768–60999 by default): a port the OS picked with `listen(0)` is also a port it may
 * give any outgoing connection as its source port a moment later, and then the server
 * a test starts on it fails with EADDRINUSE or, worse, the test talks to someone else's
 * socket. Each vitest worker (`VITEST_POOL_ID`) owns its own slice, so two workers
 * never hand out the same port.
 */
const FIRST_PORT = 20_000;
/** Ports in one worker's slice. */
const SLICE = 1_500;
/** Slices between FIRST_PORT and the ephemeral range. */
const SLICES = 8;

const pool = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 0);
// Outside vitest (benches, scripts) the pid picks the slice: two such processes rarely share one.
const slice = Number.isInteger(pool) && pool > 0 ? (pool - 1) % SLICES : process.pid % SLICES;
// A random start, so a rerun does not meet ports its predecessor's processes may still hold.
let next = Math.floor(Math.random() * SLICE);

/** True when nothing listens on `port` on any address (a listener on 0.0.0.0 or 127.0.0.1 would refuse the bind). */
function bindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A TCP port free on this machine a moment ago, from this worker's slice below the ephemeral range. */
export async function freePort(): Promise<number> {
  return freePortRun(1);
}

/**
 * The first of `count` consecutive ports all free a moment ago (for a process that
 * takes a base port and the ones after it, like `hailong start --hub`). The ports
 * are handed out in order, so the run is skipped past: a later freePort() never
 * returns one of them.
 */
export async function freePortRun(count: number): Promise<number> {
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new Error('"count" must be a whole number 1..64');
  const first = FIRST_PORT + slice * SLICE;
  for (let tries = 0; tries < SLICE; tries += 1) {
    if (next % SLICE > SLICE - count) next += SLICE - (next % SLICE); // a run never wraps past the slice's end
    const base = first + (next % SLICE);
    next += count;
    let free = true;
    for (let i = 0; i < count && free; i += 1) free = (await bindable(base + i, '0.0.0.0')) && (await bindable(base + i, '127.0.0.1'));
    if (free) return base;
  }
  throw new Error(`no ${count} free consecutive ports in ${first}..${first + SLICE - 1}`);
}

/** Resolves once something accepts TCP connections on `port`, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000, host = '127.0.0.1'): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
