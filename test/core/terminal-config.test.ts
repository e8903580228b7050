import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCALE_3, SCALE_4, SCALE_5 } from '../../core/scale.ts';
import { DEFAULT_TERMINAL_CONFIG, configScale, parseTerminalConfig } from '../../core/terminal-config.ts';
import type { TerminalConfig } from '../../core/terminal-config.ts';
import { HOSTILE_INPUTS, idArb, junkArb } from './arbitraries.ts';

const config: TerminalConfig = {
  v: 1,
  scale: 'scale-4',
  cooldownMs: 3000,
  mode: 'gated',
  windowMs: 30_000,
  reasons: ['cho-lau', 'thai-do'],
};

describe('parseTerminalConfig', () => {
  it('accepts the default and a gated config', () => {
    expect(parseTerminalConfig(JSON.stringify(DEFAULT_TERMINAL_CONFIG))).toEqual({ ok: true, value: DEFAULT_TERMINAL_CONFIG });
    expect(parseTerminalConfig(config)).toEqual({ ok: true, value: config });
  });

  it('normalises a level count to the built-in id and validates full scales', () => {
    expect(parseTerminalConfig({ ...config, scale: 5 })).toEqual({ ok: true, value: { ...config, scale: 'scale-5' } });
    const custom = {
      id: 'hai-muc',
      levels: [
        { key: 'hai-long', points: 1 },
        { key: 'khong-hai-long', points: 0 },
      ],
    };
    const r = parseTerminalConfig({ ...config, scale: custom });
    expect(r.ok && configScale(r.value).id).toBe('hai-muc');
    expect(r.ok && configScale(r.value).levels[0]?.label.vi).toBe('Hài lòng');
  });

  it('configScale resolves built-in ids', () => {
    expect(configScale(DEFAULT_TERMINAL_CONFIG)).toBe(SCALE_3);
    expect(configScale(config)).toBe(SCALE_4);
    expect(configScale({ ...config, scale: SCALE_5 })).toBe(SCALE_5);
    expect(() => configScale({ ...config, scale: 'nope' })).toThrow(/config\.scale/);
  });

  it.each<[string, unknown, string, string | undefined]>([
    ['scale missing', { ...config, scale: undefined }, 'missing-field', 'scale'],
    ['scale unknown', { ...config, scale: 'scale-9' }, 'bad-enum', 'scale'],
    ['scale level bad', { ...config, scale: { id: 'x', levels: [{ key: 'hai-long', points: -1 }] } }, 'out-of-range', 'scale.levels'],
    [
      'scale points bad',
      {
        ...config,
        scale: {
          id: 'x',
          levels: [
            { key: 'hai-long', points: 1 },
            { key: 'khong-hai-long', points: 'a' },
          ],
        },
      },
      'bad-type',
      'scale.levels[1].points',
    ],
    ['scale array', { ...config, scale: [] }, 'not-object', 'scale'],
    ['cooldown too long', { ...config, cooldownMs: 600_001 }, 'out-of-range', 'cooldownMs'],
    ['window too short', { ...config, windowMs: 999 }, 'out-of-range', 'windowMs'],
    ['mode bad', { ...config, mode: 'OPEN' }, 'bad-enum', 'mode'],
    ['reasons missing', { ...config, reasons: undefined }, 'missing-field', 'reasons'],
    ['reason repeated', { ...config, reasons: ['a', 'a'] }, 'duplicate', 'reasons[1]'],
    ['reason bad', { ...config, reasons: ['Chờ lâu'] }, 'bad-id', 'reasons[0]'],
    ['reasons too many', { ...config, reasons: Array.from({ length: 33 }, (_, i) => `r${i}`) }, 'out-of-range', 'reasons'],
    ['v missing', { ...config, v: undefined }, 'missing-field', 'v'],
  ])('%s → %s at %s', (_name, input, code, field) => {
    const r = parseTerminalConfig(JSON.stringify(input));
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) expect(r.field).toBe(field);
  });

  it('never throws (property) and round-trips (property)', () => {
    for (const input of HOSTILE_INPUTS) expect(parseTerminalConfig(input).ok).toBe(false);
    fc.assert(
      fc.property(junkArb, (input) => {
        expect(typeof parseTerminalConfig(input).ok).toBe('boolean');
      }),
    );
    const configArb = fc.record({
      v: fc.constant(1 as const),
      scale: fc.constantFrom<string | TerminalConfig['scale']>('scale-3', 'scale-4', 'scale-5', SCALE_4),
      cooldownMs: fc.integer({ min: 0, max: 600_000 }),
      mode: fc.constantFrom('open' as const, 'gated' as const),
      windowMs: fc.integer({ min: 1000, max: 600_000 }),
      reasons: fc.uniqueArray(idArb, { maxLength: 32 }),
    });
    fc.assert(
      fc.property(configArb, (c) => {
        expect(parseTerminalConfig(JSON.stringify(c))).toEqual({ ok: true, value: c });
      }),
    );
  });
});
