/**
 * Input generator for the C-vs-TypeScript differential fuzz: seeds from the
 * conformance vectors and from encoded random messages, then byte-level
 * mutations biased towards the grammar's structural bytes, half of them
 * with the CRC repaired so they get past the CRC check to the deeper ones.
 */
import fc from 'fast-check';
import { crc16, formatCrc } from '../../../firmware-protocol/src/crc16.ts';
import { encodeBytes } from '../../../firmware-protocol/src/encode.ts';
import { MAX_FRAME } from '../../../firmware-protocol/src/constants.ts';
import { Rng, bytes, chunkBytes, loadVectors, messageArb, vectorBytes } from '../helpers.ts';

/** Bytes that matter to the grammar. */
const STRUCTURAL = bytes('$,*\r\n-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZaz. +\x00\x7f\x80\xff');

/** Every vector line and stream chunk, plus encoded random messages of every type (without CRLF). */
export function seedCorpus(seed: number): Uint8Array[] {
  const v = loadVectors();
  const out = v.frames.map(vectorBytes);
  for (const s of v.streams) out.push(...s.chunks.map(chunkBytes));
  for (const m of fc.sample(messageArb, { numRuns: 400, seed })) out.push(encodeBytes(m).subarray(0, -2));
  return out;
}

/** Rewrites the 4 characters after the first `*` with the body's real CRC. */
export function fixCrc(data: Uint8Array): Uint8Array {
  const star = data.indexOf(0x2a);
  if (data[0] !== 0x24 || star < 0) return data;
  const out = new Uint8Array(star + 5);
  out.set(data.subarray(0, star + 1));
  out.set(bytes(formatCrc(crc16(data, 1, star))), star + 1);
  return out;
}

function splice(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** One mutation of `src` (or a splice with another seed). */
export function mutate(rng: Rng, src: Uint8Array, seeds: readonly Uint8Array[]): Uint8Array {
  const pick = (): number => STRUCTURAL[rng.int(STRUCTURAL.length)]!;
  switch (rng.int(8)) {
    case 0: {
      const out = src.slice();
      for (let n = 1 + rng.int(3); n > 0 && out.length > 0; n--) out[rng.int(out.length)]! ^= 1 << rng.int(8);
      return out;
    }
    case 1: {
      const at = rng.int(src.length + 1);
      return splice(src.subarray(0, at), Uint8Array.of(rng.int(2) === 0 ? pick() : rng.int(256)), src.subarray(at));
    }
    case 2: {
      const at = rng.int(src.length + 1);
      return splice(src.subarray(0, at), src.subarray(Math.min(src.length, at + 1 + rng.int(4))));
    }
    case 3: {
      const other = seeds[rng.int(seeds.length)]!;
      return splice(src.subarray(0, rng.int(src.length + 1)), other.subarray(rng.int(other.length + 1)));
    }
    case 4: {
      const out = src.slice();
      if (out.length > 0) out[rng.int(out.length)] = pick();
      return out;
    }
    case 5: {
      const at = rng.int(src.length + 1);
      const end = Math.min(src.length, at + 1 + rng.int(12));
      return splice(src.subarray(0, end), src.subarray(at));
    }
    case 6: {
      const out = new Uint8Array(rng.int(MAX_FRAME + 20));
      for (let i = 0; i < out.length; i++) out[i] = rng.int(256);
      return out;
    }
    default: {
      const out = new Uint8Array(rng.int(MAX_FRAME + 20));
      for (let i = 0; i < out.length; i++) out[i] = pick();
      if (out.length > 0 && rng.int(2) === 0) out[0] = 0x24;
      return out;
    }
  }
}

/** `count` fuzz inputs from a seeded generator. */
export function fuzzInputs(count: number, seed: number): Uint8Array[] {
  const rng = new Rng(seed);
  const seeds = seedCorpus(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    let input = mutate(rng, seeds[rng.int(seeds.length)]!, seeds);
    if (rng.int(4) === 0) input = mutate(rng, input, seeds);
    if (rng.int(2) === 0) input = fixCrc(input);
    out.push(input);
  }
  return out;
}
