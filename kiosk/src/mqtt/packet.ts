/**
 * MQTT 3.1.1 packet codec (OASIS mqtt-v3.1.1-os, §2–§3), pure: Uint8Array
 * in and out, no DOM, no Buffer. Only what a terminal needs: CONNECT,
 * CONNACK, PUBLISH, PUBACK, PUBREC/PUBREL/PUBCOMP (answered, never sent
 * first), SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT.
 *
 * Why not MQTT.js in the browser: its browser bundle is ~105 KB gzipped
 * (Buffer, streams and their polyfills), nearly the whole 120 KB kiosk
 * budget (issue #5). This codec is ~2 KB and is checked against
 * `mqtt-packet`, the parser MQTT.js itself uses (test/kiosk/mqtt-packet.test.ts).
 */

/** Control packet types (§2.2.1). */
export const PacketType = {
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  SUBSCRIBE: 8,
  SUBACK: 9,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
} as const;

/** Largest remaining length a 4-byte varint can carry (§2.2.3). */
export const MAX_REMAINING_LENGTH = 268_435_455;

/** Largest packet this client accepts; bigger ones are protocol errors (a retained tally is ≤ 1 MB). */
export const MAX_INCOMING_PACKET = 2 * 1024 * 1024;

/** A last-will message (§3.1.2.5). */
export interface Will {
  readonly topic: string;
  readonly payload: string;
  readonly qos: 0 | 1;
  readonly retain: boolean;
}

/** CONNECT fields (§3.1). */
export interface ConnectPacket {
  readonly clientId: string;
  readonly clean: boolean;
  /** Seconds; 0 disables keepalive. */
  readonly keepalive: number;
  readonly username?: string;
  readonly password?: string;
  readonly will?: Will;
}

/** A decoded packet from the broker (or, for tests, from a client). */
export type Packet =
  | { readonly type: 'connack'; readonly sessionPresent: boolean; readonly returnCode: number }
  | {
      readonly type: 'publish';
      readonly topic: string;
      readonly payload: Uint8Array;
      readonly qos: 0 | 1 | 2;
      readonly retain: boolean;
      readonly dup: boolean;
      readonly id?: number;
    }
  | { readonly type: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'; readonly id: number }
  | { readonly type: 'suback'; readonly id: number; readonly granted: readonly number[] }
  | { readonly type: 'pingresp' | 'pingreq' | 'disconnect' };

/** Decoding outcome: a packet, "need more bytes", or a protocol error that must close the connection. */
export type DecodeResult =
  | { readonly ok: true; readonly packet: Packet; readonly length: number }
  | { readonly ok: true; readonly packet: undefined; readonly length: 0 }
  | { readonly ok: false; readonly code: 'bad-length' | 'bad-packet' | 'too-large'; readonly message: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

function lengthBytes(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > MAX_REMAINING_LENGTH) throw new RangeError(`remaining length ${n} out of range`);
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

// A growable byte writer: avoids a dependency for a dozen lines.
class Writer {
  readonly parts: Uint8Array[] = [];
  size = 0;
  u8(n: number): this {
    return this.bytes(Uint8Array.of(n));
  }
  u16(n: number): this {
    return this.bytes(Uint8Array.of((n >> 8) & 0xff, n & 0xff));
  }
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }
  /** A length-prefixed string or byte field (§1.5.3). */
  field(value: string | Uint8Array, name: string): this {
    const b = typeof value === 'string' ? utf8(value) : value;
    if (b.length > 0xffff) throw new RangeError(`${name} is longer than 65535 bytes`);
    return this.u16(b.length).bytes(b);
  }
  packet(firstByte: number): Uint8Array {
    const len = lengthBytes(this.size);
    const out = new Uint8Array(1 + len.length + this.size);
    out[0] = firstByte;
    out.set(len, 1);
    let at = 1 + len.length;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function requirePacketId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > 0xffff) throw new RangeError(`packet id must be 1..65535, got ${id}`);
}

/** CONNECT (§3.1). Throws on programmer errors (bad keepalive, oversized fields). */
export function encodeConnect(p: ConnectPacket): Uint8Array {
  if (!Number.isInteger(p.keepalive) || p.keepalive < 0 || p.keepalive > 0xffff) {
    throw new RangeError('"keepalive" must be 0..65535 seconds');
  }
  let flags = p.clean ? 0x02 : 0;
  if (p.will) flags |= 0x04 | (p.will.qos << 3) | (p.will.retain ? 0x20 : 0);
  if (p.password !== undefined) flags |= 0x40;
  if (p.username !== undefined) flags |= 0x80;
  const w = new Writer().field('MQTT', 'protocol').u8(4).u8(flags).u16(p.keepalive).field(p.clientId, 'clientId');
  if (p.will) w.field(p.will.topic, 'will.topic').field(utf8(p.will.payload), 'will.payload');
  if (p.username !== undefined) w.field(p.username, 'username');
  if (p.password !== undefined) w.field(utf8(p.password), 'password');
  return w.packet(PacketType.CONNECT << 4);
}

/** PUBLISH (§3.3); `id` is required for QoS 1. */
export function encodePublish(p: {
  topic: string;
  payload: string | Uint8Array;
  qos: 0 | 1;
  retain: boolean;
  dup?: boolean;
  id?: number;
}): Uint8Array {
  const w = new Writer().field(p.topic, 'topic');
  if (p.qos > 0) {
    requirePacketId(p.id ?? 0);
    w.u16(p.id ?? 0);
  }
  w.bytes(typeof p.payload === 'string' ? utf8(p.payload) : p.payload);
  const first = (PacketType.PUBLISH << 4) | (p.dup === true ? 0x08 : 0) | (p.qos << 1) | (p.retain ? 1 : 0);
  return w.packet(first);
}

/** PUBACK, PUBREC, PUBREL or PUBCOMP (§3.4–§3.7); PUBREL has the reserved flags 0010. */
export function encodeAck(type: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp', id: number): Uint8Array {
  requirePacketId(id);
  const code = { puback: PacketType.PUBACK, pubrec: PacketType.PUBREC, pubrel: PacketType.PUBREL, pubcomp: PacketType.PUBCOMP }[type];
  return new Writer().u16(id).packet((code << 4) | (type === 'pubrel' ? 0x02 : 0));
}

/** SUBSCRIBE (§3.8), fixed header flags 0010. */
export function encodeSubscribe(id: number, filters: readonly { topic: string; qos: 0 | 1 }[]): Uint8Array {
  requirePacketId(id);
  if (filters.length === 0) throw new RangeError('SUBSCRIBE needs at least one filter');
  const w = new Writer().u16(id);
  for (const f of filters) w.field(f.topic, 'filter').u8(f.qos);
  return w.packet((PacketType.SUBSCRIBE << 4) | 0x02);
}

/** PINGREQ (§3.12). */
export function encodePingreq(): Uint8Array {
  return Uint8Array.of(PacketType.PINGREQ << 4, 0);
}

/** DISCONNECT (§3.14). */
export function encodeDisconnect(): Uint8Array {
  return Uint8Array.of(PacketType.DISCONNECT << 4, 0);
}

function bad(message: string): DecodeResult {
  return { ok: false, code: 'bad-packet', message };
}

function u16At(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

/**
 * Decodes the first complete packet in `buf`. Returns `packet: undefined`
 * when more bytes are needed, or a protocol error (`bad-length`,
 * `bad-packet`, `too-large`). Never throws.
 */
export function decodePacket(buf: Uint8Array, maxPacket: number = MAX_INCOMING_PACKET): DecodeResult {
  if (buf.length < 2) return { ok: true, packet: undefined, length: 0 };
  let remaining = 0;
  let multiplier = 1;
  let i = 1;
  for (;;) {
    if (i > 4) return { ok: false, code: 'bad-length', message: 'remaining length has more than 4 bytes' };
    if (i >= buf.length) return { ok: true, packet: undefined, length: 0 };
    const byte = buf[i] as number;
    remaining += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    i++;
    if ((byte & 0x80) === 0) break;
  }
  if (remaining + i > maxPacket) {
    return { ok: false, code: 'too-large', message: `packet of ${remaining + i} bytes exceeds ${maxPacket}` };
  }
  if (buf.length < i + remaining) return { ok: true, packet: undefined, length: 0 };
  const first = buf[0] as number;
  const type = first >> 4;
  const flags = first & 0x0f;
  const body = buf.subarray(i, i + remaining);
  const length = i + remaining;
  const done = (packet: Packet): DecodeResult => ({ ok: true, packet, length });
  switch (type) {
    case PacketType.CONNACK:
      if (remaining !== 2 || flags !== 0) return bad('CONNACK must be 2 bytes with flags 0');
      return done({ type: 'connack', sessionPresent: ((body[0] ?? 0) & 1) === 1, returnCode: body[1] ?? 0 });
    case PacketType.PUBLISH: {
      const qos = (flags >> 1) & 3;
      if (qos === 3) return bad('PUBLISH with QoS 3');
      if (remaining < 2) return bad('PUBLISH too short for its topic');
      const topicLen = u16At(body, 0);
      let at = 2 + topicLen;
      if (at > remaining) return bad('PUBLISH topic runs past the packet');
      let topic: string;
      try {
        topic = decoder.decode(body.subarray(2, at));
      } catch {
        return bad('PUBLISH topic is not UTF-8');
      }
      let id: number | undefined;
      if (qos > 0) {
        if (at + 2 > remaining) return bad('PUBLISH without its packet id');
        id = u16At(body, at);
        if (id === 0) return bad('PUBLISH with packet id 0');
        at += 2;
      }
      const publish: Packet = {
        type: 'publish',
        topic,
        // A copy: the caller's buffer is reused for the next packets.
        payload: body.slice(at),
        qos: qos as 0 | 1 | 2,
        retain: (flags & 1) === 1,
        dup: (flags & 8) === 8,
        ...(id === undefined ? {} : { id }),
      };
      return done(publish);
    }
    case PacketType.PUBACK:
    case PacketType.PUBREC:
    case PacketType.PUBREL:
    case PacketType.PUBCOMP: {
      if (remaining !== 2) return bad('acknowledgement must be 2 bytes');
      const names = { 4: 'puback', 5: 'pubrec', 6: 'pubrel', 7: 'pubcomp' } as const;
      return done({ type: names[type], id: u16At(body, 0) });
    }
    case PacketType.SUBACK: {
      if (remaining < 3) return bad('SUBACK too short');
      return done({ type: 'suback', id: u16At(body, 0), granted: [...body.subarray(2)] });
    }
    case PacketType.PINGRESP:
      return done({ type: 'pingresp' });
    case PacketType.PINGREQ:
      return done({ type: 'pingreq' });
    case PacketType.DISCONNECT:
      return done({ type: 'disconnect' });
    default:
      return bad(`unexpected packet type ${type}`);
  }
}

/**
 * Splits a byte stream into packets. MQTT over WebSocket may cut packets
 * across frames or pack several into one (§6), so bytes are buffered.
 */
export class PacketReader {
  #buf: Uint8Array = new Uint8Array(0);

  /** Appends bytes and returns every complete packet, or the first protocol error. */
  push(chunk: Uint8Array): { packets: Packet[]; error?: string } {
    const joined = new Uint8Array(this.#buf.length + chunk.length);
    joined.set(this.#buf);
    joined.set(chunk, this.#buf.length);
    let view = joined;
    const packets: Packet[] = [];
    for (;;) {
      const r = decodePacket(view);
      if (!r.ok) {
        this.#buf = new Uint8Array(0);
        return { packets, error: `${r.code}: ${r.message}` };
      }
      if (r.packet === undefined) break;
      packets.push(r.packet);
      view = view.subarray(r.length);
    }
    this.#buf = view.slice();
    return { packets };
  }

  /** Forgets buffered bytes (a new connection). */
  reset(): void {
    this.#buf = new Uint8Array(0);
  }
}

/** CONNACK return codes (§3.2.2.3), for messages staff can act on. */
export const CONNACK_REASONS: Readonly<Record<number, string>> = {
  1: 'unacceptable protocol version',
  2: 'client identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};
