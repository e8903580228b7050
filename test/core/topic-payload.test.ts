import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyVote, emptyTally } from '../../core/tally.ts';
import { TOPIC_KINDS, topicFor } from '../../core/topic.ts';
import type { TopicKind } from '../../core/topic.ts';
import { encodePayload, parseMessage, parsePayload, publicationFor } from '../../core/topic-payload.ts';
import { DEFAULT_TERMINAL_CONFIG } from '../../core/terminal-config.ts';
import { HOSTILE_INPUTS, T1, junkArb, makeVote, voteArb, vnTime } from './arbitraries.ts';

const vote = makeVote(T1, 7, 'rat-hai-long', vnTime('2026-11-23'));
const tally = applyVote(emptyTally(T1, '2026-11'), vote);

describe('parsePayload', () => {
  it('dispatches to the validator of the kind', () => {
    expect(parsePayload('vote', JSON.stringify(vote))).toEqual({ ok: true, value: vote });
    expect(parsePayload('tally', JSON.stringify(tally))).toEqual({ ok: true, value: tally });
    expect(parsePayload('config', JSON.stringify(DEFAULT_TERMINAL_CONFIG))).toEqual({ ok: true, value: DEFAULT_TERMINAL_CONFIG });
    expect(parsePayload('bridge-status', '{"v":1,"state":"offline","at":3}')).toEqual({
      ok: true,
      value: { v: 1, state: 'offline', at: 3 },
    });
    expect(parsePayload('served', '{"v":1,"at":3}')).toEqual({ ok: true, value: { v: 1, at: 3 } });
    expect(parsePayload('session', '{"v":1,"officer":null,"at":3}')).toMatchObject({ ok: true });
    // A vote is not a status.
    expect(parsePayload('status', JSON.stringify(vote))).toMatchObject({ ok: false, code: 'missing-field', field: 'state' });
  });

  it('reports a cleared retained message as empty-payload', () => {
    expect(parsePayload('status', '')).toMatchObject({ ok: false, code: 'empty-payload' });
  });

  it('rejects an unknown kind at runtime', () => {
    expect(parsePayload('nope' as TopicKind, '{}')).toMatchObject({ ok: false, code: 'bad-topic', field: 'kind' });
  });

  it('never throws for any kind (property)', () => {
    for (const kind of TOPIC_KINDS) for (const input of HOSTILE_INPUTS) expect(parsePayload(kind, input).ok).toBe(false);
    fc.assert(
      fc.property(fc.constantFrom(...TOPIC_KINDS), junkArb, (kind, input) => {
        expect(typeof parsePayload(kind, input).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseMessage', () => {
  it('returns kind, params and payload', () => {
    expect(parseMessage(topicFor('vote', vote), JSON.stringify(vote))).toEqual({
      ok: true,
      value: { kind: 'vote', params: T1, payload: vote },
    });
    expect(parseMessage(topicFor('tally', tally), JSON.stringify(tally))).toMatchObject({ ok: true, value: { kind: 'tally' } });
  });

  it('refuses a payload that names another place than its topic', () => {
    const elsewhere = topicFor('vote', { ...T1, ward: 'other' });
    expect(parseMessage(elsewhere, JSON.stringify(vote))).toMatchObject({ ok: false, code: 'topic-mismatch', field: 'ward' });
    const otherMonth = topicFor('tally', { ...T1, month: '2026-10' });
    expect(parseMessage(otherMonth, JSON.stringify(tally))).toMatchObject({ ok: false, code: 'topic-mismatch', field: 'month' });
  });

  it('passes topic and payload errors through', () => {
    expect(parseMessage('x/y', '{}')).toMatchObject({ ok: false, code: 'bad-topic' });
    expect(parseMessage(topicFor('vote', T1), '{')).toMatchObject({ ok: false, code: 'bad-json' });
  });

  it('accepts every valid vote on its own topic (property)', () => {
    fc.assert(
      fc.property(voteArb, (v) => {
        expect(parseMessage(topicFor('vote', v), encodePayload('vote', v))).toEqual({
          ok: true,
          value: { kind: 'vote', params: { district: v.district, ward: v.ward, counter: v.counter, terminal: v.terminal }, payload: v },
        });
      }),
    );
  });
});

describe('publicationFor', () => {
  it('bundles topic, JSON, QoS and retain', () => {
    expect(publicationFor('tally', tally, tally)).toEqual({
      topic: 'hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/tally/2026-11',
      payload: JSON.stringify(tally),
      qos: 1,
      retain: true,
    });
    expect(publicationFor('vote', vote, vote).retain).toBe(false);
    expect(() => encodePayload('nope' as TopicKind, vote as never)).toThrow(/kind/);
  });
});
