import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SEQ, isCounted, parseVote, voteId, voteKey } from '../../core/vote.ts';
import type { Vote } from '../../core/vote.ts';
import { HOSTILE_INPUTS, T1, junkArb, makeVote, voteArb, vnTime } from './arbitraries.ts';

const base: Vote = makeVote(T1, 42, 'hai-long', vnTime('2026-11-23', 9, 15), {
  receivedAt: vnTime('2026-11-23', 9, 15) + 120,
  source: 'button',
});
const full: Vote = {
  ...base,
  reasons: ['cho-lau', 'thai-do'],
  officer: 'cb-lan',
  ticket: 'A-012',
  filtered: 'cooldown',
  timeUncertain: true,
};

function withField(field: string, value: unknown): Record<string, unknown> {
  return { ...base, [field]: value };
}
function without(field: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...base };
  delete copy[field];
  return copy;
}

describe('voteId / voteKey / isCounted', () => {
  it('build ids and dedupe keys', () => {
    expect(voteId('hop-1', 42)).toBe('hop-1:42');
    expect(voteKey(base)).toBe('ba-dinh/phuc-xa/hop-1:42');
    expect(isCounted(base)).toBe(true);
    expect(isCounted(full)).toBe(false);
  });
  it('voteId throws on programmer errors naming the argument', () => {
    expect(() => voteId('Hop', 1)).toThrow(/terminal/);
    expect(() => voteId('hop', 0)).toThrow(/seq/);
    expect(() => voteId('hop', MAX_SEQ + 1)).toThrow(/seq/);
  });
});

describe('parseVote', () => {
  it('accepts a minimal and a full vote, as text or value', () => {
    expect(parseVote(JSON.stringify(base))).toEqual({ ok: true, value: base });
    expect(parseVote(full)).toEqual({ ok: true, value: full });
  });

  it('builds a fresh object and drops unknown fields', () => {
    const input = { ...full, extra: 1, nested: { deep: true } };
    const r = parseVote(input);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual(full);
    expect(r.value).not.toBe(input);
    expect(r.value.reasons).not.toBe(input.reasons);
    expect(Object.keys(r.value)).not.toContain('extra');
  });

  it('treats null optional fields as absent and timeUncertain:false as absent', () => {
    const r = parseVote({ ...base, officer: null, reasons: null, ticket: null, filtered: null, timeUncertain: false });
    expect(r).toEqual({ ok: true, value: base });
  });

  it('does not let __proto__ or constructor keys leak or pollute', () => {
    const text = `{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},${JSON.stringify(base).slice(1)}`;
    const r = parseVote(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(Object.hasOwn(r.value, '__proto__')).toBe(false);
    expect(Object.hasOwn(r.value, 'constructor')).toBe(false);
    expect((r.value as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('ignores inherited fields', () => {
    const r = parseVote(Object.assign(Object.create({ officer: 'cb-x' }), base));
    expect(r.ok && r.value.officer).toBeUndefined();
  });

  it.each<[string, unknown, string, string | undefined]>([
    ['bad json', '{"v":1', 'bad-json', undefined],
    ['too large', `{"pad":"${'x'.repeat(5000)}"}`, 'too-large', undefined],
    ['empty', '', 'empty-payload', undefined],
    ['array', '[1]', 'not-object', undefined],
    ['null', 'null', 'not-object', undefined],
    ['string', '"vote"', 'not-object', undefined],
    ['no v', without('v'), 'missing-field', 'v'],
    ['v 2', withField('v', 2), 'bad-version', 'v'],
    ['no id', without('id'), 'missing-field', 'id'],
    ['id number', withField('id', 42), 'bad-type', 'id'],
    ['id mismatch', withField('id', 'hop-1:43'), 'id-mismatch', 'id'],
    ['id other terminal', withField('id', 'hop-2:42'), 'id-mismatch', 'id'],
    ['no district', without('district'), 'missing-field', 'district'],
    ['ward with slash', withField('ward', 'phuong/1'), 'bad-id', 'ward'],
    ['counter uppercase', withField('counter', 'Quay-1'), 'bad-id', 'counter'],
    ['terminal wildcard', withField('terminal', '+'), 'bad-id', 'terminal'],
    ['no seq', without('seq'), 'missing-field', 'seq'],
    ['seq string', withField('seq', '42'), 'bad-type', 'seq'],
    ['seq 0', withField('seq', 0), 'out-of-range', 'seq'],
    ['seq too big', withField('seq', MAX_SEQ + 1), 'out-of-range', 'seq'],
    ['seq fraction', withField('seq', 4.2), 'bad-type', 'seq'],
    ['seq beyond 2^53', withField('seq', 2 ** 53 + 2), 'out-of-range', 'seq'],
    ['seq NaN string', withField('seq', 'NaN'), 'bad-type', 'seq'],
    ['no level', without('level'), 'missing-field', 'level'],
    ['level unknown', withField('level', 'hài-lòng'), 'bad-enum', 'level'],
    ['level number', withField('level', 1), 'bad-type', 'level'],
    ['pressedAt negative', withField('pressedAt', -1), 'out-of-range', 'pressedAt'],
    ['pressedAt string', withField('pressedAt', '2026-11-23'), 'bad-type', 'pressedAt'],
    ['receivedAt missing', without('receivedAt'), 'missing-field', 'receivedAt'],
    ['receivedAt fraction', withField('receivedAt', 1.5), 'bad-type', 'receivedAt'],
    ['source unknown', withField('source', 'sms'), 'bad-enum', 'source'],
    ['source missing', without('source'), 'missing-field', 'source'],
    ['reasons not array', withField('reasons', 'cho-lau'), 'bad-type', 'reasons'],
    ['reasons too many', withField('reasons', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']), 'out-of-range', 'reasons'],
    ['reason bad id', withField('reasons', ['ok', 'Chờ lâu']), 'bad-id', 'reasons[1]'],
    ['reason repeated', withField('reasons', ['a', 'a']), 'duplicate', 'reasons[1]'],
    ['officer bad', withField('officer', 'CB_1'), 'bad-id', 'officer'],
    ['ticket empty', withField('ticket', ''), 'bad-text', 'ticket'],
    ['ticket too long', withField('ticket', 'A'.repeat(33)), 'bad-text', 'ticket'],
    ['ticket control char', withField('ticket', 'A\n1'), 'bad-text', 'ticket'],
    ['ticket number', withField('ticket', 12), 'bad-type', 'ticket'],
    ['filtered unknown', withField('filtered', 'spam'), 'bad-enum', 'filtered'],
    ['timeUncertain string', withField('timeUncertain', 'yes'), 'bad-type', 'timeUncertain'],
  ])('%s → %s at %s', (_name, input, code, field) => {
    const r = parseVote(typeof input === 'string' ? input : JSON.stringify(input));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(code);
    expect(r.field).toBe(field);
    expect(r.message.length).toBeGreaterThan(5);
  });

  it('rejects 1e400 (Infinity after JSON.parse) as out of range', () => {
    const text = JSON.stringify(base).replace('"seq":42', '"seq":1e400');
    expect(parseVote(text)).toMatchObject({ ok: false, code: 'out-of-range', field: 'seq' });
  });

  it('never throws on hostile inputs', () => {
    for (const input of HOSTILE_INPUTS) {
      const r = parseVote(input);
      expect(r.ok).toBe(false);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws on arbitrary values and strings (property)', () => {
    fc.assert(
      fc.property(junkArb, (input) => {
        const r = parseVote(input);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws when one field of a valid vote is replaced by junk (property)', () => {
    const fields = [
      'v',
      'id',
      'district',
      'ward',
      'counter',
      'terminal',
      'seq',
      'level',
      'pressedAt',
      'receivedAt',
      'source',
      'reasons',
      'officer',
      'ticket',
      'dossier',
      'stage',
      'filtered',
      'timeUncertain',
      '__proto__',
    ];
    fc.assert(
      fc.property(voteArb, fc.constantFrom(...fields), fc.oneof(junkArb, fc.constant(undefined)), (vote, field, junk) => {
        const input: Record<string, unknown> = { ...vote };
        Object.defineProperty(input, field, { value: junk, enumerable: true, configurable: true, writable: true });
        const r = parseVote(input);
        if (r.ok) expect(parseVote(JSON.stringify(r.value))).toEqual(r);
        else expect(r.field === undefined || typeof r.field === 'string').toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips every valid vote through JSON (property)', () => {
    fc.assert(
      fc.property(voteArb, (vote) => {
        expect(parseVote(JSON.stringify(vote))).toEqual({ ok: true, value: vote });
        expect(parseVote(vote)).toEqual({ ok: true, value: vote });
      }),
    );
  });
});
