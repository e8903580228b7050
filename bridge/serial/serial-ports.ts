/**
 * Keeps the office's serial ports open, whatever happens to them. A port
 * that vanishes (USB unplugged, box power-cycled, pty closed) or comes back
 * under another ttyACM/ttyUSB number is reopened in-process with backoff
 * (1, 2, 4 … 30 s). The bridge never exits because a port went away: that
 * is zigbee2mqtt's "Adapter disconnected, stopping" (Koenkk/zigbee2mqtt#17809).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { PortHandle, PortOpener } from './port-handle.ts';
import { nodeDiscoveryFs, portCandidates, type DiscoveryFs, type PortCandidate } from './port-candidates.ts';

/** Options of `SerialPorts`. */
export interface SerialPortsOptions {
  /** `auto` or explicit paths (a `*` in the last segment expands). */
  readonly ports: 'auto' | readonly string[];
  /** Paths terminals are pinned to: always watched. */
  readonly pinned?: readonly string[];
  /** @default 115200 */
  readonly baudRate?: number;
  /** How often to look for new, vanished or renumbered ports. @default 2000 */
  readonly scanIntervalMs?: number;
  /** Longest wait between reopen attempts of one port. @default 30000 */
  readonly maxBackoffMs?: number;
  readonly opener: PortOpener;
  /** @default the real file system */
  readonly fs?: DiscoveryFs;
  readonly log: Logger;
}

/** An open port handed to the bridge. */
export interface OpenPort {
  readonly path: string;
  readonly realPath: string;
  readonly handle: PortHandle;
}

/** Events of `SerialPorts`. */
export interface SerialPortsEvents {
  /** A port opened: attach a session to it. */
  open: [port: OpenPort];
  /** A port closed (gone, or replaced by a renumbered device). */
  close: [port: OpenPort, error: Error | undefined];
}

interface PortState {
  port?: OpenPort;
  opening: boolean;
  failures: number;
  nextAttemptAt: number;
  lastError?: string;
}

/** A port's state, for `hailong` status and logs. */
export interface PortStatus {
  readonly path: string;
  readonly open: boolean;
  readonly failures: number;
  readonly lastError?: string;
}

/** The port manager feature. */
export class SerialPorts extends EventEmitter<SerialPortsEvents> {
  private readonly options: Readonly<Required<SerialPortsOptions>>;
  private readonly states = new Map<string, PortState>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(options: SerialPortsOptions) {
    super();
    this.options = Object.freeze({
      pinned: [],
      baudRate: 115_200,
      scanIntervalMs: 2000,
      maxBackoffMs: 30_000,
      fs: nodeDiscoveryFs,
      ...options,
    });
  }

  /** Starts scanning (at once, then every `scanIntervalMs`). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.scan();
    this.timer = setInterval(() => this.scan(), this.options.scanIntervalMs);
    this.timer.unref();
  }

  /** Stops scanning and closes every port. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const open = [...this.states.values()].map((s) => s.port).filter((p): p is OpenPort => p !== undefined);
    await Promise.all(open.map((p) => p.handle.close()));
  }

  /** Every port seen, open or waiting to reopen. */
  status(): PortStatus[] {
    return [...this.states.entries()].map(([path, s]) => ({
      path,
      open: s.port !== undefined,
      failures: s.failures,
      ...(s.lastError === undefined ? {} : { lastError: s.lastError }),
    }));
  }

  /** Looks for ports to open and open ports that vanished or were renumbered. */
  scan(): void {
    if (this.stopped) return;
    const now = Date.now();
    const candidates = portCandidates(this.options.ports, this.options.pinned, this.options.fs);
    for (const [path, state] of this.states) {
      const port = state.port;
      if (port === undefined) continue;
      // A by-id link that now points at another ttyACM, or a path that is
      // gone, means the device we hold is not the one there any more.
      const real = this.options.fs.realpath(path);
      if (real !== port.realPath) {
        this.options.log.warn({ port: path, was: port.realPath, now: real ?? null }, 'serial port changed or vanished: reopening');
        void port.handle.close();
      }
    }
    for (const candidate of candidates) this.consider(candidate, now);
  }

  private consider(candidate: PortCandidate, now: number): void {
    let state = this.states.get(candidate.path);
    if (state === undefined) {
      state = { opening: false, failures: 0, nextAttemptAt: 0 };
      this.states.set(candidate.path, state);
    }
    if (state.port !== undefined || state.opening || now < state.nextAttemptAt) return;
    // Another name of the same device may already be open (by-id + ttyACM).
    for (const other of this.states.values()) if (other.port?.realPath === candidate.realPath) return;
    void this.open(candidate, state);
  }

  private backoff(failures: number): number {
    return Math.min(this.options.maxBackoffMs, 1000 * 2 ** Math.max(0, failures - 1));
  }

  private async open(candidate: PortCandidate, state: PortState): Promise<void> {
    state.opening = true;
    let handle: PortHandle;
    try {
      handle = await this.options.opener(candidate.path, this.options.baudRate);
    } catch (error) {
      state.opening = false;
      state.failures += 1;
      state.nextAttemptAt = Date.now() + this.backoff(state.failures);
      const message = (error as Error).message;
      // Log a port's failure once per distinct error, not every retry.
      if (message !== state.lastError)
        this.options.log.warn({ port: candidate.path, error: message, retryInMs: this.backoff(state.failures) }, 'cannot open serial port');
      state.lastError = message;
      return;
    }
    state.opening = false;
    if (this.stopped) {
      await handle.close();
      return;
    }
    const port: OpenPort = { path: candidate.path, realPath: candidate.realPath, handle };
    state.port = port;
    state.failures = 0;
    delete state.lastError;
    const openedAt = Date.now();
    handle.onClose((error) => {
      if (state.port !== port) return;
      state.port = undefined;
      // A port that dies right after opening is flapping: back off.
      state.failures = Date.now() - openedAt < 5000 ? state.failures + 1 : 1;
      state.nextAttemptAt = Date.now() + this.backoff(state.failures);
      if (!this.stopped) this.options.log.warn({ port: port.path, error: error?.message ?? null }, 'serial port closed: will reopen');
      this.emit('close', port, error);
    });
    this.options.log.info({ port: port.path, device: port.realPath, baudRate: this.options.baudRate }, 'serial port open');
    this.emit('open', port);
  }
}
