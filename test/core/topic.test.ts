import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Status } from '../../core/status.ts';
import type { Tally } from '../../core/tally.ts';
import { QOS, RETAIN, TOPIC_KINDS, parseTopic, subscriptionFor, subscriptionForAll, topicFor, topicMatches } from '../../core/topic.ts';
import type { ParsedTopic, TopicKind, TopicMap, TopicPayload } from '../../core/topic.ts';
import type { Vote } from '../../core/vote.ts';
import { T1, idArb, junkArb, monthArb, pathArb } from './arbitraries.ts';

const P = { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'hop-1' };

describe('topicFor', () => {
  it('lays out every kind', () => {
    expect(topicFor('vote', P)).toBe('hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/vote');
    expect(topicFor('status', P)).toBe('hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/status');
    expect(topicFor('config', P)).toBe('hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/config');
    expect(topicFor('receipt', P)).toBe('hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/receipt');
    expect(topicFor('tally', { ...P, month: '2026-11' })).toBe('hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/tally/2026-11');
    expect(topicFor('served', P)).toBe('hailong/v1/ba-dinh/phuc-xa/quay-1/_served');
    expect(topicFor('session', { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1' })).toBe(
      'hailong/v1/ba-dinh/phuc-xa/quay-1/_session',
    );
    expect(topicFor('bridge-status', { district: 'ba-dinh', ward: 'phuc-xa' })).toBe('hailong/v1/ba-dinh/phuc-xa/_bridge/status');
    expect(topicFor('office', { district: 'ba-dinh', ward: 'phuc-xa' })).toBe('hailong/v1/ba-dinh/phuc-xa/_office');
  });

  it('throws naming the bad param', () => {
    expect(() => topicFor('vote', { ...P, ward: 'phuong/1' })).toThrow(/params\.ward "phuong\/1" contains "\/"/);
    expect(() => topicFor('vote', { ...P, terminal: '#' })).toThrow(/params\.terminal/);
    expect(() => topicFor('tally', { ...P, month: '2026-13' })).toThrow(/params\.month/);
    expect(() => topicFor('nope' as TopicKind, P)).toThrow(/kind/);
  });

  it('is typed by kind', () => {
    expectTypeOf<TopicPayload<'vote'>>().toEqualTypeOf<Vote>();
    expectTypeOf<TopicPayload<'tally'>>().toEqualTypeOf<Tally>();
    expectTypeOf<TopicPayload<'bridge-status'>>().toEqualTypeOf<Status>();
    expectTypeOf<TopicMap['vote']['retain']>().toEqualTypeOf<false>();
    // @ts-expect-error a tally topic needs a month
    expect(() => topicFor('tally', P)).toThrow(/params\.month/);
  });
});

describe('QOS / RETAIN', () => {
  it('retains state and not events', () => {
    expect(RETAIN).toEqual({
      vote: false,
      status: true,
      tally: true,
      config: true,
      // The bridge's receipt to a kiosk: state, read again on every reconnect.
      receipt: true,
      served: false,
      session: true,
      'bridge-status': true,
      'unit-month': true,
      office: true,
      revocation: false,
      // The hub's receipt to a ward: state, read again on every reconnect.
      archived: true,
    });
    for (const kind of TOPIC_KINDS) expect(QOS[kind]).toBe(1);
  });
});

describe('parseTopic', () => {
  it('parses every kind', () => {
    expect(parseTopic('hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/vote')).toEqual({ ok: true, value: { kind: 'vote', params: P } });
    expect(parseTopic('hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/receipt')).toEqual({ ok: true, value: { kind: 'receipt', params: P } });
    expect(parseTopic('hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/tally/2026-11')).toEqual({
      ok: true,
      value: { kind: 'tally', params: { ...P, month: '2026-11' } },
    });
    expect(parseTopic('hailong/v1/ba-dinh/phuc-xa/quay-1/_served')).toEqual({
      ok: true,
      value: { kind: 'served', params: { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1' } },
    });
    expect(parseTopic('hailong/v1/ba-dinh/phuc-xa/_bridge/status')).toEqual({
      ok: true,
      value: { kind: 'bridge-status', params: { district: 'ba-dinh', ward: 'phuc-xa' } },
    });
    expect(parseTopic('hailong/v1/ba-dinh/phuc-xa/_office')).toEqual({
      ok: true,
      value: { kind: 'office', params: { district: 'ba-dinh', ward: 'phuc-xa' } },
    });
  });

  it.each<[string, unknown, string, string]>([
    ['not a string', 42, 'bad-topic', 'topic'],
    ['other root', 'other/v1/a/b/c/d/vote', 'bad-topic', 'topic'],
    ['other version', 'hailong/v2/a/b/c/d/vote', 'bad-topic', 'topic'],
    ['unknown leaf', 'hailong/v1/a/b/c/d/votes', 'bad-topic', 'topic'],
    ['too few levels', 'hailong/v1/a/b/c/vote', 'bad-topic', 'topic'],
    ['trailing slash', 'hailong/v1/a/b/c/d/vote/', 'bad-topic', 'topic'],
    ['leading slash', '/hailong/v1/a/b/c/d/vote', 'bad-topic', 'topic'],
    ['too long', `hailong/v1/${'a/'.repeat(200)}vote`, 'bad-topic', 'topic'],
    ['bad district', 'hailong/v1/Ba-Dinh/b/c/d/vote', 'bad-id', 'district'],
    ['empty ward', 'hailong/v1/a//c/d/vote', 'bad-id', 'ward'],
    ['wildcard counter', 'hailong/v1/a/b/+/d/vote', 'bad-id', 'counter'],
    ['underscore terminal', 'hailong/v1/a/b/c/_t/status', 'bad-id', 'terminal'],
    ['bad month', 'hailong/v1/a/b/c/d/tally/2026-13', 'bad-month', 'month'],
    ['month not month', 'hailong/v1/a/b/c/d/tally/now', 'bad-month', 'month'],
    ['unknown counter leaf', 'hailong/v1/a/b/c/_other', 'bad-topic', 'topic'],
    ['office under a counter', 'hailong/v1/a/b/c/_office', 'bad-topic', 'topic'],
    ['office bad ward', 'hailong/v1/a/B/_office', 'bad-id', 'ward'],
  ])('%s → %s at %s', (_name, topic, code, field) => {
    expect(parseTopic(topic)).toMatchObject({ ok: false, code, field });
  });

  it('never throws on arbitrary strings (property)', () => {
    const levels = fc.array(
      fc.oneof(
        idArb,
        fc.constantFrom('hailong', 'v1', 'vote', 'tally', '_served', '_bridge', '_office', 'status', '+', '#', '', '2026-11'),
      ),
      {
        maxLength: 9,
      },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          junkArb,
          levels.map((l) => l.join('/')),
        ),
        (topic) => {
          const r = parseTopic(topic);
          if (r.ok) expect(topicFor(r.value.kind, r.value.params as never)).toBe(topic);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('round-trips topicFor for every kind (property)', () => {
    const parsedArb: fc.Arbitrary<ParsedTopic> = fc.oneof(
      fc.record({ kind: fc.constantFrom('vote' as const, 'status' as const, 'config' as const), params: pathArb }),
      fc.record({
        kind: fc.constant('tally' as const),
        params: fc.tuple(pathArb, monthArb).map(([p, month]) => ({ ...p, month })),
      }),
      fc.record({
        kind: fc.constantFrom('served' as const, 'session' as const),
        params: pathArb.map(({ district, ward, counter }) => ({ district, ward, counter })),
      }),
      fc.record({
        kind: fc.constantFrom('bridge-status' as const, 'office' as const),
        params: pathArb.map(({ district, ward }) => ({ district, ward })),
      }),
    );
    fc.assert(
      fc.property(parsedArb, (parsed) => {
        const topic = topicFor(parsed.kind, parsed.params as never);
        expect(parseTopic(topic)).toEqual({ ok: true, value: parsed });
      }),
    );
  });
});

describe('subscriptions', () => {
  it('fills missing params with +', () => {
    expect(subscriptionFor('vote', { district: 'd', ward: 'w' })).toBe('hailong/v1/d/w/+/+/vote');
    expect(subscriptionFor('vote')).toBe('hailong/v1/+/+/+/+/vote');
    expect(subscriptionFor('tally', { district: 'd', month: '2026-11' })).toBe('hailong/v1/d/+/+/+/tally/2026-11');
    expect(subscriptionFor('tally', { district: 'd' })).toBe('hailong/v1/d/+/+/+/tally/+');
    expect(subscriptionFor('session', { district: 'd', ward: 'w' })).toBe('hailong/v1/d/w/+/_session');
    expect(subscriptionFor('bridge-status', {})).toBe('hailong/v1/+/+/_bridge/status');
    expect(subscriptionForAll()).toBe('hailong/v1/#');
    expect(subscriptionForAll({ district: 'd' })).toBe('hailong/v1/d/#');
    expect(subscriptionForAll({ district: 'd', ward: 'w' })).toBe('hailong/v1/d/w/#');
  });

  it('throws on bad scope ids', () => {
    expect(() => subscriptionFor('vote', { ward: 'W' })).toThrow(/scope\.ward/);
    expect(() => subscriptionFor('tally', { month: '2026' })).toThrow(/scope\.month/);
    expect(() => subscriptionForAll({ district: '#' })).toThrow(/scope\.district/);
  });

  it('topicMatches follows MQTT rules', () => {
    expect(topicMatches('hailong/v1/+/+/+/+/vote', topicFor('vote', T1))).toBe(true);
    expect(topicMatches('hailong/v1/+/+/+/+/vote', topicFor('status', T1))).toBe(false);
    expect(topicMatches('hailong/v1/#', 'hailong/v1')).toBe(true);
    expect(topicMatches('hailong/#', 'hailong/v1/a')).toBe(true);
    expect(topicMatches('#', '$SYS/broker')).toBe(false);
    expect(topicMatches('+/x', '$SYS/x')).toBe(false);
    expect(topicMatches('a/+', 'a')).toBe(false);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
  });

  it('a subscription matches exactly the topics in its scope (property)', () => {
    fc.assert(
      fc.property(pathArb, pathArb, fc.boolean(), (a, b, sameWard) => {
        const target = sameWard ? { ...b, district: a.district, ward: a.ward } : b;
        const filter = subscriptionFor('vote', { district: a.district, ward: a.ward });
        const inScope = target.district === a.district && target.ward === a.ward;
        expect(topicMatches(filter, topicFor('vote', target))).toBe(inScope);
        expect(topicMatches(filter, topicFor('status', target))).toBe(false);
      }),
    );
  });
});
