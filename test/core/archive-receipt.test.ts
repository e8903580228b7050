import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  archivedState,
  MAX_RECEIPT_RANGES,
  parseArchiveReceipt,
  parseMessage,
  parseTopic,
  publicationFor,
  subscriptionFor,
  topicMatches,
} from '../../core/index.ts';
import type { ArchiveReceipt } from '../../core/index.ts';

const PLACE = { district: 'gia-lai', ward: 'ia-grai', terminal: 't1' };
const RECEIPT: ArchiveReceipt = {
  v: 1,
  ...PLACE,
  archived: [
    [1, 40],
    [42, 50],
  ],
  complete: true,
  at: 1_750_000_000_000,
};

describe('archive receipt payload', () => {
  it('round-trips through the topic map: retained, QoS 1, beside the units, not inside a unit', () => {
    const p = publicationFor('archived', PLACE, RECEIPT);
    expect(p).toMatchObject({ topic: 'hailong/v1/gia-lai/_archived/ia-grai/t1', qos: 1, retain: true });
    expect(parseMessage(p.topic, p.payload)).toEqual({ ok: true, value: { kind: 'archived', params: PLACE, payload: RECEIPT } });
    // A unit writes hailong/v1/{parent}/{unit}/#: its receipts are not under it.
    expect(topicMatches('hailong/v1/gia-lai/ia-grai/#', p.topic)).toBe(false);
    expect(topicMatches(subscriptionFor('archived', { district: 'gia-lai', ward: 'ia-grai' }), p.topic)).toBe(true);
    expect(topicMatches(subscriptionFor('archived', { district: 'gia-lai', ward: 'other' }), p.topic)).toBe(false);
  });

  it('refuses a receipt naming another unit or terminal than its topic', () => {
    const topic = 'hailong/v1/gia-lai/_archived/ia-grai/t1';
    expect(parseMessage(topic, JSON.stringify({ ...RECEIPT, ward: 'x' }))).toMatchObject({
      ok: false,
      code: 'topic-mismatch',
      field: 'ward',
    });
    expect(parseMessage(topic, JSON.stringify({ ...RECEIPT, terminal: 't2' }))).toMatchObject({
      ok: false,
      code: 'topic-mismatch',
      field: 'terminal',
    });
  });

  it.each([
    ['a level too many', 'hailong/v1/d/_archived/w/t/x', 'bad-topic'],
    ['a level too few', 'hailong/v1/d/_archived/w', 'bad-topic'],
    ['a bad unit id', 'hailong/v1/d/_archived/_w/t', 'bad-id'],
    ['a bad terminal id', 'hailong/v1/d/_archived/w/T T', 'bad-id'],
  ])('refuses a topic with %s', (_what, topic, code) => {
    expect(parseTopic(topic)).toMatchObject({ ok: false, code });
  });

  it.each([
    ['no complete flag', { ...RECEIPT, complete: undefined }],
    ['a complete flag that is not a boolean', { ...RECEIPT, complete: 1 }],
    [
      'overlapping ranges',
      {
        ...RECEIPT,
        archived: [
          [1, 5],
          [5, 6],
        ],
      },
    ],
    ['too many ranges', { ...RECEIPT, archived: Array.from({ length: MAX_RECEIPT_RANGES + 1 }, (_, i) => [2 * i + 1, 2 * i + 1]) }],
    ['version 2', { ...RECEIPT, v: 2 }],
  ])('refuses %s with a typed error', (_what, payload) => {
    expect(parseArchiveReceipt(JSON.stringify(payload)).ok).toBe(false);
  });

  it('never throws on any input, and what it accepts has ascending, disjoint ranges within 1..2^32-1', () => {
    const near = fc
      .record({
        archived: fc.array(fc.tuple(fc.integer(), fc.integer()), { maxLength: 70 }),
        complete: fc.oneof(fc.boolean(), fc.jsonValue()),
        terminal: fc.oneof(fc.constant('t1'), fc.string()),
        at: fc.integer(),
      })
      .map((r) => ({ ...RECEIPT, ...r }));
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), near, fc.string()), (input) => {
        const r = parseArchiveReceipt(input);
        const m = parseMessage('hailong/v1/gia-lai/_archived/ia-grai/t1', typeof input === 'string' ? input : JSON.stringify(input));
        if (!r.ok) return;
        expect(typeof r.value.complete).toBe('boolean');
        let last = 0;
        for (const [from, to] of r.value.archived) {
          expect(from).toBeGreaterThanOrEqual(1);
          expect(to).toBeGreaterThanOrEqual(from);
          expect(to).toBeLessThanOrEqual(2 ** 32 - 1);
          if (last > 0) expect(from).toBeGreaterThan(last + 1);
          last = to;
        }
        void m;
      }),
    );
  });
});

describe('archivedState', () => {
  it('names archived, missing and (below an incomplete receipt) unknown seqs', () => {
    expect(archivedState(RECEIPT, 1)).toBe('archived');
    expect(archivedState(RECEIPT, 41)).toBe('missing');
    expect(archivedState(RECEIPT, 51)).toBe('missing');
    expect(archivedState({ ...RECEIPT, archived: [[10, 20]], complete: false }, 3)).toBe('unknown');
    expect(archivedState({ ...RECEIPT, archived: [[10, 20]], complete: false }, 21)).toBe('missing');
    expect(archivedState({ ...RECEIPT, archived: [], complete: false }, 3)).toBe('unknown');
  });
});
