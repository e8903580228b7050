/**
 * Test-side bridges for the virtual terminal, attached to the bridge side of
 * a stream pair (or any Duplex/serial port):
 * - ScriptedBridge records what the terminal sends and sends what the test
 *   says, nothing more;
 * - IdealBridge follows PROTOCOL.md's bridge rules (WELCOME + CONFIG on
 *   HELLO, NAK HELLO before HELLO, store by (uid, seq) high-water mark then
 *   ACK OK/DUP, PING every 5 s, NAK per §9.2) and can lose, corrupt or
 *   duplicate frames on demand, for the delivery property test.
 */
import type { Duplex } from 'node:stream';
import {
  FrameDecoder,
  NAK_REASON_BY_ERROR,
  encode,
  type DecodeError,
  type Message,
  type MessageOf,
  type MessageType,
} from '../../../firmware-protocol/src/index.ts';
import type { Clock, ClockTimer } from '../../../bridge/simulator/clock.ts';

/** A port the test bridge can talk through. */
export type PortLike = Pick<Duplex, 'on' | 'off' | 'write'>;

/** Records frames from the terminal and sends frames to it. */
export class ScriptedBridge {
  /** Every valid frame received, in order. */
  readonly received: Message[] = [];
  /** Every line that failed to decode. */
  readonly errors: DecodeError[] = [];
  protected readonly decoder = new FrameDecoder();
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);

  constructor(protected port: PortLike) {
    port.on('data', this.onData);
  }

  /** Moves to another port (e.g. the new bridge side after a replug). */
  attach(port: PortLike): void {
    this.port.off('data', this.onData);
    this.port = port;
    port.on('data', this.onData);
  }

  /** Sends a message as a frame. */
  send(m: Message): void {
    this.port.write(encode(m));
  }

  /** Sends raw text or bytes (garbage, broken frames). */
  sendRaw(data: string | Uint8Array): void {
    this.port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data));
  }

  /** Frames of one type received so far. */
  of<T extends MessageType>(type: T): MessageOf<T>[] {
    return this.received.filter((m): m is MessageOf<T> => m.type === type);
  }

  /** Returns and forgets everything received so far. */
  take(): Message[] {
    return this.received.splice(0);
  }

  protected receive(chunk: Uint8Array): void {
    for (const r of this.decoder.push(chunk)) {
      if (r.ok) this.onMessage(r.value);
      else this.onError(r);
    }
  }

  protected onMessage(m: Message): void {
    this.received.push(m);
  }

  protected onError(e: DecodeError): void {
    this.errors.push(e);
  }
}

/** A stored vote and how often the bridge stored it (must end at 1). */
export interface StoredRecord {
  readonly seq: number;
  readonly button: number;
  readonly reason: number;
  readonly flags: string;
  stores: number;
}

/** Fault hooks of the IdealBridge: return true to lose that frame. */
export interface IdealBridgeFaults {
  /** Lose an incoming chunk (terminal → bridge) before decoding. */
  dropIn?: () => boolean;
  /** Lose an outgoing frame (bridge → terminal). */
  dropOut?: () => boolean;
  /** Flip a byte of an outgoing frame (the terminal must ignore it). */
  corruptOut?: () => boolean;
  /** Send an ACK a second time, after this many ms (a late duplicate); null = no duplicate. */
  duplicateAck?: () => number | null;
}

/** A bridge that follows the protocol's bridge rules; see the file comment. */
export class IdealBridge extends ScriptedBridge {
  /** Votes stored, per uid then seq. */
  readonly stored = new Map<string, Map<number, StoredRecord>>();
  /** High-water mark per uid (§7.1), durable across restart(). */
  readonly mark = new Map<string, number>();
  /** uid of the terminal that said HELLO since the port was (re)opened; null before. */
  uid: string | null = null;
  faults: IdealBridgeFaults = {};
  private pingTimer: ClockTimer | null = null;
  private nonce = 0;
  private lastAck: MessageOf<'ACK'> | null = null;

  constructor(
    port: PortLike,
    private readonly clock: Clock,
    private readonly config: Omit<MessageOf<'CONFIG'>, 'type'> = {
      buttons: 3,
      cooldownMs: 0,
      mode: 'OPEN',
      windowMs: 30000,
      leds: true,
      buzzer: true,
    },
  ) {
    super(port);
    this.armPing();
  }

  /** A bridge process restart: the session is forgotten, the database (stored, mark) is kept. */
  restart(): void {
    this.uid = null;
  }

  /** Stops the heartbeat. */
  dispose(): void {
    this.pingTimer?.cancel();
  }

  /** Re-sends the last ACK (a duplicate arriving late). */
  repeatLastAck(): void {
    if (this.lastAck) this.out(this.lastAck);
  }

  /** Sends an ACK for the `back`-th most recently stored seq of the current terminal (a stale duplicate). */
  staleAck(back: number): void {
    const seqs = [...(this.stored.get(this.uid ?? '')?.keys() ?? [])].sort((a, b) => b - a);
    const seq = seqs[back];
    if (seq !== undefined) this.out({ type: 'ACK', seq, status: 'DUP' });
  }

  /** Every stored record of every uid. */
  records(): StoredRecord[] {
    return [...this.stored.values()].flatMap((m) => [...m.values()]);
  }

  protected override receive(chunk: Uint8Array): void {
    if (this.faults.dropIn?.()) return;
    super.receive(chunk);
  }

  protected override onMessage(m: Message): void {
    super.onMessage(m);
    switch (m.type) {
      case 'HELLO':
        this.uid = m.uid;
        this.out({ type: 'WELCOME', proto: Math.min(m.proto, 1) });
        this.out({ type: 'CONFIG', ...this.config });
        return;
      case 'VOTE': {
        if (this.uid === null) {
          this.out({ type: 'NAK', seq: m.seq, reason: 'HELLO' });
          return;
        }
        const mark = this.mark.get(this.uid) ?? 0;
        let status = 'DUP';
        if (m.seq > mark) {
          // "Durable before ACK": stored and mark moved in one step, then ACK.
          let votes = this.stored.get(this.uid);
          if (votes === undefined) this.stored.set(this.uid, (votes = new Map()));
          const prev = votes.get(m.seq);
          if (prev) prev.stores++;
          else votes.set(m.seq, { seq: m.seq, button: m.button, reason: m.reason, flags: m.flags, stores: 1 });
          this.mark.set(this.uid, m.seq);
          status = 'OK';
        }
        const ack: MessageOf<'ACK'> = { type: 'ACK', seq: m.seq, status };
        this.lastAck = ack;
        this.out(ack);
        const delay = this.faults.duplicateAck?.() ?? null;
        if (delay !== null) this.clock.setTimer(() => this.out(ack), delay);
        return;
      }
      default:
        return;
    }
  }

  protected override onError(e: DecodeError): void {
    super.onError(e);
    // §9.2: NAK a VOTE or an unreadable frame; never an unknown type.
    const reason = NAK_REASON_BY_ERROR[e.code];
    if (reason === null || (e.type !== undefined && e.type !== 'VOTE')) return;
    this.out({ type: 'NAK', seq: e.seq ?? 0, reason });
  }

  private out(m: Message): void {
    if (this.faults.dropOut?.()) return;
    const text = encode(m);
    if (this.faults.corruptOut?.()) {
      const bytes = Buffer.from(text, 'latin1');
      const i = 1 + (this.nonce % (bytes.length - 3));
      bytes[i] = bytes[i]! ^ 0x01;
      this.sendRaw(bytes);
      return;
    }
    this.sendRaw(text);
  }

  private armPing(): void {
    this.pingTimer = this.clock.setTimer(() => {
      // §6.1: no PING on a port where no HELLO was received.
      if (this.uid !== null) this.out({ type: 'PING', nonce: ++this.nonce });
      this.armPing();
    }, 5000);
  }
}
