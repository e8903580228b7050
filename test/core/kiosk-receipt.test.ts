import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addSeq,
  MAX_RECEIPT_RANGES,
  parseMessage,
  parseReceipt,
  publicationFor,
  rangesOf,
  receiptCovers,
  receiptTop,
} from '../../core/index.ts';
import type { KioskReceipt } from '../../core/index.ts';

const PLACE = { district: 'd', ward: 'w', counter: 'c', terminal: 't' };
const RECEIPT: KioskReceipt = {
  v: 1,
  ...PLACE,
  journaled: [
    [1, 5],
    [7, 7],
    [9, 12],
  ],
  at: 1_750_000_000_000,
};

describe('kiosk receipt payload', () => {
  it("round-trips through the topic map: retained, QoS 1, on the terminal's receipt topic", () => {
    const p = publicationFor('receipt', PLACE, RECEIPT);
    expect(p).toMatchObject({ topic: 'hailong/v1/d/w/c/t/receipt', qos: 1, retain: true });
    const m = parseMessage(p.topic, p.payload);
    expect(m).toEqual({ ok: true, value: { kind: 'receipt', params: PLACE, payload: RECEIPT } });
  });

  it('refuses a receipt naming another terminal than its topic', () => {
    const p = publicationFor('receipt', PLACE, { ...RECEIPT, terminal: 'other' });
    expect(parseMessage('hailong/v1/d/w/c/t/receipt', p.payload)).toMatchObject({ ok: false, code: 'topic-mismatch', field: 'terminal' });
  });

  it.each([
    [
      'overlapping ranges',
      [
        [1, 5],
        [5, 7],
      ],
      'bad-order',
    ],
    [
      'adjacent ranges (they would be one)',
      [
        [1, 5],
        [6, 7],
      ],
      'bad-order',
    ],
    [
      'descending ranges',
      [
        [7, 9],
        [1, 2],
      ],
      'bad-order',
    ],
    ['from above to', [[5, 1]], 'out-of-range'],
    ['seq 0', [[0, 1]], 'out-of-range'],
    ['a seq above 2^32 - 1', [[1, 2 ** 32]], 'out-of-range'],
    ['a fractional seq', [[1.5, 2]], 'out-of-range'],
    ['a triple', [[1, 2, 3]], 'too-large'],
    ['a single', [[1]], 'bad-type'],
    ['too many ranges', Array.from({ length: MAX_RECEIPT_RANGES + 1 }, (_, i) => [2 * i + 1, 2 * i + 1]), 'too-large'],
  ])('refuses %s with a typed error, never a throw', (_what, journaled, code) => {
    const r = parseReceipt(JSON.stringify({ ...RECEIPT, journaled }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect([code, 'bad-type', 'out-of-range', 'too-large']).toContain(r.code);
  });

  it('never throws on any input, and what it accepts is ascending, disjoint and within 1..2^32-1', () => {
    const near = fc
      .record({ journaled: fc.array(fc.tuple(fc.integer(), fc.integer()), { maxLength: 70 }), at: fc.nat() })
      .map((r) => ({ ...RECEIPT, ...r }));
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), near), (input) => {
        const r = parseReceipt(input);
        if (!r.ok) return;
        let last = 0;
        for (const [from, to] of r.value.journaled) {
          expect(from).toBeGreaterThanOrEqual(1);
          expect(to).toBeGreaterThanOrEqual(from);
          expect(to).toBeLessThanOrEqual(2 ** 32 - 1);
          if (last > 0) expect(from).toBeGreaterThan(last + 1);
          last = to;
        }
      }),
    );
  });
});

describe('receipt ranges', () => {
  it('addSeq keeps exactly the seqs added (any order, repeats), as ascending disjoint non-adjacent ranges', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 150 }), (seqs) => {
        let ranges: ReturnType<typeof addSeq> = [];
        for (const s of seqs) ranges = addSeq(ranges, s, Number.MAX_SAFE_INTEGER);
        const set = new Set(seqs);
        for (let s = 1; s <= 201; s++) expect(receiptCovers(ranges, s), `seq ${s}`).toBe(set.has(s));
        for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThan(ranges[i - 1]![1] + 1);
        expect(receiptTop(ranges)).toBe(seqs.length === 0 ? 0 : Math.max(...seqs));
        // And parseReceipt accepts what the bridge builds.
        expect(parseReceipt({ ...RECEIPT, journaled: rangesOf([...set].sort((a, b) => a - b)) }).ok).toBe(true);
      }),
    );
  });

  it('keeps the newest ranges only: a gap below them is not covered (its vote is sent again), never covered by mistake', () => {
    const odd = Array.from({ length: 100 }, (_, i) => 2 * i + 1); // 100 gaps
    const ranges = rangesOf(odd);
    expect(ranges).toHaveLength(MAX_RECEIPT_RANGES);
    expect(receiptCovers(ranges, 199)).toBe(true);
    expect(receiptCovers(ranges, 1)).toBe(false);
    expect(receiptCovers(ranges, 198)).toBe(false);
  });
});
