import { describe, expect, it } from 'vitest';
import {
  arrayAt,
  booleanAt,
  decodeWith,
  enumAt,
  fieldPath,
  intIn,
  itemPath,
  objectAt,
  optionalField,
  ownValue,
  reject,
  requiredField,
  show,
  textAt,
  tokenAt,
  typeName,
  versionOne,
} from '../../core/json-input.ts';

const run = <T>(build: () => T) => decodeWith(null, 100, build);

describe('decodeWith', () => {
  it('parses JSON text and passes values through', () => {
    expect(decodeWith('{"a":1}', 100, (root) => root)).toEqual({ ok: true, value: { a: 1 } });
    expect(decodeWith({ a: 1 }, 100, (root) => root)).toEqual({ ok: true, value: { a: 1 } });
  });

  it('reports bad-json, too-large and empty-payload without a field', () => {
    expect(decodeWith('{', 100, () => 1)).toEqual({ ok: false, code: 'bad-json', message: 'payload is not valid JSON' });
    expect(decodeWith('x'.repeat(101), 100, () => 1)).toMatchObject({ ok: false, code: 'too-large' });
    expect(decodeWith('', 100, () => 1)).toMatchObject({ ok: false, code: 'empty-payload' });
    expect(decodeWith('x'.repeat(101), 100, () => 1)).not.toHaveProperty('field');
  });

  it('turns reject into an Err and exotic exceptions into not-object', () => {
    expect(run(() => reject('bad-enum', 'nope', 'mode'))).toEqual({
      ok: false,
      code: 'bad-enum',
      field: 'mode',
      message: 'nope',
    });
    expect(
      run(() => {
        throw new Error('proxy trap');
      }),
    ).toMatchObject({ ok: false, code: 'not-object' });
  });

  it('does not let "__proto__" in JSON pollute prototypes', () => {
    const r = decodeWith('{"__proto__":{"polluted":1}}', 100, (root) => root);
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('readers', () => {
  it('build field paths', () => {
    expect(fieldPath('', 'a')).toBe('a');
    expect(fieldPath('a', 'b')).toBe('a.b');
    expect(itemPath('levels', 2)).toBe('levels[2]');
    expect(typeName(null)).toBe('null');
    expect(typeName([])).toBe('array');
    expect(typeName(1)).toBe('number');
    expect(show('ab')).toBe('"ab"');
    expect(show('x'.repeat(50))).toBe(`"${'x'.repeat(40)}"…`);
  });

  it('objectAt requires a plain object', () => {
    expect(run(() => objectAt([], undefined))).toMatchObject({ code: 'not-object' });
    expect(run(() => objectAt(null, 'days'))).toMatchObject({ code: 'not-object', field: 'days' });
    expect(run(() => objectAt('x', 'days'))).toMatchObject({ code: 'not-object', field: 'days' });
  });

  it('ownValue ignores inherited properties and getters', () => {
    expect(ownValue({}, 'constructor')).toBeUndefined();
    expect(ownValue(Object.create({ a: 1 }), 'a')).toBeUndefined();
    expect(ownValue(Object.defineProperty({}, 'a', { get: () => 1, enumerable: true }), 'a')).toBeUndefined();
    expect(ownValue({ a: 2 }, 'a')).toBe(2);
  });

  it('requiredField / optionalField treat null as absent', () => {
    expect(run(() => requiredField({ a: null }, 'a', 'x.a'))).toMatchObject({ code: 'missing-field', field: 'x.a' });
    expect(run(() => requiredField({}, 'a', 'a'))).toMatchObject({ code: 'missing-field', field: 'a' });
    expect(optionalField({ a: null }, 'a')).toBeUndefined();
    expect(optionalField({ a: 0 }, 'a')).toBe(0);
  });

  it('versionOne requires v = 1', () => {
    expect(run(() => versionOne({ v: 1 }))).toEqual({ ok: true, value: 1 });
    expect(run(() => versionOne({ v: 2 }))).toMatchObject({ code: 'bad-version', field: 'v' });
    expect(run(() => versionOne({ v: '1' }))).toMatchObject({ code: 'bad-version', field: 'v' });
    expect(run(() => versionOne({}))).toMatchObject({ code: 'missing-field', field: 'v' });
  });

  it('intIn separates type errors from range errors', () => {
    expect(run(() => intIn(5, 'n', 0, 9))).toEqual({ ok: true, value: 5 });
    expect(run(() => intIn('5', 'n', 0, 9))).toMatchObject({ code: 'bad-type', field: 'n' });
    expect(run(() => intIn(Number.NaN, 'n', 0, 9))).toMatchObject({ code: 'bad-type' });
    expect(run(() => intIn(1.5, 'n', 0, 9))).toMatchObject({ code: 'bad-type' });
    expect(run(() => intIn(Number.POSITIVE_INFINITY, 'n', 0, 9))).toMatchObject({ code: 'out-of-range' });
    expect(run(() => intIn(2 ** 53, 'n', 0, 2 ** 60))).toMatchObject({ code: 'out-of-range' });
    expect(run(() => intIn(10, 'n', 0, 9))).toMatchObject({ code: 'out-of-range', field: 'n' });
    expect(run(() => intIn(-1, 'n', 0, 9))).toMatchObject({ code: 'out-of-range' });
  });

  it('booleanAt, enumAt, arrayAt', () => {
    expect(run(() => booleanAt('true', 'b'))).toMatchObject({ code: 'bad-type', field: 'b' });
    expect(run(() => enumAt('x', 'mode', ['open', 'gated']))).toMatchObject({ code: 'bad-enum', field: 'mode' });
    expect(run(() => enumAt(1, 'mode', ['open']))).toMatchObject({ code: 'bad-type', field: 'mode' });
    expect(run(() => enumAt('open', 'mode', ['open']))).toEqual({ ok: true, value: 'open' });
    expect(run(() => arrayAt({}, 'a', 3))).toMatchObject({ code: 'bad-type', field: 'a' });
    expect(run(() => arrayAt([1, 2, 3, 4], 'a', 3))).toMatchObject({ code: 'out-of-range', field: 'a' });
  });

  it('textAt accepts Vietnamese and refuses control and invisible characters', () => {
    expect(run(() => textAt('Nguyễn Thị Lan', 'name', 64))).toEqual({ ok: true, value: 'Nguyễn Thị Lan' });
    expect(run(() => textAt('', 'name', 64))).toMatchObject({ code: 'bad-text', field: 'name' });
    expect(run(() => textAt('a'.repeat(65), 'name', 64))).toMatchObject({ code: 'bad-text' });
    expect(run(() => textAt('ố'.repeat(64), 'name', 64)).ok).toBe(true);
    for (const bad of ['a\nb', 'a\u0000', 'a\u202Eb', 'a\u200Bb', '\uD800', 'a\u2028']) {
      expect(run(() => textAt(bad, 'name', 64))).toMatchObject({ code: 'bad-text', field: 'name' });
    }
    expect(run(() => textAt(5, 'name', 64))).toMatchObject({ code: 'bad-type', field: 'name' });
  });

  it('tokenAt checks a pattern', () => {
    expect(run(() => tokenAt('HL-1', 'uid', /^[A-Z0-9-]+$/, 'rule'))).toEqual({ ok: true, value: 'HL-1' });
    expect(run(() => tokenAt('hl 1', 'uid', /^[A-Z0-9-]+$/, 'rule'))).toMatchObject({ code: 'bad-text', field: 'uid' });
    expect(run(() => tokenAt(1, 'uid', /^[A-Z0-9-]+$/, 'rule'))).toMatchObject({ code: 'bad-type', field: 'uid' });
  });
});
