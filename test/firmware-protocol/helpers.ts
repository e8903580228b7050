/**
 * Shared helpers for the protocol codec tests: byte conversion, the
 * conformance vectors, message arbitraries written from the spec (not from
 * the codec's schema table, so they can catch table mistakes), and a seeded
 * PRNG for the fuzzer.
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { crc16Ascii, formatCrc } from '../../firmware-protocol/src/crc16.ts';
import type { DecodeResult } from '../../firmware-protocol/src/error.ts';
import type { FrameDecoder } from '../../firmware-protocol/src/frame-decoder.ts';
import type { Message } from '../../firmware-protocol/src/message.ts';

/** Latin1 bytes of a string (one byte per char; the tests only pass chars < 0x100). */
export function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Latin1 string of bytes. */
export function latin1(data: Uint8Array): string {
  let s = '';
  for (const b of data) s += String.fromCharCode(b);
  return s;
}

/** Bytes from a hex string. */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Hex of bytes, for failure messages. */
export function toHex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A frame for `body` with its correct CRC, without terminator: `$body*XXXX`. */
export function frame(body: string): string {
  return `$${body}*${formatCrc(crc16Ascii(body))}`;
}

/** One frame vector of vectors.json. */
export type FrameVector = { name: string; line?: string; hex?: string } & (
  | { ok: true; message: Message }
  | { ok: false; error: string; field?: string; type?: string; seq?: number }
);

/** A stream result as vectors.json spells it. */
export type StreamResult = { ok: true; type: string; seq?: number } | { ok: false; error: string; field?: string };

/** One stream vector of vectors.json. */
export interface StreamVector {
  name: string;
  chunks: (string | { hex: string })[];
  results: StreamResult[];
}

/** One step of a `windows.sender` vector (PROTOCOL.md §11.1). */
export type SenderStep =
  | { do: 'welcome'; line: string; send: number[] }
  | { do: 'rx'; line: string; send: number[]; done?: number[] }
  | { do: 'timeout'; ms: number; send: number[] }
  | { do: 'press'; send: number[] }
  | { do: 'hello'; send: number[] };

/** One `windows.sender` vector: a terminal's send-window decisions (§7.7). */
export interface SenderVector {
  name: string;
  inFlight: number;
  pending: number[];
  nextSeq?: number;
  steps: SenderStep[];
}

/** One `windows.receiver` vector: a bridge's in-order decisions (§7.7). */
export interface ReceiverVector {
  name: string;
  inFlight: number;
  mark: number;
  steps: ({ do: 'welcome' } | { seq: number; answer: 'OK' | 'DUP' | 'REJECT' | 'DROP' | 'HELLO' })[];
}

/** The parsed vectors.json. */
export interface Vectors {
  version: number;
  maxFrame: number;
  errorCodes: string[];
  crc: { input: string; crc: string }[];
  frames: FrameVector[];
  streams: StreamVector[];
  windows: { sender: SenderVector[]; receiver: ReceiverVector[] };
}

/** Reads firmware-protocol/vectors.json. */
export function loadVectors(): Vectors {
  return JSON.parse(readFileSync(new URL('../../firmware-protocol/vectors.json', import.meta.url), 'utf8')) as Vectors;
}

/** The bytes of a frame vector's line. */
export function vectorBytes(v: { line?: string; hex?: string }): Uint8Array {
  if (v.hex !== undefined) return fromHex(v.hex);
  if (v.line === undefined) throw new Error('vector has neither line nor hex');
  return bytes(v.line);
}

/** The bytes of a stream chunk. */
export function chunkBytes(c: string | { hex: string }): Uint8Array {
  return typeof c === 'string' ? bytes(c) : fromHex(c.hex);
}

/** A decode result in the vectors' stream shape. */
export function summarize(r: DecodeResult): StreamResult {
  if (r.ok) return 'seq' in r.value ? { ok: true, type: r.value.type, seq: r.value.seq } : { ok: true, type: r.value.type };
  return r.field === undefined ? { ok: false, error: r.code } : { ok: false, error: r.code, field: r.field };
}

/** Pushes `data` split at the given sizes (cycled; 0 means 1), collecting every result. */
export function feed(decoder: FrameDecoder, data: Uint8Array, sizes: readonly number[]): DecodeResult[] {
  const out: DecodeResult[] = [];
  let k = 0;
  for (let i = 0; i < data.length; ) {
    const n = Math.max(1, sizes.length === 0 ? data.length : sizes[k++ % sizes.length]!);
    out.push(...decoder.push(data.subarray(i, i + n)));
    i += n;
  }
  return out;
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---- arbitraries, written from PROTOCOL.md

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const IDENT = UPPER + UPPER.toLowerCase() + DIGITS + '._-';

/** A string whose first char is from `first`, the rest from `rest`, total length 1..max. */
function tokenArb(first: string, rest: string, max: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...first), fc.array(fc.constantFrom(...rest), { maxLength: max - 1 }))
    .map(([a, tail]) => a + tail.join(''));
}

const U32 = 4294967295;
const u32 = fc.integer({ min: 0, max: U32 });
const seqArb = fc.integer({ min: 1, max: U32 });
const codeArb = tokenArb(UPPER, UPPER + DIGITS, 8);

/** Valid messages of one type each (before making them plain objects, see below). */
const recordArbs: Record<Message['type'], fc.Arbitrary<Message>> = {
  // inFlight is optional (§5.1, revision 1.1): both forms, so 1.0 HELLOs stay covered
  HELLO: fc.record(
    {
      type: fc.constant('HELLO' as const),
      proto: fc.integer({ min: 1, max: 255 }),
      uid: tokenArb(IDENT, IDENT, 32),
      model: tokenArb(IDENT, IDENT, 16),
      firmware: tokenArb(IDENT + '+', IDENT + '+', 16),
      buttons: fc.integer({ min: 2, max: 9 }),
      pending: fc.integer({ min: 0, max: 65535 }),
      inFlight: fc.integer({ min: 1, max: 64 }),
    },
    { requiredKeys: ['type', 'proto', 'uid', 'model', 'firmware', 'buttons', 'pending'] },
  ),
  // mark and inFlight are optional (§5.2) and positional: no field, mark, or mark + inFlight
  WELCOME: fc.oneof(
    fc.record({ type: fc.constant('WELCOME' as const), proto: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ type: fc.constant('WELCOME' as const), proto: fc.integer({ min: 1, max: 255 }), mark: u32 }),
    fc.record({
      type: fc.constant('WELCOME' as const),
      proto: fc.integer({ min: 1, max: 255 }),
      mark: u32,
      inFlight: fc.integer({ min: 1, max: 64 }),
    }),
  ),
  VOTE: fc.record({
    type: fc.constant('VOTE' as const),
    seq: seqArb,
    button: fc.integer({ min: 1, max: 9 }),
    reason: fc.integer({ min: 0, max: 99 }),
    ageMs: fc.option(fc.integer({ min: 0, max: U32 - 1 }), { nil: null }),
    flags: fc.oneof(fc.constant(''), tokenArb(UPPER, UPPER, 8)),
  }),
  ACK: fc.record({ type: fc.constant('ACK' as const), seq: seqArb, status: codeArb }),
  NAK: fc.record({ type: fc.constant('NAK' as const), seq: u32, reason: codeArb }),
  PING: fc.record({ type: fc.constant('PING' as const), nonce: u32 }),
  PONG: fc.record({ type: fc.constant('PONG' as const), nonce: u32 }),
  CONFIG: fc.record({
    type: fc.constant('CONFIG' as const),
    buttons: fc.integer({ min: 2, max: 9 }),
    cooldownMs: fc.integer({ min: 0, max: 600000 }),
    mode: fc.constantFrom('OPEN' as const, 'GATED' as const),
    windowMs: fc.integer({ min: 1000, max: 600000 }),
    leds: fc.boolean(),
    buzzer: fc.boolean(),
  }),
  OPEN: fc.record({ type: fc.constant('OPEN' as const), windowMs: fc.integer({ min: 0, max: 600000 }) }),
  EVENT: fc.record({ type: fc.constant('EVENT' as const), code: codeArb, value: tokenArb(IDENT, IDENT, 16) }),
};

/**
 * Valid messages of one type each. fc.record builds null-prototype objects;
 * spreading gives ordinary ones, like the decoder's, so toStrictEqual compares values.
 */
export const messageArbs = Object.fromEntries(
  Object.entries(recordArbs).map(([type, arb]) => [type, arb.map((m) => ({ ...m }))]),
) as Record<Message['type'], fc.Arbitrary<Message>>;

/** A valid message of any type. */
export const messageArb: fc.Arbitrary<Message> = fc.oneof(...Object.values(messageArbs));

/** Small, fast, seedable PRNG (xorshift32) for the fuzzer: reproducible runs without fast-check overhead. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** Next 32-bit unsigned value. */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return this.next() % n;
  }
}
