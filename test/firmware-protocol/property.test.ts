import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ERROR_CODES, MAX_FRAME } from '../../firmware-protocol/src/constants.ts';
import { decode } from '../../firmware-protocol/src/decode.ts';
import { encode, encodeBytes } from '../../firmware-protocol/src/encode.ts';
import type { DecodeResult } from '../../firmware-protocol/src/error.ts';
import { FrameDecoder } from '../../firmware-protocol/src/frame-decoder.ts';
import { bytes, concat, feed, messageArb, messageArbs } from './helpers.ts';

const KNOWN = new Set<string>(ERROR_CODES);

/** Asserts the result is well-formed: an ok message or an error with a known code and a message. */
function wellFormed(r: DecodeResult): void {
  if (r.ok) {
    expect(typeof r.value.type).toBe('string');
  } else {
    expect(KNOWN.has(r.code), r.code).toBe(true);
    expect(typeof r.message).toBe('string');
  }
  if (r.raw !== undefined) expect(r.raw.length).toBeLessThanOrEqual(MAX_FRAME);
}

describe('properties', () => {
  it.each(Object.keys(messageArbs))('decode(encode(m)) equals m for every valid %s', (type) => {
    fc.assert(
      fc.property(messageArbs[type as keyof typeof messageArbs], (m) => {
        const line = encode(m);
        expect(line.endsWith('\r\n')).toBe(true);
        expect(line.length - 2).toBeLessThanOrEqual(MAX_FRAME);
        expect(decode(line.slice(0, -2))).toStrictEqual({ ok: true, value: m });
      }),
      { numRuns: 300 },
    );
  });

  it('detects every single-byte corruption of a valid frame', () => {
    fc.assert(
      fc.property(messageArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (m, at, delta) => {
        const data = encodeBytes(m).subarray(0, -2);
        const i = at % data.length;
        data[i] = (data[i]! + delta) & 0xff;
        expect(decode(data).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary bytes or strings and always returns a known code', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 160 }), (data) => {
        wellFormed(decode(data));
        // a leading `$` makes the later checks reachable
        wellFormed(decode(concat([bytes('$'), data])));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 160, unit: 'binary' }), (s) => wellFormed(decode(s))),
      { numRuns: 1000 },
    );
  });

  it('FrameDecoder yields exactly the encoded messages, whatever the chunking and terminator', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(messageArb, fc.boolean(), fc.nat(2)), { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
        (items, sizes) => {
          // frames with CRLF or a bare LF, some followed by blank lines
          const stream = items
            .map(([m, bareLf, blanks]) => {
              const line = encode(m);
              return (bareLf ? line.slice(0, -2) + '\n' : line) + '\r\n'.repeat(blanks);
            })
            .join('');
          const d = new FrameDecoder();
          const results = feed(d, bytes(stream), sizes);
          expect(results).toStrictEqual(items.map(([m]) => ({ ok: true, value: m, raw: encode(m).slice(0, -2) })));
          expect(d.stats.framesOk).toBe(items.length);
          expect(d.stats.bytesDropped).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('FrameDecoder still finds every frame after arbitrary noise, chunked arbitrarily', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 30 }), messageArb)),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        (items, sizes) => {
          // noise ends with a LF so it cannot merge into the frame that follows
          const parts = items.flatMap(([noise, m]) => [noise, bytes('\n'), encodeBytes(m)]);
          const results = feed(new FrameDecoder(), concat(parts), sizes);
          results.forEach(wellFormed);
          expect(results.filter((r) => r.ok).map((r) => r.ok && r.value)).toStrictEqual(items.map(([, m]) => m));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('FrameDecoder memory stays bounded for arbitrary streams without LF', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.uint8Array({ minLength: 1, maxLength: 400 }).map((c) => c.map((b) => (b === 0x0a ? 0x41 : b))),
          {
            maxLength: 20,
          },
        ),
        (chunks) => {
          const d = new FrameDecoder();
          for (const c of chunks) {
            d.push(c).forEach(wellFormed);
            expect(d.buffered).toBeLessThanOrEqual(MAX_FRAME);
          }
          const total = chunks.reduce((n, c) => n + c.length, 0);
          expect(d.stats.bytesIn).toBe(total);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('FrameDecoder results are independent of chunking for arbitrary bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.integer({ min: 1, max: 32 }), { minLength: 1, maxLength: 8 }),
        (data, sizes) => {
          const whole = new FrameDecoder().push(data);
          expect(feed(new FrameDecoder(), data, sizes)).toStrictEqual(whole);
          // raw is one char per received byte
          for (const r of whole) expect(r.raw).toMatch(/^[\x00-\xff]{0,120}$/);
        },
      ),
      { numRuns: 500 },
    );
  });
});
