import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ID_PATTERN, idAt, idListAt, isId, parseId, requireId } from '../../core/ids.ts';
import { decodeWith } from '../../core/json-input.ts';
import { idArb, junkArb } from './arbitraries.ts';

const RULE = 'ids are [a-z0-9-], 1–32 chars, starting with a letter or digit';

describe('parseId', () => {
  it('accepts lowercase ascii, digits and inner dashes up to 32 chars', () => {
    for (const id of ['a', '0', 'phuong-1', 'ba-dinh', 'q1', 'a-', 'x'.repeat(32), 'constructor']) {
      expect(parseId(id, 'ward')).toEqual({ ok: true, value: id });
      expect(isId(id)).toBe(true);
    }
  });

  it('names the field and the offending character', () => {
    expect(parseId('phuong/1', 'ward')).toEqual({
      ok: false,
      code: 'bad-id',
      field: 'ward',
      message: `ward "phuong/1" contains "/": ${RULE}`,
    });
  });

  it.each([
    ['a+b', '"+"'],
    ['a#', '"#"'],
    ['Phuong-1', '"P"'],
    ['phường', '"ư"'],
    ['_served', '"_"'],
    ['a b', '" "'],
    ['a\u0000', '"\\u0000"'],
  ])('rejects %j for containing %s', (value, shown) => {
    const r = parseId(value, 'counter');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('bad-id');
    expect(r.field).toBe('counter');
    expect(r.message).toContain(`contains ${shown}`);
  });

  it('rejects empty, too long, leading dash and non-strings with a reason', () => {
    const cases: [unknown, string][] = [
      ['', 'district is empty'],
      ['x'.repeat(33), 'is 33 chars long'],
      ['-a', 'starts with "-"'],
      [12, 'must be a string id, got number'],
      [null, 'got null'],
      [['a'], 'got array'],
    ];
    for (const [value, text] of cases) {
      const r = parseId(value, 'district');
      expect(r).toMatchObject({ ok: false, code: 'bad-id', field: 'district' });
      if (!r.ok) expect(r.message).toContain(text);
    }
  });

  it('cuts very long values in messages', () => {
    const r = parseId('Z'.repeat(5000), 'terminal');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.length).toBeLessThan(200);
  });

  it('never throws and agrees with the pattern (property)', () => {
    fc.assert(
      fc.property(fc.oneof(junkArb, fc.string({ unit: 'grapheme', maxLength: 40 })), (value) => {
        const r = parseId(value, 'f');
        expect(r.ok).toBe(typeof value === 'string' && ID_PATTERN.test(value));
        if (!r.ok) expect(r).toMatchObject({ code: 'bad-id', field: 'f' });
      }),
    );
  });

  it('accepts every generated id (property)', () => {
    fc.assert(
      fc.property(idArb, (id) => {
        expect(parseId(id, 'x')).toEqual({ ok: true, value: id });
      }),
    );
  });
});

describe('requireId', () => {
  it('throws a TypeError naming the argument', () => {
    expect(() => requireId('A', 'params.ward')).toThrow(TypeError);
    expect(() => requireId('A', 'params.ward')).toThrow(/params\.ward "A" contains "A"/);
    expect(requireId('a', 'x')).toBe('a');
  });
});

describe('idAt / idListAt (decoder steps)', () => {
  it('reject inside decodeWith with field paths', () => {
    expect(decodeWith({}, 10, () => idAt('B', 'levels[1].key'))).toMatchObject({ code: 'bad-id', field: 'levels[1].key' });
    expect(decodeWith({}, 10, () => idListAt(['a', 'B'], 'reasons', 8))).toMatchObject({
      code: 'bad-id',
      field: 'reasons[1]',
    });
    expect(decodeWith({}, 10, () => idListAt(['a', 'a'], 'reasons', 8))).toMatchObject({
      code: 'duplicate',
      field: 'reasons[1]',
    });
    expect(decodeWith({}, 10, () => idListAt('a', 'reasons', 8))).toMatchObject({ code: 'bad-type', field: 'reasons' });
    expect(decodeWith({}, 10, () => idListAt(['a', 'b', 'c'], 'reasons', 2))).toMatchObject({
      code: 'out-of-range',
      field: 'reasons',
    });
    expect(decodeWith({}, 10, () => idListAt(['a', 'b'], 'reasons', 2))).toEqual({ ok: true, value: ['a', 'b'] });
  });
});
