/**
 * TerminalTransport over a serial device path: the DEVICE end of a socat pty
 * pair (the bridge opens the host end), or any real serial port. Opened with
 * serialport's SerialPort.
 *
 * When the device vanishes (socat killed = cable pulled), serialport 13 on
 * Linux emits 'close' with an error whose `disconnected` is true (checked
 * here against a socat pair); the path then no longer exists, and opening it
 * fails with ENOENT until socat runs again. So on close or failed open the
 * transport retries with backoff, forever, until close() — as a USB device
 * reappears when plugged back in. Bytes written while it is down are lost,
 * as on a real unplugged line; the protocol's resends cover them.
 */
// First: the packages below create their debug loggers as they load (debug-silencer.ts says why).
import '../debug-silencer.ts';
import { SerialPort } from 'serialport';
import type { DataListener, LinkListener, TerminalTransport } from './transport.ts';

/** Options of PtyTransport. */
export interface PtyTransportOptions {
  /** Device path to open, e.g. `/tmp/hailong-pty/SIM-01-device`. Required. */
  path: string;
  /**
   * Line rate (meaningless on a pty, used on real ports; §2: 115200 or 9600).
   * @default 115200
   */
  baudRate?: number;
  /**
   * First reopen delay after the device vanished or failed to open.
   * @default 100
   */
  reopenMinMs?: number;
  /**
   * Cap of the doubling reopen delay.
   * @default 2000
   */
  reopenMaxMs?: number;
}

/** Counters of a PtyTransport. */
export interface PtyTransportStats {
  /** Successful opens (the first one included). */
  readonly opens: number;
  /** Failed open attempts. */
  readonly failedOpens: number;
  /** Times the open device went away. */
  readonly disconnects: number;
  /** Bytes dropped because the device was not open. */
  readonly bytesDropped: number;
  /** Last open/port error message, for logs. */
  readonly lastError: string | null;
}

/** A serial device path as a TerminalTransport, reopened whenever it comes back. */
export class PtyTransport implements TerminalTransport {
  readonly name: string;
  private readonly baudRate: number;
  private readonly reopenMinMs: number;
  private readonly reopenMaxMs: number;
  private port: SerialPort | null = null;
  private isUp = false;
  private closed = false;
  private retryMs: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private dataListener: DataListener = () => {};
  private linkListener: LinkListener = () => {};
  private upWaiters: (() => void)[] = [];
  private counts = { opens: 0, failedOpens: 0, disconnects: 0, bytesDropped: 0 };
  private lastError: string | null = null;

  /** Starts opening `path` at once (and keeps trying). Throws on invalid options. */
  constructor(options: PtyTransportOptions) {
    if (typeof options.path !== 'string' || options.path === '') throw new TypeError('"path" must be a non-empty string');
    this.name = options.path;
    this.baudRate = options.baudRate ?? 115200;
    if (!Number.isInteger(this.baudRate) || this.baudRate <= 0) throw new TypeError('"baudRate" must be a positive integer');
    this.reopenMinMs = options.reopenMinMs ?? 100;
    this.reopenMaxMs = options.reopenMaxMs ?? 2000;
    if (!(this.reopenMinMs > 0) || !(this.reopenMaxMs >= this.reopenMinMs)) {
      throw new TypeError('"reopenMinMs" must be > 0 and "reopenMaxMs" >= "reopenMinMs"');
    }
    this.retryMs = this.reopenMinMs;
    this.openPort();
  }

  get up(): boolean {
    return this.isUp;
  }

  /** Counters since creation. */
  get stats(): PtyTransportStats {
    return { ...this.counts, lastError: this.lastError };
  }

  write(bytes: Uint8Array): void {
    const port = this.port;
    if (!this.isUp || port === null) {
      this.counts.bytesDropped += bytes.length;
      return;
    }
    port.write(Buffer.from(bytes));
  }

  onData(listener: DataListener): void {
    this.dataListener = listener;
  }

  onLink(listener: LinkListener): void {
    this.linkListener = listener;
  }

  /** Resolves when the device is open (at once if it is). Rejects after `timeoutMs`. */
  waitUp(timeoutMs = 5000): Promise<void> {
    if (this.isUp) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} did not open within ${timeoutMs} ms (${this.lastError ?? 'no error'})`)),
        timeoutMs,
      );
      this.upWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const port = this.port;
    this.port = null;
    this.setUp(false);
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private openPort(): void {
    if (this.closed) return;
    const port = new SerialPort({ path: this.name, baudRate: this.baudRate, autoOpen: false });
    // Without an 'error' listener serialport's stream errors would crash the process.
    port.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    port.on('data', (chunk: Buffer) => {
      if (this.port === port) this.dataListener(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    port.on('close', (error: (Error & { disconnected?: boolean }) | null) => {
      if (this.port !== port) return;
      this.port = null;
      if (error) this.lastError = error.message;
      this.counts.disconnects++;
      this.setUp(false);
      this.scheduleReopen();
    });
    port.open((error) => {
      if (this.closed) {
        if (!error) port.close();
        return;
      }
      if (error) {
        this.counts.failedOpens++;
        this.lastError = error.message;
        this.scheduleReopen();
        return;
      }
      this.port = port;
      this.counts.opens++;
      this.retryMs = this.reopenMinMs;
      this.setUp(true);
    });
  }

  private scheduleReopen(): void {
    if (this.closed || this.retryTimer !== null) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.reopenMaxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.openPort();
    }, delay);
  }

  private setUp(up: boolean): void {
    if (this.isUp === up) return;
    this.isUp = up;
    if (up) {
      const waiters = this.upWaiters;
      this.upWaiters = [];
      for (const w of waiters) w();
    }
    this.linkListener(up);
  }
}
