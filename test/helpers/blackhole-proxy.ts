/**
 * A TCP proxy that can make the network "go away" the way a pulled cable or
 * a dead Wi-Fi access point does: `cut()` silently drops every byte in both
 * directions while the sockets stay open (no FIN, no RST), so only a
 * keepalive can notice. `restore()` lets bytes through again; `close()` ends it.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A running proxy. */
export interface BlackholeProxy {
  readonly port: number;
  /** Drop all traffic from now on (sockets stay open). */
  cut(): void;
  /** Forward traffic again. */
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free 127.0.0.1 port forwarding to `127.0.0.1:targetPort`. */
export async function startBlackholeProxy(targetPort: number): Promise<BlackholeProxy> {
  let cut = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ port: targetPort, host: '127.0.0.1' });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (d) => cut || upstream.write(d));
    upstream.on('data', (d) => cut || client.write(d));
    client.on('end', () => cut || upstream.end());
    upstream.on('end', () => cut || client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    cut: () => (cut = true),
    restore: () => (cut = false),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
