/**
 * The largest payload each topic may carry, for brokers to enforce before
 * relaying (a kiosk account must not be able to push megabytes to every
 * dashboard). Derived from the very limits the payload parsers apply, in
 * characters, so a broker never refuses what a subscriber would accept: a
 * UTF-16 code unit is at most 3 UTF-8 bytes.
 */
import { COUNTER_EVENT_MAX_CHARS } from './counter-events.ts';
import { RECEIPT_MAX_CHARS } from './kiosk-receipt.ts';
import { ARCHIVE_RECEIPT_MAX_CHARS } from './archive-receipt.ts';
import { OFFICE_MAX_CHARS } from './office.ts';
import { REVOCATION_MAX_CHARS } from './revocation.ts';
import { STATUS_MAX_CHARS } from './status.ts';
import { TALLY_MAX_CHARS } from './tally.ts';
import { CONFIG_MAX_CHARS } from './terminal-config.ts';
import { parseTopic, type TopicKind } from './topic.ts';
import { UNIT_MONTH_MAX_CHARS } from './unit-month.ts';
import { VOTE_MAX_CHARS } from './vote.ts';

/** Longest payload per topic kind, in characters (the parsers' limits). */
export const MAX_PAYLOAD_CHARS: { readonly [K in TopicKind]: number } = Object.freeze({
  vote: VOTE_MAX_CHARS,
  status: STATUS_MAX_CHARS,
  tally: TALLY_MAX_CHARS,
  config: CONFIG_MAX_CHARS,
  receipt: RECEIPT_MAX_CHARS,
  served: COUNTER_EVENT_MAX_CHARS,
  session: COUNTER_EVENT_MAX_CHARS,
  'bridge-status': STATUS_MAX_CHARS,
  office: OFFICE_MAX_CHARS,
  'unit-month': UNIT_MONTH_MAX_CHARS,
  archived: ARCHIVE_RECEIPT_MAX_CHARS,
  revocation: REVOCATION_MAX_CHARS,
});

/** Longest payload of a `kind` message in UTF-8 bytes. */
export function maxPayloadBytes(kind: TopicKind): number {
  return 3 * MAX_PAYLOAD_CHARS[kind];
}

/**
 * The largest payload `topic` may carry in bytes, or undefined when the
 * topic is not one of hailong's (the access rules decide about those).
 * Never throws.
 */
export function payloadLimitOf(topic: unknown): { readonly kind: TopicKind; readonly maxBytes: number } | undefined {
  const parsed = parseTopic(topic);
  return parsed.ok ? { kind: parsed.value.kind, maxBytes: maxPayloadBytes(parsed.value.kind) } : undefined;
}
