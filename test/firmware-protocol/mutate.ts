/**
 * The protocol fuzzers' input generator, shared by the TypeScript fuzz run
 * (fuzz.test.ts) and the C-vs-TypeScript differential (avr/c-codec.test.ts):
 * seeds from the conformance vectors and encoded random messages, then
 * byte-level mutations biased towards the grammar's structural bytes, half
 * of them with the CRC repaired so they get past it to the deeper checks.
 */
import fc from 'fast-check';
import { MAX_FRAME } from '../../firmware-protocol/src/constants.ts';
import { crc16, formatCrc } from '../../firmware-protocol/src/crc16.ts';
import { encodeBytes } from '../../firmware-protocol/src/encode.ts';
import { Rng, bytes, chunkBytes, concat, loadVectors, messageArb, vectorBytes } from './helpers.ts';

/** Bytes that matter to the grammar: mutating towards them reaches deeper checks than uniform noise. */
const STRUCTURAL = bytes('$,*\r\n-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZaz. +\x00\x7f\x80\xff');

/** The seed corpus: every vector line and stream chunk, plus encoded random messages of every type (without CRLF). */
export function seedCorpus(seed: number): Uint8Array[] {
  const v = loadVectors();
  const out = v.frames.map(vectorBytes);
  for (const s of v.streams) out.push(...s.chunks.map(chunkBytes));
  for (const m of fc.sample(messageArb, { numRuns: 400, seed })) out.push(encodeBytes(m).subarray(0, -2));
  return out;
}

/** Rewrites the 4 characters after the first `*` with the body's real CRC, so mutants get past the CRC check. */
export function fixCrc(data: Uint8Array): Uint8Array {
  const star = data.indexOf(0x2a);
  if (data[0] !== 0x24 || star < 0) return data;
  const out = new Uint8Array(star + 5);
  out.set(data.subarray(0, star + 1));
  out.set(bytes(formatCrc(crc16(data, 1, star))), star + 1);
  return out;
}

/** One mutation of `src` (or of a splice partner from the corpus). */
export function mutate(rng: Rng, src: Uint8Array, seeds: readonly Uint8Array[]): Uint8Array {
  const pick = () => STRUCTURAL[rng.int(STRUCTURAL.length)]!;
  switch (rng.int(9)) {
    case 0: {
      const out = src.slice();
      for (let n = 1 + rng.int(3); n > 0 && out.length > 0; n--) out[rng.int(out.length)]! ^= 1 << rng.int(8);
      return out;
    }
    case 1: {
      const at = rng.int(src.length + 1);
      const b = rng.int(2) === 0 ? pick() : rng.int(256);
      return concat([src.subarray(0, at), Uint8Array.of(b), src.subarray(at)]);
    }
    case 2: {
      if (src.length === 0) return src;
      const at = rng.int(src.length);
      const n = 1 + rng.int(Math.min(4, src.length - at));
      return concat([src.subarray(0, at), src.subarray(at + n)]);
    }
    case 3: {
      const other = seeds[rng.int(seeds.length)]!;
      return concat([src.subarray(0, rng.int(src.length + 1)), other.subarray(rng.int(other.length + 1))]);
    }
    case 4:
      return src.subarray(0, rng.int(src.length + 1));
    case 5: {
      const out = src.slice();
      if (out.length > 0) out[rng.int(out.length)] = pick();
      return out;
    }
    case 6: {
      const at = rng.int(src.length + 1);
      const end = Math.min(src.length, at + 1 + rng.int(12));
      return concat([src.subarray(0, end), src.subarray(at)]);
    }
    case 7: {
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

/** One fuzz input: a mutated seed, sometimes mutated twice, half of the time with its CRC repaired. */
export function nextInput(rng: Rng, seeds: readonly Uint8Array[]): Uint8Array {
  let input = mutate(rng, seeds[rng.int(seeds.length)]!, seeds);
  if (rng.int(4) === 0) input = mutate(rng, input, seeds); // stacked mutations
  if (rng.int(2) === 0) input = fixCrc(input);
  return input;
}

/** `count` fuzz inputs from a seeded generator. */
export function fuzzInputs(count: number, seed: number): Uint8Array[] {
  const rng = new Rng(seed);
  const seeds = seedCorpus(seed);
  return Array.from({ length: count }, () => nextInput(rng, seeds));
}
