import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseServed, parseSession } from '../../core/counter-events.ts';
import { HOSTILE_INPUTS, idArb, junkArb, ticketArb } from './arbitraries.ts';

describe('parseServed', () => {
  it('accepts a service-finished event with officer and ticket', () => {
    const served = { v: 1, at: 1_795_000_000_000, officer: 'cb-lan', ticket: 'B-007' };
    expect(parseServed(JSON.stringify(served))).toEqual({ ok: true, value: served });
    expect(parseServed({ v: 1, at: 5, officer: null })).toEqual({ ok: true, value: { v: 1, at: 5 } });
  });

  it.each<[string, unknown, string, string | undefined]>([
    ['bad json', '{', 'bad-json', undefined],
    ['no at', { v: 1 }, 'missing-field', 'at'],
    ['v 0', { v: 0, at: 1 }, 'bad-version', 'v'],
    ['officer bad', { v: 1, at: 1, officer: 'Lan' }, 'bad-id', 'officer'],
    ['ticket long', { v: 1, at: 1, ticket: 'x'.repeat(40) }, 'bad-text', 'ticket'],
    ['too large', `"${'x'.repeat(3000)}"`, 'too-large', undefined],
  ])('%s → %s at %s', (_name, input, code, field) => {
    const r = parseServed(input);
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) expect(r.field).toBe(field);
  });
});

describe('parseSession', () => {
  it('accepts login with a Vietnamese name and logout with null', () => {
    const login = { v: 1, officer: 'cb-lan', name: 'Nguyễn Thị Lan', at: 10 };
    expect(parseSession(JSON.stringify(login))).toEqual({ ok: true, value: login });
    expect(parseSession('{"v":1,"officer":null,"at":11}')).toEqual({ ok: true, value: { v: 1, officer: null, at: 11 } });
  });

  it.each<[string, unknown, string, string | undefined]>([
    ['officer missing', { v: 1, at: 1 }, 'missing-field', 'officer'],
    ['officer bad', { v: 1, officer: 'cb lan', at: 1 }, 'bad-id', 'officer'],
    ['name control', { v: 1, officer: 'a', name: 'Lan\u0007', at: 1 }, 'bad-text', 'name'],
    ['name type', { v: 1, officer: 'a', name: 5, at: 1 }, 'bad-type', 'name'],
    ['at missing', { v: 1, officer: 'a' }, 'missing-field', 'at'],
    ['not object', 'true', 'not-object', undefined],
  ])('%s → %s at %s', (_name, input, code, field) => {
    const r = parseSession(input);
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) expect(r.field).toBe(field);
  });
});

describe('counter events (properties)', () => {
  it('never throw and round-trip', () => {
    for (const input of HOSTILE_INPUTS) {
      expect(parseServed(input).ok).toBe(false);
      expect(parseSession(input).ok).toBe(false);
    }
    fc.assert(
      fc.property(junkArb, (input) => {
        expect(typeof parseServed(input).ok).toBe('boolean');
        expect(typeof parseSession(input).ok).toBe('boolean');
      }),
    );
    fc.assert(
      fc.property(fc.nat(), fc.option(idArb, { nil: undefined }), fc.option(ticketArb, { nil: undefined }), (at, officer, ticket) => {
        const served = { v: 1 as const, at, ...(officer === undefined ? {} : { officer }), ...(ticket === undefined ? {} : { ticket }) };
        expect(parseServed(JSON.stringify(served))).toEqual({ ok: true, value: served });
        const session = { v: 1 as const, officer: officer ?? null, at };
        expect(parseSession(JSON.stringify(session))).toEqual({ ok: true, value: session });
      }),
    );
  });
});
