import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCALE,
  LEVEL_KEYS,
  LEVEL_LABELS,
  SCALE_3,
  SCALE_4,
  SCALE_5,
  builtinScale,
  isLevelKey,
  levelIndex,
  levelOfButton,
  maxPoints,
  parseScale,
  scaleKeys,
} from '../../core/scale.ts';
import type { Scale } from '../../core/scale.ts';
import { junkArb, HOSTILE_INPUTS } from './arbitraries.ts';

const custom = {
  id: 'vui-buon',
  levels: [
    { key: 'hai-long', points: 1 },
    { key: 'khong-hai-long', points: 0 },
  ],
};

describe('catalogue and built-in scales', () => {
  it('has ASCII keys and labels with diacritics', () => {
    expect(LEVEL_KEYS).toEqual(['rat-hai-long', 'hai-long', 'binh-thuong', 'khong-hai-long', 'rat-khong-hai-long']);
    expect(LEVEL_LABELS['rat-hai-long']).toEqual({ vi: 'Rất hài lòng', en: 'Very satisfied' });
    expect(LEVEL_LABELS['hai-long']).toEqual({ vi: 'Hài lòng', en: 'Satisfied' });
    expect(LEVEL_LABELS['binh-thuong']).toEqual({ vi: 'Bình thường', en: 'Neutral' });
    expect(LEVEL_LABELS['khong-hai-long']).toEqual({ vi: 'Không hài lòng', en: 'Dissatisfied' });
    expect(LEVEL_LABELS['rat-khong-hai-long']).toEqual({ vi: 'Rất không hài lòng', en: 'Very dissatisfied' });
    expect(isLevelKey('hai-long')).toBe(true);
    expect(isLevelKey('hài-lòng')).toBe(false);
  });

  it('SCALE_3 is the official 2/1/0 scale and the default', () => {
    expect(DEFAULT_SCALE).toBe(SCALE_3);
    expect(SCALE_3.levels.map((l) => [l.key, l.points, l.satisfied])).toEqual([
      ['rat-hai-long', 2, true],
      ['hai-long', 1, true],
      ['khong-hai-long', 0, false],
    ]);
  });

  it('SCALE_4 and SCALE_5 count RHL and HL as satisfied', () => {
    expect(SCALE_4.levels.map((l) => [l.key, l.points, l.satisfied])).toEqual([
      ['rat-hai-long', 3, true],
      ['hai-long', 2, true],
      ['binh-thuong', 1, false],
      ['khong-hai-long', 0, false],
    ]);
    expect(SCALE_5.levels.map((l) => l.points)).toEqual([4, 3, 2, 1, 0]);
    expect(SCALE_5.levels.filter((l) => l.satisfied).map((l) => l.key)).toEqual(['rat-hai-long', 'hai-long']);
  });

  it('built-ins are frozen', () => {
    expect(Object.isFrozen(SCALE_3)).toBe(true);
    expect(Object.isFrozen(SCALE_3.levels)).toBe(true);
    expect(Object.isFrozen(SCALE_3.levels[0])).toBe(true);
  });

  it('helpers', () => {
    expect(builtinScale('scale-4')).toBe(SCALE_4);
    expect(builtinScale('scale-9')).toBeUndefined();
    expect(levelIndex(SCALE_3, 'khong-hai-long')).toBe(2);
    expect(levelIndex(SCALE_3, 'binh-thuong')).toBe(-1);
    expect(maxPoints(SCALE_5)).toBe(4);
    expect(scaleKeys(SCALE_3)).toEqual(['rat-hai-long', 'hai-long', 'khong-hai-long']);
  });
});

describe('levelOfButton', () => {
  it('maps button 1 to the best level', () => {
    expect(levelOfButton(SCALE_3, 1)).toEqual({ ok: true, value: SCALE_3.levels[0] });
    expect(levelOfButton(SCALE_5, 5)).toMatchObject({ ok: true, value: { key: 'rat-khong-hai-long' } });
  });
  it('rejects buttons the scale does not have', () => {
    expect(levelOfButton(SCALE_3, 4)).toMatchObject({ ok: false, code: 'out-of-range', field: 'button' });
    expect(levelOfButton(SCALE_3, 0)).toMatchObject({ ok: false, code: 'out-of-range', field: 'button' });
    expect(levelOfButton(SCALE_3, 1.5)).toMatchObject({ ok: false, code: 'bad-type', field: 'button' });
  });
});

describe('parseScale', () => {
  it('accepts built-in ids and bare level counts', () => {
    expect(parseScale(3)).toEqual({ ok: true, value: SCALE_3 });
    expect(parseScale('4')).toEqual({ ok: true, value: SCALE_4 });
    expect(parseScale('scale-5')).toEqual({ ok: true, value: SCALE_5 });
    expect(parseScale('"scale-5"')).toEqual({ ok: true, value: SCALE_5 });
    const r = parseScale(5);
    expect(r.ok && r.value).toBe(SCALE_5);
  });

  it('accepts a custom scale, filling labels and satisfied from the catalogue', () => {
    const r = parseScale(custom);
    expect(r).toEqual({
      ok: true,
      value: {
        id: 'vui-buon',
        levels: [
          { key: 'hai-long', label: LEVEL_LABELS['hai-long'], satisfied: true, points: 1 },
          { key: 'khong-hai-long', label: LEVEL_LABELS['khong-hai-long'], satisfied: false, points: 0 },
        ],
      },
    });
    expect(parseScale(JSON.stringify(custom))).toEqual(r);
  });

  it('keeps explicit labels and satisfied flags', () => {
    const r = parseScale({
      id: 'tam',
      levels: [
        { key: 'hai-long', points: 2, label: { vi: 'Tốt', en: 'Good' } },
        { key: 'binh-thuong', points: 1, satisfied: true },
        { key: 'khong-hai-long', points: 0 },
      ],
    });
    expect(r.ok && r.value.levels.map((l) => [l.label.vi, l.satisfied])).toEqual([
      ['Tốt', true],
      ['Bình thường', true],
      ['Không hài lòng', false],
    ]);
  });

  it('round-trips every built-in as JSON and returns the built-in itself', () => {
    for (const s of [SCALE_3, SCALE_4, SCALE_5]) {
      const r = parseScale(JSON.stringify(s));
      expect(r.ok && r.value).toBe(s);
    }
  });

  const levels2 = custom.levels;
  it.each<[string, unknown, string, string | undefined]>([
    ['unknown id', 'scale-7', 'bad-enum', undefined],
    ['unknown count', 7, 'bad-enum', undefined],
    ['not json', '{', 'bad-json', undefined],
    ['array', [], 'not-object', undefined],
    ['no id', { levels: levels2 }, 'missing-field', 'id'],
    ['bad id', { id: 'Vui', levels: levels2 }, 'bad-id', 'id'],
    ['reserved id', { id: 'scale-3', levels: levels2 }, 'bad-id', 'id'],
    ['no levels', { id: 'x' }, 'missing-field', 'levels'],
    ['levels not array', { id: 'x', levels: {} }, 'bad-type', 'levels'],
    ['one level', { id: 'x', levels: [levels2[0]] }, 'out-of-range', 'levels'],
    ['ten levels', { id: 'x', levels: new Array(10).fill(levels2[0]) }, 'out-of-range', 'levels'],
    ['level not object', { id: 'x', levels: [levels2[0], 3] }, 'not-object', 'levels[1]'],
    ['unknown key', { id: 'x', levels: [levels2[0], { key: 'meh', points: 0 }] }, 'bad-enum', 'levels[1].key'],
    ['duplicate key', { id: 'x', levels: [levels2[0], levels2[0]] }, 'duplicate', 'levels[1].key'],
    ['missing points', { id: 'x', levels: [levels2[0], { key: 'khong-hai-long' }] }, 'missing-field', 'levels[1].points'],
    [
      'negative points',
      {
        id: 'x',
        levels: [
          { key: 'hai-long', points: 1 },
          { key: 'binh-thuong', points: 1 },
          { key: 'khong-hai-long', points: -1 },
        ],
      },
      'out-of-range',
      'levels[2].points',
    ],
    ['fractional points', { id: 'x', levels: [levels2[0], { key: 'khong-hai-long', points: 0.5 }] }, 'bad-type', 'levels[1].points'],
    [
      'worse level first',
      {
        id: 'x',
        levels: [
          { key: 'khong-hai-long', points: 1 },
          { key: 'hai-long', points: 0 },
        ],
      },
      'bad-order',
      'levels[1].key',
    ],
    [
      'points rise',
      {
        id: 'x',
        levels: [
          { key: 'hai-long', points: 0 },
          { key: 'khong-hai-long', points: 1 },
        ],
      },
      'bad-order',
      'levels[1].points',
    ],
    [
      'satisfied after unsatisfied',
      {
        id: 'x',
        levels: [
          { key: 'hai-long', points: 2 },
          { key: 'binh-thuong', points: 1, satisfied: false },
          { key: 'khong-hai-long', points: 0, satisfied: true },
        ],
      },
      'bad-order',
      'levels[2].satisfied',
    ],
    [
      'nobody satisfied',
      {
        id: 'x',
        levels: [
          { key: 'binh-thuong', points: 1 },
          { key: 'khong-hai-long', points: 0 },
        ],
      },
      'inconsistent',
      'levels',
    ],
    [
      'everybody satisfied',
      {
        id: 'x',
        levels: [
          { key: 'rat-hai-long', points: 1 },
          { key: 'hai-long', points: 0 },
        ],
      },
      'inconsistent',
      'levels',
    ],
    [
      'satisfied not boolean',
      { id: 'x', levels: [{ key: 'hai-long', points: 1, satisfied: 1 }, levels2[1]] },
      'bad-type',
      'levels[0].satisfied',
    ],
    ['label not object', { id: 'x', levels: [{ key: 'hai-long', points: 1, label: 'Tốt' }, levels2[1]] }, 'not-object', 'levels[0].label'],
    [
      'label missing en',
      { id: 'x', levels: [{ key: 'hai-long', points: 1, label: { vi: 'Tốt' } }, levels2[1]] },
      'missing-field',
      'levels[0].label.en',
    ],
    [
      'label empty',
      { id: 'x', levels: [{ key: 'hai-long', points: 1, label: { vi: '', en: 'a' } }, levels2[1]] },
      'bad-text',
      'levels[0].label.vi',
    ],
  ])('%s → %s at %s', (_name, input, code, field) => {
    const r = parseScale(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(code);
    expect(r.field).toBe(field);
  });

  it('never throws on hostile or arbitrary input (property)', () => {
    for (const input of HOSTILE_INPUTS) expect(() => parseScale(input)).not.toThrow();
    fc.assert(
      fc.property(junkArb, (input) => {
        const r = parseScale(input);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips generated valid scales (property)', () => {
    const scaleArb = fc
      .record({
        keys: fc.subarray([...LEVEL_KEYS], { minLength: 2 }),
        points: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 5, maxLength: 5 }),
        satisfiedCount: fc.integer({ min: 1, max: 4 }),
        id: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
      })
      .filter(({ keys, satisfiedCount, id }) => satisfiedCount < keys.length && !id.startsWith('scale-'))
      .map(({ keys, points, satisfiedCount, id }): Scale => {
        const sorted = points.slice(0, keys.length).sort((a, b) => b - a);
        return {
          id,
          levels: keys.map((key, i) => ({
            key,
            label: LEVEL_LABELS[key],
            satisfied: i < satisfiedCount,
            points: sorted[i] ?? 0,
          })),
        };
      });
    fc.assert(
      fc.property(scaleArb, (scale) => {
        expect(parseScale(JSON.stringify(scale))).toEqual({ ok: true, value: scale });
      }),
    );
  });
});
