/**
 * A TCP proxy a test can cut: the WAN line between a ward and its hub.
 * `cut()` drops every connection and refuses new ones (like a line that
 * went down), `restore()` listens again on the same port.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './ports.ts';

/** A running proxy. */
export interface TcpProxy {
  /** `mqtt://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Drops every connection and stops listening. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy on a free port to `127.0.0.1:targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let accepted = 0;
  const listen = async () => {
    const s = createServer((client) => {
      accepted += 1;
      const upstream = connect({ port: targetPort, host: '127.0.0.1' });
      for (const sock of [client, upstream]) {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
        sock.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    server = s;
  };
  const cut = async () => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    if (s !== undefined) await new Promise<void>((r) => s.close(() => r()));
  };
  await listen();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    get accepted() {
      return accepted;
    },
    cut,
    restore: async () => {
      if (server === undefined) await listen();
    },
    close: cut,
  };
}
