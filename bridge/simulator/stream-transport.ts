/**
 * An in-process "cable": a terminal-side TerminalTransport wired to a
 * bridge-side Node Duplex that behaves like an open serialport SerialPort
 * (emits 'data' Buffers, takes writes, emits 'close' — with an error whose
 * `disconnected` is true when the cable is pulled — and has `isOpen`,
 * `path`, `close(cb)`). The bridge and many terminals can then run in one
 * process without socat, e.g. for fault tests and throughput benchmarks.
 *
 * Delivery is asynchronous in both directions (queued, drained in a
 * microtask) because a real line is: a sender never sees the receiver's
 * reaction inside its own write call, and bytes keep their order.
 */
import { Duplex } from 'node:stream';
import type { DataListener, LinkListener, TerminalTransport } from './transport.ts';

/** The error a SerialPort passes to 'close' when its device vanished (serialport's DisconnectedError shape). */
export interface DisconnectedError extends Error {
  readonly disconnected: true;
}

function disconnectedError(message: string): DisconnectedError {
  return Object.assign(new Error(message), { disconnected: true as const });
}

/** Collects chunks and hands them over in one microtask, preserving order. */
class Courier {
  private queue: Uint8Array[] = [];
  private scheduled = false;

  constructor(private readonly deliver: (bytes: Uint8Array) => void) {}

  send(bytes: Uint8Array): void {
    this.queue.push(bytes);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      const batch = this.queue;
      this.queue = [];
      for (const b of batch) this.deliver(b);
    });
  }

  /** Drops what is still in transit (the cable was pulled mid-byte). */
  drop(): void {
    this.queue = [];
  }
}

/** The bridge's end of a stream pair: a Duplex shaped like an open SerialPort. */
export class BridgeEndpoint extends Duplex {
  /** Port name, `stream:<pair name>`, for logs (SerialPort has `path`). */
  readonly path: string;
  /** Nominal rate; meaningless in-process, present because SerialPort has it. */
  readonly baudRate = 115200;
  private open = true;

  /** @internal Created by a StreamPair; `toTerminal` carries written bytes. */
  constructor(
    path: string,
    private readonly toTerminal: (bytes: Uint8Array) => void,
  ) {
    super({ emitClose: false });
    this.path = path;
  }

  /** True until closed by the bridge or by an unplug. */
  get isOpen(): boolean {
    return this.open;
  }

  /** Closes the port like SerialPort#close: 'close' with null; an error if it was not open. */
  close(callback?: (error: Error | null) => void): void {
    if (!this.open) {
      const error = new Error('Port is not open');
      queueMicrotask(() => (callback ? callback(error) : this.emit('error', error)));
      return;
    }
    this.shut(null);
    queueMicrotask(() => callback?.(null));
  }

  /** @internal Bytes from the terminal. */
  receive(bytes: Uint8Array): void {
    if (this.open) this.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  /** @internal Marks the port closed and emits 'close' (with the disconnect error, if any). */
  shut(error: DisconnectedError | null): void {
    if (!this.open) return;
    this.open = false;
    queueMicrotask(() => this.emit('close', error));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // Like serialport after a disconnect, a write to a closed port goes nowhere; it must not throw.
    if (this.open) this.toTerminal(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice());
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A bridge may destroy() instead of close(): the port is closed either way, so the
    // terminal's bytes are dropped until the bridge opens the pair again.
    this.open = false;
    callback(error);
  }

  override _read(): void {
    // Push-driven: bytes arrive through receive().
  }
}

/** The terminal's end of a stream pair. */
class TerminalEndpoint implements TerminalTransport {
  private dataListener: DataListener = () => {};
  private linkListener: LinkListener = () => {};

  constructor(
    readonly name: string,
    private readonly pair: StreamPair,
  ) {}

  get up(): boolean {
    return this.pair.plugged;
  }

  write(bytes: Uint8Array): void {
    this.pair.fromTerminal(bytes);
  }

  onData(listener: DataListener): void {
    this.dataListener = listener;
  }

  onLink(listener: LinkListener): void {
    this.linkListener = listener;
  }

  close(): Promise<void> {
    this.pair.unplug();
    return Promise.resolve();
  }

  /** @internal */
  deliver(bytes: Uint8Array): void {
    this.dataListener(bytes);
  }

  /** @internal */
  link(up: boolean): void {
    this.linkListener(up);
  }
}

/** Options of createStreamPair. */
export interface StreamPairOptions {
  /**
   * Name in logs and in the bridge side's `path` (`stream:<name>`).
   * @default "stream"
   */
  name?: string;
}

/**
 * A connected terminal side and bridge side. Pulling the cable (`unplug`)
 * closes the bridge side with a disconnect error and loses bytes in transit;
 * `replug` plugs it back and returns the new bridge side, which the bridge
 * must take up, just as it must reopen a serial path after a replug.
 */
export class StreamPair {
  /** The transport to give a VirtualTerminal. */
  readonly terminalSide: TerminalTransport;
  private readonly terminal: TerminalEndpoint;
  private endpoint: BridgeEndpoint;
  private isPlugged = true;
  private readonly toBridge: Courier;
  private readonly toTerminal: Courier;

  /** Creates a plugged pair with an open bridge side. */
  constructor(options: StreamPairOptions = {}) {
    const name = options.name ?? 'stream';
    this.terminal = new TerminalEndpoint(`stream:${name}`, this);
    this.terminalSide = this.terminal;
    this.toBridge = new Courier((b) => this.endpoint.receive(b));
    this.toTerminal = new Courier((b) => {
      if (this.isPlugged) this.terminal.deliver(b);
    });
    this.endpoint = this.newEndpoint();
  }

  /** The current bridge side (a new object after `replug`/`openBridgeSide`). */
  get bridgeSide(): BridgeEndpoint {
    return this.endpoint;
  }

  /** True while the cable is in. */
  get plugged(): boolean {
    return this.isPlugged;
  }

  /** Pulls the cable: the bridge side emits 'close' with a disconnect error; bytes in transit are lost. */
  unplug(): void {
    if (!this.isPlugged) return;
    this.isPlugged = false;
    this.toBridge.drop();
    this.toTerminal.drop();
    this.endpoint.shut(disconnectedError(`${this.endpoint.path} disconnected (cable unplugged)`));
    this.terminal.link(false);
  }

  /** Plugs the cable back and returns a newly opened bridge side. */
  replug(): BridgeEndpoint {
    if (!this.isPlugged) {
      this.isPlugged = true;
      this.terminal.link(true);
    }
    return this.openBridgeSide();
  }

  /**
   * Opens the bridge side again (as a restarted bridge reopens its port),
   * closing the previous one. Throws when the cable is unplugged (ENOENT,
   * as opening a vanished serial path does).
   */
  openBridgeSide(): BridgeEndpoint {
    if (!this.isPlugged) {
      throw Object.assign(new Error(`cannot open ${this.endpoint.path}: unplugged`), { code: 'ENOENT' });
    }
    this.endpoint.shut(null);
    this.endpoint = this.newEndpoint();
    return this.endpoint;
  }

  /** @internal Bytes written by the terminal. */
  fromTerminal(bytes: Uint8Array): void {
    // new Uint8Array(x) copies; Buffer#slice would return a view of the sender's memory.
    if (this.isPlugged) this.toBridge.send(new Uint8Array(bytes));
  }

  private newEndpoint(): BridgeEndpoint {
    return new BridgeEndpoint(this.terminal.name, (b) => {
      if (this.isPlugged) this.toTerminal.send(b);
    });
  }
}

/** A connected in-process pair: `{ terminalSide, bridgeSide }` plus unplug/replug. */
export function createStreamPair(options: StreamPairOptions = {}): StreamPair {
  return new StreamPair(options);
}
