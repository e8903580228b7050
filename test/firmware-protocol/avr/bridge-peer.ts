/**
 * A scripted stand-in for the bridge, for emulator tests before the real
 * bridge exists: it opens the box's pty with `serialport` like the bridge
 * will, decodes with the reference FrameDecoder, and answers with the
 * reference encoder. Its policy (WELCOME on HELLO, ACK votes, PING every
 * 5 s) can be switched per test, and it stores votes by seq like the
 * bridge's high-water mark, so "delivered exactly once" is checkable.
 */
import { SerialPort } from 'serialport';
import { encode } from '../../../firmware-protocol/src/encode.ts';
import type { DecodeResult } from '../../../firmware-protocol/src/error.ts';
import { FrameDecoder } from '../../../firmware-protocol/src/frame-decoder.ts';
import type { ConfigMessage, Message, VoteMessage } from '../../../firmware-protocol/src/message.ts';

/** A frame the peer received, with the wall-clock time. */
export interface Received {
  readonly at: number;
  readonly result: DecodeResult;
}

/** Options of BridgePeer.open. */
export interface BridgePeerOptions {
  /**
   * CONFIG sent after each WELCOME.
   * @default OPEN mode, 4 buttons, no cooldown, LEDs and buzzer on
   */
  readonly config?: ConfigMessage;
}

/** The bridge side of one box. */
export class BridgePeer {
  /** Everything decoded from the box, in order (errors included). */
  readonly received: Received[] = [];
  /** Votes stored, by seq: the first VOTE seen for each seq above the high-water mark. */
  readonly stored = new Map<number, VoteMessage>();
  /** The port's errors (a line lost under a pending read), by message. */
  readonly portErrors: string[] = [];
  /** Answer HELLO with WELCOME,1 and CONFIG. */
  welcomeOnHello = true;
  /** ACK every VOTE (OK when new, DUP when already stored). */
  ackVotes = true;
  config: ConfigMessage;
  private readonly port: SerialPort;
  private readonly decoder = new FrameDecoder();
  private readonly waiters = new Set<() => void>();
  private pinger: NodeJS.Timeout | undefined;
  private nonce = 1;

  private constructor(port: SerialPort, options: BridgePeerOptions) {
    this.port = port;
    this.config = options.config ?? {
      type: 'CONFIG',
      buttons: 4,
      cooldownMs: 0,
      mode: 'OPEN',
      windowMs: 30000,
      leds: true,
      buzzer: true,
    };
    port.on('data', (chunk: Buffer) => {
      for (const result of this.decoder.push(chunk)) this.onFrame(result);
    });
    // A power cut or restart closes the emulator's pty under a pending read (EIO, or EBADF
    // when the close wins the race): as for a real bridge, a lost line is an event, not a
    // crash. Without a listener the stream's 'error' is an uncaught exception in the test run.
    port.on('error', (error: Error) => this.portErrors.push(error.message));
  }

  /** Opens the box's serial port (115200 8N1, no flow control, §2) and starts PINGing every 5 s. */
  static async open(path: string, options: BridgePeerOptions = {}): Promise<BridgePeer> {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    const peer = new BridgePeer(port, options);
    peer.pinger = setInterval(() => {
      if (peer.port.isOpen) peer.send({ type: 'PING', nonce: peer.nonce++ });
    }, 5000);
    return peer;
  }

  private onFrame(result: DecodeResult): void {
    this.received.push({ at: Date.now(), result });
    if (result.ok) {
      const m = result.value;
      if (m.type === 'HELLO' && this.welcomeOnHello) {
        this.send({ type: 'WELCOME', proto: 1 });
        this.send(this.config);
      } else if (m.type === 'VOTE' && this.ackVotes) {
        const mark = Math.max(0, ...this.stored.keys());
        const fresh = m.seq > mark;
        if (fresh) this.stored.set(m.seq, m);
        this.send({ type: 'ACK', seq: m.seq, status: fresh ? 'OK' : 'DUP' });
      } else if (m.type === 'PING') {
        this.send({ type: 'PONG', nonce: m.nonce });
      }
    }
    for (const w of [...this.waiters]) w();
  }

  /**
   * Resolves once the box has handled everything sent so far: it PINGs and
   * waits for the PONG (the serial line and the firmware keep order).
   */
  async roundTrip(timeoutMs = 10_000): Promise<void> {
    const nonce = 4_000_000_000 + this.nonce++;
    const from = this.received.length;
    this.send({ type: 'PING', nonce });
    await this.waitFor('PONG', (m) => m.nonce === nonce, timeoutMs, from);
  }

  /** Sends one message. */
  send(m: Message): void {
    this.port.write(encode(m));
  }

  /** Sends raw bytes and waits until they are written. */
  async sendRaw(data: Uint8Array): Promise<void> {
    await new Promise<void>((resolve, reject) => this.port.write(Buffer.from(data), (e) => (e ? reject(e) : resolve())));
    await new Promise<void>((resolve) => this.port.drain(() => resolve()));
  }

  /** Decoded messages of one type, from index `from` of `received`. */
  messages<T extends Message['type']>(type: T, from = 0): Extract<Message, { type: T }>[] {
    const out: Extract<Message, { type: T }>[] = [];
    for (let i = from; i < this.received.length; i++) {
      const r = this.received[i]!.result;
      if (r.ok && r.value.type === type) out.push(r.value as Extract<Message, { type: T }>);
    }
    return out;
  }

  /** Resolves with the first received message (from index `from`) matching `pred`. */
  waitFor<T extends Message['type']>(
    type: T,
    pred: (m: Extract<Message, { type: T }>) => boolean = () => true,
    timeoutMs = 10_000,
    from = 0,
  ): Promise<Extract<Message, { type: T }>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.messages(type, from).find(pred);
        if (hit === undefined) return false;
        this.waiters.delete(check as () => void);
        clearTimeout(timer);
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check as () => void);
        const last = this.received.slice(-6).map((r) => (r.result.ok ? r.result.value : r.result.code));
        reject(new Error(`no ${type} within ${timeoutMs} ms; last received: ${JSON.stringify(last)}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check as () => void);
    });
  }

  /** Resolves once `count` votes are stored; rejects after timeoutMs. */
  async waitForStored(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.stored.size < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.stored.size} of ${count} votes stored within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops PINGing and closes the port. */
  async close(): Promise<void> {
    clearInterval(this.pinger);
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}
