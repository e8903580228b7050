/**
 * The firmware's C codec against the TypeScript reference codec: every
 * conformance vector (frames and streams) and a 100,000-line differential
 * fuzz must give the same accept/reject, the same §9.1 error code, field,
 * type and seq, and the same decoded fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ERROR_CODES } from '../../../firmware-protocol/src/constants.ts';
import { decode } from '../../../firmware-protocol/src/decode.ts';
import { encode } from '../../../firmware-protocol/src/encode.ts';
import { FrameDecoder } from '../../../firmware-protocol/src/frame-decoder.ts';
import { SCHEMAS } from '../../../firmware-protocol/src/message.ts';
import { Rng, bytes, chunkBytes, concat, loadVectors, messageArb, toHex, vectorBytes, type FrameVector } from '../helpers.ts';
import { CCodec, outcomeOf, type Outcome } from './c-codec.ts';
import { fuzzInputs } from '../mutate.ts';

const vectors = loadVectors();
/** Lines per differential fuzz run (the issue asks for at least 100,000). */
const FUZZ_LINES = 100_000;
const SEED = Number(process.env.FUZZ_SEED ?? 0x1e9a0f3c);

let c: CCodec;
beforeAll(() => {
  c = CCodec.start();
});
afterAll(async () => {
  await c.close();
});

/** What a frame vector expects, as an Outcome. */
function expected(v: FrameVector): Outcome {
  return v.ok ? { ok: true, value: { ...v.message } } : { ok: false, code: v.error, field: v.field, type: v.type, seq: v.seq };
}

/** An Outcome in the vectors' stream-result shape. */
function summarize(o: Outcome): unknown {
  if (o.ok) return 'seq' in o.value ? { ok: true, type: o.value.type, seq: o.value.seq } : { ok: true, type: o.value.type };
  return o.field === undefined ? { ok: false, error: o.code } : { ok: false, error: o.code, field: o.field };
}

describe('C codec: conformance vectors', () => {
  it('computes every CRC vector', async () => {
    for (const { input, crc } of vectors.crc) expect(await c.crc(bytes(input)), input).toBe(crc);
  });

  it('decodes every frame vector exactly as vectors.json and the TypeScript codec say', async () => {
    const results = await c.decodeMany(vectors.frames.map(vectorBytes));
    expect(results).toHaveLength(vectors.frames.length);
    vectors.frames.forEach((v, i) => {
      expect(results[i], v.name).toStrictEqual(expected(v));
      expect(results[i], v.name).toStrictEqual(outcomeOf(decode(vectorBytes(v))));
    });
    // every error code is exercised by the frames or the streams below
    const codes = new Set(results.flatMap((r) => (r.ok ? [] : [r.code])));
    expect(codes.size).toBeGreaterThanOrEqual(ERROR_CODES.length - 1);
  });

  it.each(vectors.streams.map((s) => [s.name, s] as const))('stream: %s', async (_name, s) => {
    // chunk by chunk, as the vector splits it
    await c.resetStream();
    const got: Outcome[] = [];
    for (const chunk of s.chunks) got.push(...(await c.stream(chunkBytes(chunk))));
    expect(got.map(summarize)).toEqual(s.results);
    // all at once gives the same
    await c.resetStream();
    expect((await c.stream(concat(s.chunks.map(chunkBytes)))).map(summarize)).toEqual(s.results);
  });
});

describe('C encoder', () => {
  it('produces the same frame as the TypeScript encoder for random messages of every type', async () => {
    const messages = fc.sample(messageArb, { numRuns: 2000, seed: SEED });
    for (const m of messages) {
      const record = m as unknown as Record<string, unknown>;
      // an unset optional trailing field is left off the wire, as encode() does
      const specs = SCHEMAS[m.type].filter((f) => !('optional' in f) || record[f.name] !== undefined);
      const fields = specs.map((f) => {
        const v = record[f.name];
        if (f.kind === 'nullable') return v === null ? f.max : (v as number);
        if (f.kind === 'bool') return v ? 1 : 0;
        if (f.kind === 'flags') return v === '' ? '-' : (v as string);
        return v as number | string;
      });
      expect(await c.encode(m.type, fields), JSON.stringify(m)).toBe(encode(m).slice(0, -2));
    }
  });
});

describe('C codec: differential fuzz against the TypeScript codec', () => {
  it(`agrees with decode() on ${FUZZ_LINES} random and mutated lines`, async () => {
    const inputs = fuzzInputs(FUZZ_LINES, SEED);
    const histogram: Record<string, number> = {};
    const BATCH = 10_000;
    for (let start = 0; start < inputs.length; start += BATCH) {
      const batch = inputs.slice(start, start + BATCH);
      const got = await c.decodeMany(batch);
      for (let i = 0; i < batch.length; i++) {
        const want = outcomeOf(decode(batch[i]!));
        if (JSON.stringify(got[i]) !== JSON.stringify(want)) {
          // toStrictEqual gives the readable diff; the hex reproduces the case
          expect(got[i], `input #${start + i} (seed ${SEED}) ${toHex(batch[i]!)}`).toStrictEqual(want);
        }
        const key = want.ok ? 'ok' : want.code;
        histogram[key] = (histogram[key] ?? 0) + 1;
      }
    }
    console.log(`C/TS differential fuzz: ${inputs.length} lines (seed ${SEED}), outcomes ${JSON.stringify(histogram)}`);
    // the generator must reach every frame and message check, not only the CRC
    for (const code of ERROR_CODES) if (code !== 'truncated') expect(histogram[code], code).toBeGreaterThan(0);
    expect(histogram.ok).toBeGreaterThan(1000);
  });

  it('agrees with FrameDecoder when the same lines arrive as one noisy byte stream', async () => {
    const rng = new Rng(SEED ^ 0x5a5a5a5a);
    const inputs = fuzzInputs(20_000, SEED + 1);
    const terminators = [new Uint8Array(0), bytes('\n'), bytes('\r\n'), bytes('\r')];
    const ts = new FrameDecoder({ raw: false });
    await c.resetStream();
    let results = 0;
    for (let start = 0; start < inputs.length; start += 500) {
      const chunk = concat(inputs.slice(start, start + 500).flatMap((i) => [i, terminators[rng.int(terminators.length)]!]));
      const want = ts.push(chunk).map(outcomeOf);
      const got = await c.stream(chunk);
      expect(got, `stream chunk at input #${start}: ${toHex(chunk).slice(0, 400)}`).toStrictEqual(want);
      results += want.length;
    }
    expect(results).toBeGreaterThan(10_000);
  });
});
