/**
 * In-process serial ports: the bridge side of simulator stream pairs,
 * opened through the same `PortOpener` seam as real serial ports. Used by
 * the newcomer demo (no socat needed) and by fault tests and benchmarks
 * that run a bridge and many virtual terminals in one process.
 */
import type { Duplex } from 'node:stream';
import type { StreamPair } from '../simulator/stream-transport.ts';
import type { DiscoveryFs } from './port-candidates.ts';
import type { PortHandle, PortOpener } from './port-handle.ts';

/** Wraps a SerialPort-shaped Duplex (emits 'data' and 'close') as a `PortHandle`. */
export function duplexPortHandle(duplex: Duplex): PortHandle {
  let closed = false;
  const closeListeners: ((error?: Error) => void)[] = [];
  const fire = (error?: Error) => {
    if (closed) return;
    closed = true;
    for (const l of closeListeners) l(error);
  };
  duplex.on('close', (error?: Error | null) => fire(error ?? undefined));
  duplex.on('error', (error: Error) => fire(error));
  return {
    write(bytes) {
      if (!closed) duplex.write(Buffer.from(bytes));
    },
    onData(listener) {
      duplex.on('data', (chunk: Buffer) => listener(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    },
    onClose(listener) {
      closeListeners.push(listener);
    },
    close() {
      if (!closed) {
        duplex.destroy();
        fire();
      }
      return Promise.resolve();
    },
  };
}

/** A set of in-process ports, addressed as `stream:<name>`. */
export class StreamPorts {
  private readonly pairs = new Map<string, StreamPair>();

  /** Registers a pair under its bridge-side path (`stream:<name>`). */
  add(pair: StreamPair): string {
    const path = pair.bridgeSide.path;
    this.pairs.set(path, pair);
    return path;
  }

  /** Every registered path. */
  paths(): string[] {
    return [...this.pairs.keys()];
  }

  /** Opens the bridge side of a pair, like opening a serial device; unplugged pairs fail with ENOENT. */
  readonly opener: PortOpener = (path) => {
    const pair = this.pairs.get(path);
    if (pair === undefined || !pair.plugged) {
      return Promise.reject(Object.assign(new Error(`cannot open ${path}: no such port`), { code: 'ENOENT' }));
    }
    return Promise.resolve(duplexPortHandle(pair.openBridgeSide()));
  };

  /** Discovery over the registered pairs: a path "exists" while its cable is plugged. */
  readonly fs: DiscoveryFs = {
    readdir: () => [],
    realpath: (path) => (this.pairs.get(path)?.plugged === true ? path : undefined),
  };
}
