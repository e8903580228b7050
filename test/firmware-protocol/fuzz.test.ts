import { describe, expect, it } from 'vitest';
import { ERROR_CODES, MAX_FRAME } from '../../firmware-protocol/src/constants.ts';
import { decode } from '../../firmware-protocol/src/decode.ts';
import { encode } from '../../firmware-protocol/src/encode.ts';
import type { DecodeResult } from '../../firmware-protocol/src/error.ts';
import { FrameDecoder } from '../../firmware-protocol/src/frame-decoder.ts';
import { Rng, bytes, latin1, toHex } from './helpers.ts';
import { nextInput, seedCorpus } from './mutate.ts';

/** Inputs per run: the CI log must show this many. */
const INPUTS = 1_000_000;
/** Fixed seed for reproducible CI runs; set FUZZ_SEED to explore others. */
const SEED = Number(process.env.FUZZ_SEED ?? 0x48a110e6);

const KNOWN = new Set<string>(ERROR_CODES);
/** Throws (failing the test) unless the result is well-formed. */
function check(r: DecodeResult, input: Uint8Array): string {
  if (r.ok) {
    // whatever decoded must re-encode to a frame that decodes to the same message
    const again = decode(encode(r.value).slice(0, -2));
    if (!again.ok || JSON.stringify(again.value) !== JSON.stringify(r.value)) {
      throw new Error(`round trip changed ${toHex(input)}`);
    }
    return 'ok';
  }
  if (!KNOWN.has(r.code)) throw new Error(`unknown code ${r.code} for ${toHex(input)}`);
  if (r.raw !== undefined && r.raw.length > MAX_FRAME) throw new Error(`raw too long for ${toHex(input)}`);
  return r.code;
}

describe('fuzz', () => {
  it(`feeds ${INPUTS} mutated and random inputs to decode and FrameDecoder without an exception`, () => {
    const started = performance.now();
    const rng = new Rng(SEED);
    const seeds = seedCorpus(42);
    const decodeHistogram: Record<string, number> = {};
    const streamHistogram: Record<string, number> = {};
    const stream = new FrameDecoder();
    const terminators = [new Uint8Array(0), bytes('\n'), bytes('\r\n')];
    let count = 0;

    for (; count < INPUTS; count++) {
      const input = nextInput(rng, seeds);
      try {
        const code = check(decode(input), input);
        decodeHistogram[code] = (decodeHistogram[code] ?? 0) + 1;
        // the string form must agree with the byte form
        if ((count & 15) === 0) {
          const viaString = decode(latin1(input));
          expect(viaString.ok ? 'ok' : viaString.code).toBe(code);
        }
        // the same input through the long-lived stream decoder, split in two, with a random terminator
        const cut = rng.int(input.length + 1);
        const results = [
          ...stream.push(input.subarray(0, cut)),
          ...stream.push(input.subarray(cut)),
          ...stream.push(terminators[rng.int(3)]!),
        ];
        for (const r of results) {
          const c = check(r, input);
          streamHistogram[c] = (streamHistogram[c] ?? 0) + 1;
        }
        if (stream.buffered > MAX_FRAME) throw new Error('stream buffer over MAX_FRAME');
      } catch (e) {
        throw new Error(`input #${count} (seed ${SEED}) ${toHex(input)}: ${(e as Error).message}`);
      }
    }

    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`fuzz: ${count} inputs in ${seconds} s (seed ${SEED}), 0 exceptions`);
    console.log('fuzz decode() results by code:', JSON.stringify(decodeHistogram));
    console.log('fuzz FrameDecoder results by code:', JSON.stringify(streamHistogram));

    expect(count).toBe(INPUTS);
    // the fuzzer must reach every check, not just the CRC
    const reached = new Set([...Object.keys(decodeHistogram), ...Object.keys(streamHistogram)]);
    expect([...reached].sort()).toEqual([...ERROR_CODES, 'ok'].sort());
    expect(Object.values(decodeHistogram).reduce((a, b) => a + b)).toBe(INPUTS);
  }, 180_000);
});
