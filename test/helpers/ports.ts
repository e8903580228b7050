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
  for (let tries = 0; tries < SLICE; tries += 1) {
    const port = FIRST_PORT + slice * SLICE + (next % SLICE);
    next += 1;
    if ((await bindable(port, '0.0.0.0')) && (await bindable(port, '127.0.0.1'))) return port;
  }
  throw new Error(`no free port in ${FIRST_PORT + slice * SLICE}..${FIRST_PORT + (slice + 1) * SLICE - 1}`);
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
