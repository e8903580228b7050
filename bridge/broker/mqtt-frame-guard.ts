/**
 * A byte-counting guard in front of Aedes. Aedes 1.x has no maximum packet
 * size (moscajs/aedes#831) and its parser, mqtt-packet 9, buffers a whole
 * packet whatever length its header announces (up to 256 MB): one client
 * that never signs in could fill the bridge's 128 MB heap. The guard reads
 * each packet's fixed header as the bytes go by (MQTT 3.1.1 §2.2: type byte,
 * then a remaining length of 1–4 bytes) and destroys the connection before
 * buffering anything over the limit:
 *
 * - the first packet must be CONNECT (§3.1: "the first packet sent from
 *   the Client to the Server MUST be a CONNECT") of at most `connectBytes`;
 * - until the broker says the client signed in (`authenticated()`), every
 *   packet is held to `connectBytes` too;
 * - after that, to `packetBytes`.
 *
 * It wraps the socket in a Duplex that Aedes reads in paused mode, exactly
 * as it reads a socket.
 */
import { Duplex } from 'node:stream';

/** Why a connection was cut. */
export type FrameRefusal = 'not-connect-first' | 'connect-too-large' | 'packet-too-large' | 'bad-length';

/** Limits of one guarded connection. */
export interface FrameLimits {
  /** Largest CONNECT, and largest packet before sign-in (remaining length, bytes). */
  readonly connectBytes: number;
  /** Largest packet after sign-in (remaining length, bytes). */
  readonly packetBytes: number;
}

const CONNECT = 1;

/** A Duplex over `inner` that forwards bytes while checking MQTT packet sizes. */
export class MqttFrameGuard extends Duplex {
  readonly #inner: Duplex;
  readonly #limits: FrameLimits;
  readonly #onRefused: (reason: FrameRefusal, announced: number) => void;
  #signedIn = false;
  #packets = 0;
  /** Bytes of the current packet's body still to pass; -1 while reading a header. */
  #bodyLeft = -1;
  /** Header parsing: 0 = expecting the type byte; then length bytes read so far. */
  #headerBytes = 0;
  #type = 0;
  #length = 0;
  #multiplier = 1;
  #refused = false;

  constructor(inner: Duplex, limits: FrameLimits, onRefused: (reason: FrameRefusal, announced: number) => void) {
    super({ allowHalfOpen: false });
    this.#inner = inner;
    this.#limits = limits;
    this.#onRefused = onRefused;
    inner.on('data', (chunk: Buffer) => {
      if (!this.#check(chunk)) return;
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (error) => this.destroy(error));
    inner.on('close', () => this.destroy());
    inner.pause();
  }

  /** The client signed in: from now on packets may be up to `packetBytes`. */
  authenticated(): void {
    this.#signedIn = true;
  }

  /** The wrapped socket (for its remote address). */
  get inner(): Duplex {
    return this.#inner;
  }

  override _read(): void {
    this.#inner.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.#inner.destroyed) {
      done();
      return;
    }
    this.#inner.write(chunk, encoding, done);
  }

  /**
   * What Aedes wrote in one tick (mqtt-packet corks the stream around each
   * packet's ~6 writes) goes on to the socket corked too, so the socket
   * sends it together: one writev on TCP, one WebSocket frame on `/mqtt`
   * (mqtt-websocket.ts `coalesceFrames`).
   */
  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], done: (error?: Error | null) => void): void {
    const inner = this.#inner;
    if (inner.destroyed) {
      done();
      return;
    }
    inner.cork();
    chunks.forEach(({ chunk, encoding }, i) => {
      if (i === chunks.length - 1) inner.write(chunk, encoding, done);
      else inner.write(chunk, encoding);
    });
    inner.uncork();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.#inner.end(done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#inner.destroy();
    done(error);
  }

  /** Walks the packet headers in `chunk`; false (and the connection destroyed) on a violation. */
  #check(chunk: Buffer): boolean {
    if (this.#refused) return false;
    let i = 0;
    while (i < chunk.length) {
      if (this.#bodyLeft > 0) {
        const step = Math.min(this.#bodyLeft, chunk.length - i);
        this.#bodyLeft -= step;
        i += step;
        if (this.#bodyLeft === 0) this.#bodyLeft = -1;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.#headerBytes === 0) {
        this.#type = byte >> 4;
        if (this.#packets === 0 && this.#type !== CONNECT) return this.#refuse('not-connect-first', 0);
        this.#headerBytes = 1;
        this.#length = 0;
        this.#multiplier = 1;
        continue;
      }
      this.#length += (byte & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      this.#headerBytes += 1;
      if (byte & 0x80) {
        // §2.2.3: at most four length bytes.
        if (this.#headerBytes > 4) return this.#refuse('bad-length', this.#length);
        continue;
      }
      const limit = this.#signedIn ? this.#limits.packetBytes : this.#limits.connectBytes;
      if (this.#length > limit) {
        return this.#refuse(this.#packets === 0 ? 'connect-too-large' : 'packet-too-large', this.#length);
      }
      this.#packets += 1;
      this.#headerBytes = 0;
      this.#bodyLeft = this.#length === 0 ? -1 : this.#length;
    }
    return true;
  }

  #refuse(reason: FrameRefusal, announced: number): false {
    this.#refused = true;
    this.#onRefused(reason, announced);
    this.destroy();
    return false;
  }
}
