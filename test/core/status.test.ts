import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keepsTerminal, parseStatus } from '../../core/status.ts';
import type { Status } from '../../core/status.ts';
import { HOSTILE_INPUTS, junkArb } from './arbitraries.ts';

const online: Status = {
  v: 1,
  state: 'online',
  at: 1_795_000_000_000,
  kind: 'button',
  uid: 'HL328P-1E9A0F3C',
  model: 'hl-4b',
  firmware: '1.0.0+rc.1',
  errors: { 'bad-crc': 3, STUCK: 1, constructor: 2 },
};

const statusArb: fc.Arbitrary<Status> = fc
  .record({
    state: fc.constantFrom('online' as const, 'offline' as const),
    at: fc.nat({ max: 253_402_128_000_000 }),
    kind: fc.option(fc.constantFrom('button' as const, 'touch' as const), { nil: undefined }),
    uid: fc.option(fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/), { nil: undefined }),
    firmware: fc.option(fc.stringMatching(/^[A-Za-z0-9._+-]{1,32}$/), { nil: undefined }),
    supplyMv: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }),
    fuses: fc.option(
      fc.record({
        efuse: fc.integer({ min: 0, max: 255 }),
        hfuse: fc.integer({ min: 0, max: 255 }),
        missing: fc.constantFrom(['BOD' as const], ['EESAVE' as const], ['BOD' as const, 'EESAVE' as const]),
      }),
      { nil: undefined },
    ),
    errors: fc.option(fc.dictionary(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/), fc.nat(), { maxKeys: 10 }), {
      nil: undefined,
    }),
  })
  .map((r) => {
    const s: { -readonly [K in keyof Status]: Status[K] } = { v: 1, state: r.state, at: r.at };
    if (r.kind !== undefined) s.kind = r.kind;
    if (r.uid !== undefined) s.uid = r.uid;
    if (r.firmware !== undefined) s.firmware = r.firmware;
    if (r.supplyMv !== undefined) s.supplyMv = r.supplyMv;
    if (r.fuses !== undefined) s.fuses = r.fuses;
    if (r.errors !== undefined) s.errors = { ...r.errors };
    return s;
  });

describe('parseStatus', () => {
  it('accepts online and last-will offline payloads', () => {
    expect(parseStatus(JSON.stringify(online))).toEqual({ ok: true, value: online });
    expect(parseStatus('{"v":1,"state":"offline","at":0}')).toEqual({ ok: true, value: { v: 1, state: 'offline', at: 0 } });
  });

  it("reads a bridge's upstream progress, and older statuses without it as before", () => {
    const bridge: Status = {
      v: 1,
      state: 'online',
      at: 5,
      model: 'hailong-bridge',
      upstream: { connected: false, backlog: 20_000, votesPerSecond: 0, forwarded: 12, lastAckAt: 4, skipped: 3, revocationBacklog: 2 },
    };
    expect(parseStatus(JSON.stringify(bridge))).toEqual({ ok: true, value: bridge });
    expect(
      parseStatus('{"v":1,"state":"online","at":5,"upstream":{"connected":true,"backlog":0,"votesPerSecond":7,"forwarded":9}}'),
    ).toMatchObject({ ok: true, value: { upstream: { connected: true, forwarded: 9 } } });
    expect(
      parseStatus('{"v":1,"state":"online","at":5,"upstream":{"connected":"yes","backlog":0,"votesPerSecond":0,"forwarded":0}}'),
    ).toMatchObject({ ok: false, field: 'upstream.connected' });
    expect(
      parseStatus('{"v":1,"state":"online","at":5,"upstream":{"connected":true,"backlog":-1,"votesPerSecond":0,"forwarded":0}}'),
    ).toMatchObject({ ok: false, code: 'out-of-range', field: 'upstream.backlog' });
    expect(parseStatus('{"v":1,"state":"online","at":5,"upstream":{"connected":true}}')).toMatchObject({
      ok: false,
      code: 'missing-field',
      field: 'upstream.backlog',
    });
  });

  it("reads a button box's missing power-cut fuses (EVENT FUSE) and refuses a list that is not one", () => {
    const fuses = { efuse: 0xfd, hfuse: 0xda, missing: ['BOD', 'EESAVE'] };
    expect(parseStatus(JSON.stringify({ v: 1, state: 'online', at: 5, kind: 'button', fuses }))).toEqual({
      ok: true,
      value: { v: 1, state: 'online', at: 5, kind: 'button', fuses },
    });
    const bad = (f: unknown) => parseStatus(JSON.stringify({ v: 1, state: 'online', at: 5, fuses: f }));
    expect(bad({ efuse: 256, hfuse: 0xd7, missing: ['BOD'] })).toMatchObject({ ok: false, code: 'out-of-range', field: 'fuses.efuse' });
    expect(bad({ efuse: 0xfd, missing: ['BOD'] })).toMatchObject({ ok: false, code: 'missing-field', field: 'fuses.hfuse' });
    expect(bad({ efuse: 0xfd, hfuse: 0xd7, missing: [] })).toMatchObject({ ok: false, field: 'fuses.missing' });
    expect(bad({ efuse: 0xfd, hfuse: 0xd7, missing: 'BOD' })).toMatchObject({ ok: false, field: 'fuses.missing' });
    expect(bad({ efuse: 0xfd, hfuse: 0xd7, missing: ['BOD', 'BOD'] })).toMatchObject({
      ok: false,
      code: 'bad-order',
      field: 'fuses.missing',
    });
    expect(bad({ efuse: 0xfd, hfuse: 0xda, missing: ['EESAVE', 'BOD'] })).toMatchObject({
      ok: false,
      code: 'bad-order',
      field: 'fuses.missing',
    });
    expect(bad({ efuse: 0xfd, hfuse: 0xd7, missing: ['WDT'] })).toMatchObject({ ok: false, code: 'bad-enum', field: 'fuses.missing[0]' });
    expect(bad([0xfd, 0xd7])).toMatchObject({ ok: false, field: 'fuses' });
  });

  it("reads a button box's low supply (EVENT LOWV, in mV) and refuses a value that is no voltage", () => {
    expect(parseStatus('{"v":1,"state":"online","at":5,"kind":"button","supplyMv":4100}')).toEqual({
      ok: true,
      value: { v: 1, state: 'online', at: 5, kind: 'button', supplyMv: 4100 },
    });
    expect(parseStatus('{"v":1,"state":"online","at":5,"supplyMv":20001}')).toMatchObject({
      ok: false,
      code: 'out-of-range',
      field: 'supplyMv',
    });
    expect(parseStatus('{"v":1,"state":"online","at":5,"supplyMv":4.1}')).toMatchObject({ ok: false, field: 'supplyMv' });
    expect(parseStatus('{"v":1,"state":"online","at":5,"supplyMv":"4100"}')).toMatchObject({ ok: false, field: 'supplyMv' });
  });

  it('keeps an error counter named constructor as an own property only', () => {
    const r = parseStatus(online);
    expect(r.ok && Object.hasOwn(r.value.errors ?? {}, 'constructor')).toBe(true);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  it.each<[string, unknown, string, string | undefined]>([
    ['not object', '[]', 'not-object', undefined],
    ['v missing', { state: 'online', at: 0 }, 'missing-field', 'v'],
    ['state bad', { v: 1, state: 'up', at: 0 }, 'bad-enum', 'state'],
    ['state missing', { v: 1, at: 0 }, 'missing-field', 'state'],
    ['at negative', { v: 1, state: 'online', at: -5 }, 'out-of-range', 'at'],
    ['kind bad', { v: 1, state: 'online', at: 0, kind: 'sms' }, 'bad-enum', 'kind'],
    ['uid with space', { v: 1, state: 'online', at: 0, uid: 'HL 1' }, 'bad-text', 'uid'],
    ['model too long', { v: 1, state: 'online', at: 0, model: 'm'.repeat(33) }, 'bad-text', 'model'],
    ['firmware number', { v: 1, state: 'online', at: 0, firmware: 1 }, 'bad-type', 'firmware'],
    ['errors array', { v: 1, state: 'online', at: 0, errors: [] }, 'not-object', 'errors'],
    ['errors proto key', JSON.parse('{"v":1,"state":"online","at":0,"errors":{"__proto__":1}}'), 'bad-text', 'errors.__proto__'],
    ['errors negative', { v: 1, state: 'online', at: 0, errors: { x: -1 } }, 'out-of-range', 'errors.x'],
    [
      'errors too many',
      { v: 1, state: 'online', at: 0, errors: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`e${i}`, 1])) },
      'out-of-range',
      'errors',
    ],
  ])('%s → %s at %s', (_name, input, code, field) => {
    const r = parseStatus(input);
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) expect(r.field).toBe(field);
  });

  it('never throws (property) and round-trips valid statuses (property)', () => {
    for (const input of HOSTILE_INPUTS) expect(parseStatus(input).ok).toBe(false);
    fc.assert(
      fc.property(junkArb, (input) => {
        expect(typeof parseStatus(input).ok).toBe('boolean');
      }),
    );
    fc.assert(
      fc.property(statusArb, (s) => {
        expect(parseStatus(JSON.stringify(s))).toEqual({ ok: true, value: s });
      }),
    );
  });
});

describe('mergeStatus', () => {
  it('keeps the newer status whatever the arrival order (property)', async () => {
    const { mergeStatus } = await import('../../core/status.ts');
    const fc = (await import('fast-check')).default;
    const statusArb = fc.record(
      {
        v: fc.constant(1 as const),
        state: fc.constantFrom('online' as const, 'offline' as const),
        at: fc.integer({ min: 0, max: 5 }),
        since: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
      },
      { requiredKeys: ['v', 'state', 'at'] },
    );
    fc.assert(
      fc.property(statusArb, statusArb, statusArb, (a, b, c) => {
        expect(mergeStatus(a, b)).toEqual(mergeStatus(b, a));
        expect(mergeStatus(mergeStatus(a, b), c)).toEqual(mergeStatus(a, mergeStatus(b, c)));
        expect(mergeStatus(a, a)).toEqual(a);
        expect(mergeStatus(a, b).at).toBe(Math.max(a.at, b.at));
      }),
    );
  });

  it("lets a last will end the online of its own connection (same 'at': offline wins)", async () => {
    const { mergeStatus } = await import('../../core/status.ts');
    const online = { v: 1 as const, state: 'online' as const, at: 100, model: 'hailong-bridge', errors: { x: 1 } };
    const will = { v: 1 as const, state: 'offline' as const, at: 100, model: 'hailong-bridge' };
    expect(mergeStatus(online, will)).toBe(will);
    expect(mergeStatus(will, online)).toBe(will);
    expect(mergeStatus(will, { ...online, at: 101 }).state).toBe('online');
  });

  it('keeps when a will was noticed: the stamped copy wins, the earliest stamp first (issue 12: "mất kết nối từ")', async () => {
    const { mergeStatus, parseStatus, statusSince } = await import('../../core/status.ts');
    // Connected 11:17:36 (the will's `at`), noticed offline 11:18:28.
    const will = { v: 1 as const, state: 'offline' as const, at: 1_000, kind: 'touch' as const };
    const noticed = { ...will, since: 53_000 };
    const later = { ...will, since: 60_000 };
    expect(parseStatus(JSON.stringify(noticed))).toEqual({ ok: true, value: noticed });
    expect(parseStatus(JSON.stringify({ ...will, since: -1 })).ok).toBe(false);
    expect(mergeStatus(will, noticed)).toBe(noticed);
    expect(mergeStatus(noticed, will)).toBe(noticed);
    expect(mergeStatus(later, noticed)).toBe(noticed);
    expect(statusSince(mergeStatus(will, noticed))).toBe(53_000);
    expect(statusSince(will)).toBe(1_000);
  });
});

describe('keepsTerminal', () => {
  it('exactly one of two devices keeps a terminal; the earlier claim, an untimed (old) kiosk first (property)', async () => {
    const claim = fc.record(
      { uid: fc.string({ minLength: 1, maxLength: 4 }), claimedAt: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }) },
      { requiredKeys: ['uid'] },
    );
    fc.assert(
      fc.property(claim, claim, (a, b) => {
        if (a.uid === b.uid) return;
        expect(keepsTerminal(a, b)).toBe(!keepsTerminal(b, a));
      }),
    );
    expect(keepsTerminal({ uid: 'z', claimedAt: 1 }, { uid: 'a', claimedAt: 2 })).toBe(true);
    expect(keepsTerminal({ uid: 'a', claimedAt: 1 }, { uid: 'z' })).toBe(false);
  });
});
