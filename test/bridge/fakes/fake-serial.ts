/**
 * Fakes of the serial seams (bridge/serial/port-handle.ts, port-candidates.ts):
 * a /dev whose links the test moves, and ports the test unplugs.
 */
import { basename, dirname } from 'node:path';
import type { DiscoveryFs } from '../../../bridge/serial/port-candidates.ts';
import type { PortHandle, PortOpener } from '../../../bridge/serial/port-handle.ts';

/** A /dev whose links the test moves: path → the device it resolves to. */
export class FakeDev implements DiscoveryFs {
  readonly links = new Map<string, string>();
  readdir(dir: string): string[] {
    return [...this.links.keys()].filter((p) => dirname(p) === dir).map((p) => basename(p));
  }
  realpath(path: string): string | undefined {
    return this.links.get(path);
  }
}

/** A port the fake opener opened; `unplug()` closes it from the device side. */
export class FakePort implements PortHandle {
  closed = false;
  readonly written: Uint8Array[] = [];
  private closeListener: ((error?: Error) => void) | undefined;
  constructor(readonly path: string) {}
  write(bytes: Uint8Array): void {
    if (!this.closed) this.written.push(bytes);
  }
  onData(): void {}
  onClose(listener: (error?: Error) => void): void {
    this.closeListener = listener;
  }
  async close(): Promise<void> {
    this.unplug();
  }
  unplug(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeListener?.(error);
  }
}

/** An opener that records every attempt; paths in `refuse` reject (busy, no permission). */
export function fakeOpener(): { opened: FakePort[]; attempts: string[]; refuse: Set<string>; opener: PortOpener } {
  const opened: FakePort[] = [];
  const attempts: string[] = [];
  const refuse = new Set<string>();
  const opener = async (path: string) => {
    attempts.push(path);
    if (refuse.has(path)) throw new Error(`EBUSY: ${path}`);
    const port = new FakePort(path);
    opened.push(port);
    return port;
  };
  return { opened, attempts, refuse, opener };
}
