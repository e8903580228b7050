import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ERROR_CODES, MAX_FRAME } from '../../firmware-protocol/src/constants.ts';
import { crc16Ascii, formatCrc } from '../../firmware-protocol/src/crc16.ts';
import { decode } from '../../firmware-protocol/src/decode.ts';
import { encode } from '../../firmware-protocol/src/encode.ts';
import type { DecodeResult } from '../../firmware-protocol/src/error.ts';
import { FrameDecoder } from '../../firmware-protocol/src/frame-decoder.ts';
import { MESSAGE_TYPES, SCHEMAS } from '../../firmware-protocol/src/message.ts';
import { bytes, chunkBytes, concat, feed, latin1, loadVectors, summarize, vectorBytes, type FrameVector } from './helpers.ts';

const vectors = loadVectors();

/** What a vector expects, in the shape decode results are compared in. */
function expected(v: FrameVector): unknown {
  return v.ok ? { ok: true, value: v.message } : { ok: false, code: v.error, field: v.field, type: v.type, seq: v.seq };
}

/** A result reduced to what vectors pin down (message text is free-form). */
function actual(r: DecodeResult): unknown {
  return r.ok ? { ok: true, value: r.value } : { ok: false, code: r.code, field: r.field, type: r.type, seq: r.seq };
}

describe('vectors.json', () => {
  it('is version 1 and agrees with the codec constants', () => {
    expect(vectors.version).toBe(1);
    expect(vectors.maxFrame).toBe(MAX_FRAME);
    expect(vectors.errorCodes).toEqual([...ERROR_CODES]);
  });

  it('covers every message type, every error code, and enough cases', () => {
    expect(vectors.frames.length).toBeGreaterThanOrEqual(40);
    expect(vectors.streams.length).toBeGreaterThanOrEqual(8);
    const types = new Set(vectors.frames.flatMap((v) => (v.ok ? [v.message.type] : [])));
    expect([...types].sort()).toEqual([...MESSAGE_TYPES].sort());
    const codes = new Set(vectors.frames.flatMap((v) => (v.ok ? [] : [v.error])));
    for (const s of vectors.streams) for (const r of s.results) if (!r.ok) codes.add(r.error);
    expect([...codes].sort()).toEqual([...ERROR_CODES].sort());
    // required flavours of some codes
    const names = vectors.frames.map((v) => v.name).join('\n');
    expect(vectors.frames.some((v) => v.hex !== undefined && !v.ok && v.error === 'bad-char')).toBe(true);
    for (const n of ['control byte', 'stray $', 'lowercase hex', 'leading zero', 'plus sign', '11 digits', '4294967296']) {
      expect(names).toContain(n);
    }
  });

  it('keeps lines ASCII (bytes >= 0x80 only in hex vectors)', () => {
    for (const v of vectors.frames) if (v.line !== undefined) expect(/^[\x00-\x7f]*$/.test(v.line), v.name).toBe(true);
    for (const s of vectors.streams) for (const c of s.chunks) if (typeof c === 'string') expect(/^[\x00-\x7f]*$/.test(c)).toBe(true);
  });

  it.each(vectors.crc)('CRC of "$input" is $crc', ({ input, crc }) => {
    expect(formatCrc(crc16Ascii(input))).toBe(crc);
  });

  it.each(vectors.frames.map((v) => [v.name, v] as const))('frame: %s', (_name, v) => {
    const data = vectorBytes(v);
    expect(actual(decode(data))).toStrictEqual(expected(v));
    // the string form decodes the same
    expect(actual(decode(latin1(data)))).toStrictEqual(expected(v));
  });

  it('re-encodes every valid vector without extra fields to exactly its line', () => {
    let checked = 0;
    for (const v of vectors.frames) {
      if (!v.ok || v.line === undefined) continue;
      const fields = v.line.slice(1, v.line.indexOf('*')).split(',').length - 1;
      if (fields !== SCHEMAS[v.message.type].length) continue;
      expect(encode(v.message), v.name).toBe(v.line + '\r\n');
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(25);
  });

  it('gives the same result for single-frame vectors sent through the FrameDecoder with CRLF', () => {
    let checked = 0;
    for (const v of vectors.frames) {
      const data = vectorBytes(v);
      // only lines the stream sees as one frame: starting with `$`, no other `$`, no LF
      if (data[0] !== 0x24 || data.indexOf(0x24, 1) >= 0 || data.includes(0x0a)) continue;
      const results = new FrameDecoder().push(concat([data, bytes('\r\n')]));
      expect(results.map(actual), v.name).toStrictEqual([expected(v)]);
      expect(results[0]!.raw).toBe(latin1(data.subarray(0, MAX_FRAME)));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(100);
  });

  describe.each(vectors.streams.map((s) => [s.name, s] as const))('stream: %s', (_name, s) => {
    const chunks = s.chunks.map(chunkBytes);
    const all = concat(chunks);

    it('in the given chunks', () => {
      const d = new FrameDecoder();
      expect(chunks.flatMap((c) => d.push(c)).map(summarize)).toEqual(s.results);
    });

    it('byte by byte', () => {
      expect(feed(new FrameDecoder(), all, [1]).map(summarize)).toEqual(s.results);
    });

    it('in random chunkings', () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (sizes) => {
          expect(feed(new FrameDecoder(), all, sizes).map(summarize)).toEqual(s.results);
        }),
        { numRuns: 50 },
      );
    });
  });
});
