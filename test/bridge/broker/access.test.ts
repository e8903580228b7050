import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anonymousPrincipal,
  canPublish,
  canRead,
  canSubscribe,
  filterProblem,
  grantsOf,
  publishTopicProblem,
  readableWitness,
  type Principal,
} from '../../../bridge/broker/access.ts';
import type { BrokerUser } from '../../../bridge/broker/broker-user.ts';
import { brokerUserProblems, requireBrokerUsers } from '../../../bridge/broker/broker-user-check.ts';
import { parseTopic, topicFor, topicMatches, TOPIC_KINDS, type TopicKind } from '../../../core/topic.ts';

const kiosk: BrokerUser = { username: 'k', password: 'p', role: 'kiosk', district: 'd1', ward: 'w1', counter: 'c1', terminal: 't1' };
const bridge: BrokerUser = { username: 'b', password: 'p', role: 'bridge', district: 'd1', ward: 'w1' };
const deskOne: BrokerUser = { username: 'd', password: 'p', role: 'desk', district: 'd1', ward: 'w1', counter: 'c1' };
const deskAll: BrokerUser = { username: 'da', password: 'p', role: 'desk', district: 'd1', ward: 'w1' };
const dashDistrict: BrokerUser = { username: 'x', password: 'p', role: 'dashboard', district: 'd1' };
const dashWard: BrokerUser = { username: 'y', password: 'p', role: 'dashboard', district: 'd1', ward: 'w1' };
const hub: BrokerUser = { username: 'h', password: 'p', role: 'hub', district: 'd1' };
const anonRead = anonymousPrincipal('read');
const anonNone = anonymousPrincipal('none');

const W = 'hailong/v1/d1/w1';

describe('grants per role', () => {
  it('lists exactly the rights of each role', () => {
    const show = (p: Principal) => grantsOf(p).map((g) => `${g.access} ${g.filter}`);
    expect(show(bridge)).toEqual([`write ${W}/#`, `read ${W}/#`, 'read hailong/v1/d1/_archived/w1/+']);
    expect(show(hub)).toEqual(['write hailong/v1/d1/_archived/#', 'read hailong/v1/d1/#']);
    expect(show(kiosk)).toEqual([
      `write ${W}/c1/t1/vote`,
      `write ${W}/c1/t1/status`,
      `read ${W}/c1/t1/#`,
      `read ${W}/c1/_served`,
      `read ${W}/c1/_session`,
      `read ${W}/_office`,
    ]);
    expect(show(deskOne)).toEqual([`write ${W}/c1/_served`, `write ${W}/c1/_session`, `read ${W}/#`]);
    expect(show(deskAll)).toEqual([`write ${W}/+/_served`, `write ${W}/+/_session`, `read ${W}/#`]);
    expect(show(dashDistrict)).toEqual(['read hailong/v1/d1/#']);
    expect(show(dashWard)).toEqual([`read ${W}/#`]);
    expect(show(anonRead)).toEqual(['read hailong/v1/#']);
    expect(show(anonNone)).toEqual([]);
  });
});

describe("the hub's archive receipts", () => {
  const own = 'hailong/v1/d1/_archived/w1/t1';
  const other = 'hailong/v1/d1/_archived/w2/t1';
  it("a unit reads its own receipts and nobody else's, and can forge none", () => {
    expect(canRead(bridge, own)).toBe(true);
    expect(canRead(bridge, other)).toBe(false);
    expect(canPublish(bridge, own)).toBe(false);
    expect(canPublish(bridge, other)).toBe(false);
    for (const p of [kiosk, deskOne, deskAll, dashDistrict, dashWard, anonRead]) expect(canPublish(p, own)).toBe(false);
  });

  it('the hub writes receipts only, and reads its whole parent', () => {
    expect(canPublish(hub, own)).toBe(true);
    expect(canPublish(hub, other)).toBe(true);
    expect(canPublish(hub, 'hailong/v1/d2/_archived/w1/t1')).toBe(false);
    expect(canPublish(hub, `${W}/c1/t1/vote`)).toBe(false);
    expect(canPublish(hub, `${W}/_summary/2026-01`)).toBe(false);
    expect(canRead(hub, `${W}/c1/t1/vote`)).toBe(true);
    expect(canRead(hub, 'hailong/v1/d2/w1/c1/t1/vote')).toBe(false);
  });
});

describe('canPublish', () => {
  it('lets a kiosk publish only its own vote and status: never a tally (the bridge publishes those)', () => {
    expect(canPublish(kiosk, `${W}/c1/t1/vote`)).toBe(true);
    expect(canPublish(kiosk, `${W}/c1/t1/status`)).toBe(true);
    expect(canPublish(kiosk, `${W}/c1/t1/tally/2025-03`)).toBe(false);
    // The bridge's receipt (which votes are journaled) is the bridge's alone.
    expect(canPublish(kiosk, `${W}/c1/t1/receipt`)).toBe(false);
    expect(canRead(kiosk, `${W}/c1/t1/receipt`)).toBe(true);
    expect(canPublish(kiosk, `${W}/c1/t1/config`)).toBe(false);
    expect(canPublish(kiosk, `${W}/c1/t2/vote`)).toBe(false);
    expect(canPublish(kiosk, `${W}/c2/t1/vote`)).toBe(false);
    expect(canPublish(kiosk, `${W}/c1/_served`)).toBe(false);
    expect(canPublish(kiosk, `${W}/c1/t1/tally/2025-03/x`)).toBe(false);
  });

  it('lets a desk publish _served and _session of its counter, or of every counter', () => {
    expect(canPublish(deskOne, `${W}/c1/_served`)).toBe(true);
    expect(canPublish(deskOne, `${W}/c1/_session`)).toBe(true);
    expect(canPublish(deskOne, `${W}/c2/_served`)).toBe(false);
    expect(canPublish(deskAll, `${W}/c2/_served`)).toBe(true);
    expect(canPublish(deskAll, `${W}/c1/t1/vote`)).toBe(false);
    expect(canPublish(deskAll, 'hailong/v1/d1/w2/c1/_served')).toBe(false);
  });

  it('lets a bridge publish anything well-formed in its ward and nothing else', () => {
    expect(canPublish(bridge, `${W}/_office`)).toBe(true);
    expect(canPublish(bridge, `${W}/c9/t9/config`)).toBe(true);
    expect(canPublish(bridge, 'hailong/v1/d1/w2/_office')).toBe(false);
    expect(canPublish(bridge, '$SYS/broker/x')).toBe(false);
  });

  it("lets only a unit's bridge account revoke, and only its own unit's votes (issue 10)", () => {
    const own = topicFor('revocation', { district: 'd1', ward: 'w1' });
    expect(own).toBe(`${W}/_revocation`);
    expect(canPublish(bridge, own)).toBe(true);
    expect(canPublish(bridge, topicFor('revocation', { district: 'd1', ward: 'w2' }))).toBe(false);
    expect(canPublish(bridge, topicFor('revocation', { district: 'd2', ward: 'w1' }))).toBe(false);
    // A stolen kiosk login or a desk cannot take votes back.
    for (const p of [kiosk, deskOne, deskAll, dashDistrict, dashWard, anonRead, anonNone]) expect(canPublish(p, own), p.role).toBe(false);
  });

  it('never lets a dashboard or an anonymous client publish', () => {
    for (const p of [dashDistrict, dashWard, anonRead, anonNone]) {
      expect(canPublish(p, `${W}/_office`)).toBe(false);
      expect(canPublish(p, `${W}/c1/t1/vote`)).toBe(false);
    }
  });

  it('refuses malformed topics for everyone', () => {
    for (const topic of [
      `${W}/+/_served`,
      `${W}/#`,
      `${W}//_served`,
      `${W}/c1/t1/tally/`,
      '',
      `${W}/c1/t1/tally/${'x'.repeat(300)}`,
      `${W}/\u0000/_served`,
    ]) {
      expect(canPublish(bridge, topic), topic).toBe(false);
      expect(publishTopicProblem(topic), topic).toBeTypeOf('string');
    }
  });
});

describe('canRead and canSubscribe', () => {
  it('delivers to a kiosk its terminal subtree, its counter events and the office', () => {
    expect(canRead(kiosk, `${W}/c1/t1/config`)).toBe(true);
    expect(canRead(kiosk, `${W}/c1/t1/tally/2025-03`)).toBe(true);
    expect(canRead(kiosk, `${W}/c1/_served`)).toBe(true);
    expect(canRead(kiosk, `${W}/c1/_session`)).toBe(true);
    expect(canRead(kiosk, `${W}/_office`)).toBe(true);
    expect(canRead(kiosk, `${W}/c1/t2/config`)).toBe(false);
    expect(canRead(kiosk, `${W}/c2/_served`)).toBe(false);
    expect(canRead(kiosk, `${W}/_bridge/status`)).toBe(false);
  });

  it('accepts a filter that can match something readable, mosquitto-style', () => {
    expect(canSubscribe(dashDistrict, 'hailong/v1/#')).toBe(true);
    expect(canSubscribe(dashDistrict, '#')).toBe(true);
    expect(canSubscribe(dashDistrict, 'hailong/v1/+/+/+/+/vote')).toBe(true);
    expect(canSubscribe(dashDistrict, 'hailong/v1/d2/#')).toBe(false);
    expect(canSubscribe(dashWard, 'hailong/v1/d1/w2/#')).toBe(false);
    expect(canSubscribe(kiosk, `${W}/+/_served`)).toBe(true);
    expect(canSubscribe(kiosk, `${W}/c2/+`)).toBe(false);
    expect(canSubscribe(kiosk, `${W}/_bridge/#`)).toBe(false);
    expect(canSubscribe(anonRead, '$SYS/#')).toBe(false);
    expect(canSubscribe(anonNone, '#')).toBe(false);
  });

  it('gives a witness topic that is readable and matched', () => {
    expect(readableWitness(dashDistrict, 'hailong/v1/+/+/+/+/vote')).toBe('hailong/v1/d1/0/0/0/vote');
    expect(readableWitness(anonRead, '#')).toBe('hailong/v1');
    expect(readableWitness(kiosk, `${W}/+/#`)).toBe(`${W}/c1/t1`);
  });

  it('rejects malformed filters', () => {
    for (const f of ['', 'a/#/b', 'a#', 'a/b+', '+a/b', 'hailong/v1/\u0000', 'x'.repeat(70_000)]) {
      expect(filterProblem(f), JSON.stringify(f.slice(0, 20))).toBeTypeOf('string');
      expect(canSubscribe(anonRead, f)).toBe(false);
    }
    expect(filterProblem('hailong/+/#')).toBeUndefined();
  });
});

// ---------- property tests ----------

const idArb = fc.constantFrom('d1', 'd2', 'w1', 'w2', 'c1', 'c2', 't1', 't2', '0', 'x');
const userArb: fc.Arbitrary<BrokerUser> = fc.oneof(
  fc.record({ district: idArb, ward: idArb }).map((p) => ({ username: 'b', password: 'p', role: 'bridge' as const, ...p })),
  fc
    .record({ district: idArb, ward: idArb, counter: idArb, terminal: idArb })
    .map((p) => ({ username: 'k', password: 'p', role: 'kiosk' as const, ...p })),
  fc.record({ district: idArb, ward: idArb, counter: fc.option(idArb, { nil: undefined }) }).map(({ counter, ...p }) => ({
    username: 'd',
    password: 'p',
    role: 'desk' as const,
    ...p,
    ...(counter === undefined ? {} : { counter }),
  })),
  fc
    .record({ district: idArb, ward: fc.option(idArb, { nil: undefined }) })
    .map(({ ward, ...p }) => ({ username: 'x', password: 'p', role: 'dashboard' as const, ...p, ...(ward === undefined ? {} : { ward }) })),
);
const principalArb: fc.Arbitrary<Principal> = fc.oneof(
  { weight: 6, arbitrary: userArb },
  { weight: 1, arbitrary: fc.constantFrom(anonRead, anonNone) },
);

/** Real hailong topics of every kind over the small id alphabet, plus near misses and junk. */
const levelArb = fc.oneof(
  idArb,
  fc.constantFrom(
    'hailong',
    'v1',
    'v2',
    'vote',
    'status',
    'config',
    'tally',
    '2025-03',
    '_served',
    '_session',
    '_office',
    '_bridge',
    '',
    '$SYS',
  ),
);
const kindTopicArb = fc
  .record({
    kind: fc.constantFrom(...TOPIC_KINDS),
    district: idArb,
    ward: idArb,
    counter: idArb,
    terminal: idArb,
    month: fc.constantFrom('2025-03', '2024-12'),
  })
  .map(({ kind, ...params }) => topicFor(kind as TopicKind, params as never));
const topicArb = fc.oneof(
  { weight: 4, arbitrary: kindTopicArb },
  { weight: 2, arbitrary: fc.array(levelArb, { minLength: 1, maxLength: 9 }).map((l) => l.join('/')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
);
const filterArb = fc.oneof(
  fc
    .tuple(
      fc.array(fc.oneof({ weight: 3, arbitrary: levelArb }, { weight: 2, arbitrary: fc.constant('+') }), { minLength: 0, maxLength: 8 }),
      fc.boolean(),
    )
    .map(([levels, hash]) => [...levels, ...(hash || levels.length === 0 ? ['#'] : [])].join('/')),
  fc.string({ maxLength: 60 }),
);
const hostileArb = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.string({ unit: fc.constantFrom('/', '+', '#', '$', '\u0000', 'a', 'ố', '\uD800'), maxLength: 300 }),
  fc.constantFrom(undefined, null, 42, {}, [], 'x'.repeat(100_000)),
);

describe('access properties', () => {
  it('a kiosk can never publish outside its own terminal topics', () => {
    fc.assert(
      fc.property(
        userArb.filter((u) => u.role === 'kiosk'),
        topicArb,
        (k, topic) => {
          if (!canPublish(k, topic)) return;
          const own = `hailong/v1/${k.district}/${k.ward}/${k.counter}/${k.terminal}/`;
          expect(topic.startsWith(own)).toBe(true);
          const rest = topic.slice(own.length);
          expect(rest === 'vote' || rest === 'status').toBe(true);
          const parsed = parseTopic(topic);
          if (parsed.ok) expect(['vote', 'status']).toContain(parsed.value.kind);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a dashboard or an anonymous client can never publish', () => {
    fc.assert(
      fc.property(
        principalArb.filter((p) => p.role === 'dashboard' || p.role === 'anonymous'),
        topicArb,
        (p, topic) => {
          expect(canPublish(p, topic)).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('every principal can read what it may publish, and publishes only inside its district', () => {
    fc.assert(
      fc.property(principalArb, topicArb, (p, topic) => {
        if (!canPublish(p, topic)) return;
        expect(canRead(p, topic)).toBe(true);
        expect(p.role).not.toBe('anonymous');
        if (p.role !== 'anonymous') expect(topic.startsWith(`hailong/v1/${p.district}/`)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('canSubscribe(filter) iff some readable topic matches it', () => {
    fc.assert(
      fc.property(principalArb, filterArb, fc.array(topicArb, { maxLength: 30 }), (p, filter, topics) => {
        const allowed = canSubscribe(p, filter);
        // ⇐ : any generated readable topic matched by the filter means it must be accepted.
        if (filterProblem(filter) === undefined && topics.some((t) => canRead(p, t) && topicMatches(filter, t))) {
          expect(allowed).toBe(true);
        }
        // ⇒ : an accepted filter comes with a concrete readable topic it matches.
        const witness = readableWitness(p, filter);
        expect(witness !== undefined).toBe(allowed);
        if (witness !== undefined) {
          expect(canRead(p, witness)).toBe(true);
          expect(topicMatches(filter, witness)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('readable grants of real topics: a subscription to the exact topic is accepted', () => {
    fc.assert(
      fc.property(principalArb, kindTopicArb, (p, topic) => {
        expect(canSubscribe(p, topic)).toBe(canRead(p, topic));
      }),
      { numRuns: 2000 },
    );
  });

  it('hostile strings never throw', () => {
    fc.assert(
      fc.property(principalArb, hostileArb, (p, input) => {
        expect(typeof canPublish(p, input)).toBe('boolean');
        expect(typeof canRead(p, input)).toBe('boolean');
        expect(typeof canSubscribe(p, input)).toBe('boolean');
        expect(['string', 'undefined']).toContain(typeof publishTopicProblem(input));
        expect(['string', 'undefined']).toContain(typeof filterProblem(input));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('broker user validation', () => {
  it('reports every problem of a list at once, naming the field', () => {
    const problems = brokerUserProblems([
      { username: 'ok', password: 'p', role: 'kiosk', district: 'd1', ward: 'w1', counter: 'c1' },
      { username: 'bad:name', password: '', role: 'bridge', district: 'D1', ward: 'w1', terminal: 't1' },
      { username: 'ok', password: 'line\nbreak', role: 'boss', district: 'd1' },
      null,
    ]);
    expect(problems).toEqual([
      'users[0].terminal is required for role kiosk',
      expect.stringContaining('users[1].username "bad:name"'),
      'users[1].password is empty',
      expect.stringContaining('users[1].district "D1" contains "D"'),
      'users[1].terminal is not allowed for role bridge',
      'users[2].username ok is also used by users[0]',
      expect.stringContaining('users[2].password contains a control character'),
      expect.stringContaining('users[2].role must be one of'),
      'users[3] must be an object',
    ]);
    expect(() => requireBrokerUsers([{ username: 'a', password: 'p', role: 'dashboard', district: 'd1', counter: 'c' }])).toThrow(
      'users[0].counter is not allowed for role dashboard',
    );
    expect(
      brokerUserProblems([kiosk, bridge, deskOne, deskAll, dashDistrict, dashWard].map((u, i) => ({ ...u, username: `u${i}` }))),
    ).toEqual([]);
  });
});
