/**
 * Payload validation keyed by topic kind: the receiving half of the topic
 * map. `parseMessage` is what a subscriber calls for every MQTT message: it
 * parses the topic, validates the payload with the kind's validator, and
 * checks that a payload naming its own place (votes, tallies, office) names the
 * place in its topic — so broker ACLs on topics also bind the payload.
 */
import { parseArchiveReceipt } from './archive-receipt.ts';
import type { ArchiveReceipt } from './archive-receipt.ts';
import { parseServed, parseSession } from './counter-events.ts';
import type { InputResult } from './json-input.ts';
import { typeName } from './json-input.ts';
import { err, ok } from './result.ts';
import { parseReceipt } from './kiosk-receipt.ts';
import type { KioskReceipt } from './kiosk-receipt.ts';
import { parseOffice } from './office.ts';
import { parseRevocation } from './revocation.ts';
import type { VoteRevocation } from './revocation.ts';
import { parseStatus } from './status.ts';
import { parseTally } from './tally.ts';
import type { Tally } from './tally.ts';
import type { Office } from './office.ts';
import { parseTerminalConfig } from './terminal-config.ts';
import { QOS, RETAIN, TOPIC_KINDS, parseTopic, topicFor } from './topic.ts';
import type { TallyTopicParams, TopicKind, TopicMap, TopicParams, TopicPayload } from './topic.ts';
import { parseUnitMonth } from './unit-month.ts';
import type { UnitMonth } from './unit-month.ts';
import { parseVote } from './vote.ts';
import type { Vote } from './vote.ts';

/** The validator of each kind's payload (JSON text or parsed value in, Result out, never throws). */
export const PAYLOAD_PARSERS: { readonly [K in TopicKind]: (input: unknown) => InputResult<TopicMap[K]['payload']> } = Object.freeze({
  vote: parseVote,
  status: parseStatus,
  tally: parseTally,
  config: parseTerminalConfig,
  receipt: parseReceipt,
  served: parseServed,
  session: parseSession,
  'bridge-status': parseStatus,
  office: parseOffice,
  'unit-month': parseUnitMonth,
  revocation: parseRevocation,
  archived: parseArchiveReceipt,
});

/**
 * Validates the payload of a `kind` message (JSON text — decode MQTT bytes
 * as UTF-8 first — or an already parsed value). An empty string, MQTT's
 * "retained message cleared", yields code `empty-payload`. Never throws.
 */
export function parsePayload<K extends TopicKind>(kind: K, input: unknown): InputResult<TopicPayload<K>> {
  if (!TOPIC_KINDS.includes(kind)) {
    return err('bad-topic', `unknown topic kind ${typeName(kind)} ${String(kind)}`, 'kind');
  }
  const parser = PAYLOAD_PARSERS[kind] as (input: unknown) => InputResult<TopicPayload<K>>;
  return parser(input);
}

/** A received message: parsed topic plus validated payload, discriminated by `kind`. */
export type TopicMessage = {
  [K in TopicKind]: { readonly kind: K; readonly params: TopicParams<K>; readonly payload: TopicPayload<K> };
}[TopicKind];

const PLACE_FIELDS = ['district', 'ward', 'counter', 'terminal', 'month'] as const;

/**
 * Parses topic and payload together. Besides the codes of `parseTopic` and
 * `parsePayload`, returns `topic-mismatch` (field = the differing param)
 * when a vote's, tally's, receipt's, archive receipt's, office's, unit summary's or revocation's own district/ward/counter/terminal/month differ
 * from its topic. Never throws.
 */
export function parseMessage(topic: unknown, payload: unknown): InputResult<TopicMessage> {
  const parsed = parseTopic(topic);
  if (!parsed.ok) return parsed;
  const { kind, params } = parsed.value;
  const body = parsePayload(kind, payload);
  if (!body.ok) return body;
  if (
    kind === 'vote' ||
    kind === 'tally' ||
    kind === 'receipt' ||
    kind === 'office' ||
    kind === 'unit-month' ||
    kind === 'revocation' ||
    kind === 'archived'
  ) {
    const own = body.value as Vote | Tally | KioskReceipt | Office | UnitMonth | VoteRevocation | ArchiveReceipt;
    for (const field of PLACE_FIELDS) {
      const expected = (params as Partial<TallyTopicParams>)[field];
      const actual = (own as Partial<TallyTopicParams>)[field];
      if (expected !== undefined && expected !== actual) {
        return err(
          'topic-mismatch',
          `${kind} payload has ${field} ${JSON.stringify(actual)} but its topic says ${JSON.stringify(expected)}`,
          field,
        );
      }
    }
  }
  return ok({ kind, params, payload: body.value } as TopicMessage);
}

/** The payload text to publish for a kind (plain JSON; the type ties payload to kind). */
export function encodePayload<K extends TopicKind>(kind: K, payload: TopicPayload<K>): string {
  if (!TOPIC_KINDS.includes(kind)) throw new RangeError(`kind must be a topic kind, got ${String(kind)}`);
  return JSON.stringify(payload);
}

/** Topic, payload text, QoS and retain flag: `publish(p.topic, p.payload, { qos: p.qos, retain: p.retain })`. */
export interface Publication<K extends TopicKind = TopicKind> {
  readonly topic: string;
  readonly payload: string;
  readonly qos: TopicMap[K]['qos'];
  readonly retain: TopicMap[K]['retain'];
}

/** Everything needed to publish a `kind` message correctly (topic, JSON, QoS, retain). */
export function publicationFor<K extends TopicKind>(kind: K, params: TopicParams<K>, payload: TopicPayload<K>): Publication<K> {
  return { topic: topicFor(kind, params), payload: encodePayload(kind, payload), qos: QOS[kind], retain: RETAIN[kind] };
}
