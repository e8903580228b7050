import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_REVOCATION_ITEMS,
  REVOCATION_MAX_CHARS,
  auditText,
  auditTextProblem,
  isVoteIdOf,
  parseRevocation,
  revocationMessages,
  type RevocationRecord,
  type VoteRevocation,
} from '../../core/revocation.ts';
import { parseTopic, topicFor } from '../../core/topic.ts';
import { parseMessage, publicationFor } from '../../core/topic-payload.ts';
import { payloadLimitOf } from '../../core/payload-limit.ts';
import { MAX_SEQ } from '../../core/vote.ts';
import { HOSTILE_INPUTS, idArb, junkArb } from './arbitraries.ts';

const WARD = { district: 'ba-dinh', ward: 'phuc-xa' };

const record = (over: Partial<RevocationRecord> = {}): RevocationRecord => ({
  id: 3,
  at: Date.UTC(2026, 10, 20, 4),
  by: 'Nguyễn Văn An',
  reason: 'Tài khoản kiosk bị lộ',
  terminal: 'kiosk-1',
  from: Date.UTC(2026, 10, 20, 1),
  to: Date.UTC(2026, 10, 20, 3),
  votes: ['kiosk-1:41', 'kiosk-1:42'],
  ...over,
});

const seqArb = fc.integer({ min: 1, max: MAX_SEQ });
const textArb = fc.string({ minLength: 1, maxLength: 80 }).filter((s) => auditTextProblem(s.trim(), 'by') === undefined && s.trim() === s);

// A journal revocation: a terminal, up to 2,500 distinct revoked seqs and up to 30 asked ids.
const recordArb: fc.Arbitrary<RevocationRecord> = fc
  .record({
    id: fc.integer({ min: 1, max: 1_000_000 }),
    at: fc.integer({ min: 0, max: Date.UTC(2100, 0) }),
    by: textArb,
    reason: textArb,
    terminal: idArb,
    range: fc.option(fc.tuple(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 30 })), { nil: undefined }),
    seqs: fc.uniqueArray(seqArb, { maxLength: 2500 }),
    asked: fc.option(fc.uniqueArray(seqArb, { minLength: 1, maxLength: 30 }), { nil: undefined }),
  })
  .map(({ id, at, by, reason, terminal, range, seqs, asked }) => ({
    id,
    at,
    by,
    reason,
    terminal,
    ...(range === undefined ? {} : { from: range[0], to: range[0] + range[1] }),
    ...(asked === undefined ? {} : { ids: asked.map((s) => `${terminal}:${s}`) }),
    votes: seqs.map((s) => `${terminal}:${s}`),
  }));

describe('the revocation topic', () => {
  it('is a per-unit, non-retained QoS 1 topic in the typed map', () => {
    const p = publicationFor('revocation', WARD, revocationMessages(WARD, record())[0] as VoteRevocation);
    expect(p).toMatchObject({ topic: 'hailong/v1/ba-dinh/phuc-xa/_revocation', qos: 1, retain: false });
    expect(parseTopic(p.topic)).toEqual({ ok: true, value: { kind: 'revocation', params: WARD } });
    expect(topicFor('revocation', WARD)).toBe(p.topic);
    expect(payloadLimitOf(p.topic)?.maxBytes).toBe(3 * REVOCATION_MAX_CHARS);
    expect(parseMessage(p.topic, p.payload).ok).toBe(true);
  });

  it('refuses a revocation whose payload names another unit than its topic (a unit revokes only its own votes)', () => {
    const [m] = revocationMessages({ district: 'ba-dinh', ward: 'truc-bach' }, record());
    const r = parseMessage('hailong/v1/ba-dinh/phuc-xa/_revocation', JSON.stringify(m));
    expect(r).toMatchObject({ ok: false, code: 'topic-mismatch', field: 'ward' });
  });
});

describe('revocationMessages and parseRevocation', () => {
  it('splits any revocation into parts that each validate, fit the size limit and join back to the same ids', () => {
    fc.assert(
      fc.property(recordArb, (r) => {
        const parts = revocationMessages(WARD, r);
        expect(parts.length).toBe(Math.max(1, Math.ceil(((r.ids?.length ?? 0) + r.votes.length) / MAX_REVOCATION_ITEMS)));
        const votes: string[] = [];
        const ids: string[] = [];
        parts.forEach((m, i) => {
          const text = JSON.stringify(m);
          expect(text.length).toBeLessThanOrEqual(REVOCATION_MAX_CHARS);
          const parsed = parseRevocation(text);
          expect(parsed).toEqual({ ok: true, value: m });
          expect(m).toMatchObject({
            id: r.id,
            at: r.at,
            by: r.by,
            reason: r.reason,
            terminal: r.terminal,
            part: i + 1,
            parts: parts.length,
          });
          votes.push(...m.votes);
          ids.push(...(m.ids ?? []));
        });
        expect(votes).toEqual(r.votes);
        expect(ids).toEqual(r.ids ?? []);
      }),
      { numRuns: 60 },
    );
  });

  it('makes unprintable audit text of an old journal readable instead of unsendable', () => {
    const [m] = revocationMessages(WARD, record({ by: '  ', reason: 'dòng 1\ndòng 2\u202e' }));
    expect(m?.by).toBe('?');
    expect(m?.reason).toBe('dòng 1 dòng 2');
    expect(parseRevocation(JSON.stringify(m)).ok).toBe(true);
    expect(auditText('x'.repeat(600), 500)).toHaveLength(500);
    expect(auditTextProblem('a\nb', 'reason')).toMatch(/line break/);
    expect(auditTextProblem('x'.repeat(121), 'by')).toMatch(/1–120/);
    expect(auditTextProblem('Trần Thị Bình', 'by')).toBeUndefined();
  });

  it('names what is wrong: a vote of another terminal, a repeat, a part beyond parts, a range backwards', () => {
    const [good] = revocationMessages(WARD, record());
    const cases: [Record<string, unknown>, string, string][] = [
      [{ votes: ['hop-1:5'] }, 'id-mismatch', 'votes[0]'],
      [{ votes: ['kiosk-1:0'] }, 'id-mismatch', 'votes[0]'],
      [{ votes: [`kiosk-1:${MAX_SEQ + 1}`] }, 'id-mismatch', 'votes[0]'],
      [{ votes: ['kiosk-1:7', 'kiosk-1:7'] }, 'duplicate', 'votes[1]'],
      [{ votes: [7] }, 'bad-type', 'votes[0]'],
      [{ ids: ['hop-2:1'] }, 'id-mismatch', 'ids[0]'],
      [{ part: 3, parts: 2 }, 'out-of-range', 'part'],
      [{ from: 10, to: 10 }, 'bad-order', 'from'],
      [{ by: '' }, 'bad-text', 'by'],
      [{ reason: 'a\u0000b' }, 'bad-text', 'reason'],
      [{ ward: 'Phúc Xá' }, 'bad-id', 'ward'],
      [{ id: 0 }, 'out-of-range', 'id'],
      [{ v: 2 }, 'bad-version', 'v'],
      [{ votes: Array.from({ length: MAX_REVOCATION_ITEMS + 1 }, (_, i) => `kiosk-1:${i + 1}`) }, 'out-of-range', 'votes'],
    ];
    for (const [change, code, field] of cases) {
      const r = parseRevocation({ ...good, ...change });
      expect(r, JSON.stringify(change).slice(0, 60)).toMatchObject({ ok: false, code, field });
      if (!r.ok) expect(r.message).toContain(field.replace(/\[\d+\]$/, ''));
    }
    expect(parseRevocation('x'.repeat(REVOCATION_MAX_CHARS + 1))).toMatchObject({ ok: false, code: 'too-large' });
  });

  it('reads -0 as 0, so a part survives encode and decode unchanged (found by the property below)', () => {
    const [good] = revocationMessages(WARD, record());
    const r = parseRevocation({ ...good, from: -0 });
    expect(r.ok && Object.is(r.value.from, 0)).toBe(true);
    if (r.ok) expect(parseRevocation(JSON.stringify(r.value))).toEqual(r);
  });

  it('never throws, whatever arrives', () => {
    for (const input of HOSTILE_INPUTS) expect(parseRevocation(input).ok).toBe(false);
    fc.assert(
      fc.property(junkArb, (input) => {
        expect(typeof parseRevocation(input).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a valid part valid through any field swapped for junk, or refuses it with a field', () => {
    const [good] = revocationMessages(WARD, record({ ids: ['kiosk-1:41'] }));
    const fields = Object.keys(good as object);
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.oneof(junkArb, fc.constant(undefined)), (field, junk) => {
        const input: Record<string, unknown> = { ...good };
        Object.defineProperty(input, field, { value: junk, enumerable: true, configurable: true, writable: true });
        const r = parseRevocation(input);
        if (r.ok) expect(parseRevocation(JSON.stringify(r.value))).toEqual(r);
        else expect(typeof r.message).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('tells a vote id of the terminal from anything else', () => {
    fc.assert(
      fc.property(idArb, seqArb, idArb, (terminal, seq, other) => {
        expect(isVoteIdOf(`${terminal}:${seq}`, terminal)).toBe(true);
        expect(isVoteIdOf(`${terminal}:${seq}`, other)).toBe(terminal === other);
        expect(isVoteIdOf(`${terminal}:0${seq}`, terminal)).toBe(false);
      }),
    );
    expect(revocationMessages.bind(null, WARD, record({ votes: ['hop-1:1'] }))).toThrow(/not a vote id of kiosk-1/);
  });
});
