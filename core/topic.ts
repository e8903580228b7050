/**
 * THE map from MQTT topic to payload type, shared by every publisher and
 * subscriber. Layout under `hailong/v1/{district}/{ward}/`:
 *
 *   {counter}/{terminal}/vote            Vote            QoS 1
 *   {counter}/{terminal}/status          Status          QoS 1, retained (+ last will)
 *   {counter}/{terminal}/tally/{YYYY-MM} Tally           QoS 1, retained
 *   {counter}/{terminal}/config          TerminalConfig  QoS 1, retained
 *   {counter}/{terminal}/receipt         KioskReceipt    QoS 1, retained (the bridge's, to a kiosk)
 *   {counter}/_served                    Served          QoS 1
 *   {counter}/_session                   Session         QoS 1, retained
 *   _bridge/status                       Status          QoS 1, retained (+ last will)
 *   _office                              Office          QoS 1, retained
 *   _summary/{YYYY-MM}                   UnitMonth       QoS 1, retained (published by a hub only)
 *   _revocation                          VoteRevocation  QoS 1 (a ward's bridge, towards its hub)
 *
 * and beside the wards, under `hailong/v1/{district}/` (a hub's parent):
 *
 *   _archived/{ward}/{terminal}          ArchiveReceipt  QoS 1, retained (published by a hub only)
 *
 * — outside the ward's subtree, so a unit's account (which writes
 * `{district}/{ward}/#`) can read its receipts but never forge them.
 *
 * Ids never start with `_`, so `_`-leaves cannot collide with ids. Only MQTT
 * 3.1.1 features are used: everything a consumer needs is in the topic and
 * the JSON payload (no v5 user properties, no message expiry).
 */
import type { ArchiveReceipt, ArchiveReceiptPath } from './archive-receipt.ts';
import type { Served, Session } from './counter-events.ts';
import type { KioskReceipt } from './kiosk-receipt.ts';
import type { Office } from './office.ts';
import type { VoteRevocation } from './revocation.ts';
import { parseId, requireId } from './ids.ts';
import type { InputResult } from './json-input.ts';
import { show, typeName } from './json-input.ts';
import type { CounterPath, TerminalPath, WardPath } from './path.ts';
import { err, ok } from './result.ts';
import type { Status } from './status.ts';
import type { Tally } from './tally.ts';
import type { TerminalConfig } from './terminal-config.ts';
import type { UnitMonth } from './unit-month.ts';
import { isMonthKey } from './time.ts';
import type { Vote } from './vote.ts';

/** First two topic levels: product and protocol version. */
export const TOPIC_ROOT = 'hailong/v1';

/** Topic params of a terminal's monthly tally. */
export interface TallyTopicParams extends TerminalPath {
  /** Local month `YYYY-MM`. */
  readonly month: string;
}

/** Topic params of a unit's monthly summary. */
export interface UnitMonthTopicParams extends WardPath {
  /** Local month `YYYY-MM`. */
  readonly month: string;
}

/** Every topic kind with its params, payload type, QoS and retain flag. */
export interface TopicMap {
  vote: { params: TerminalPath; payload: Vote; qos: 1; retain: false };
  status: { params: TerminalPath; payload: Status; qos: 1; retain: true };
  tally: { params: TallyTopicParams; payload: Tally; qos: 1; retain: true };
  config: { params: TerminalPath; payload: TerminalConfig; qos: 1; retain: true };
  receipt: { params: TerminalPath; payload: KioskReceipt; qos: 1; retain: true };
  served: { params: CounterPath; payload: Served; qos: 1; retain: false };
  session: { params: CounterPath; payload: Session; qos: 1; retain: true };
  'bridge-status': { params: WardPath; payload: Status; qos: 1; retain: true };
  office: { params: WardPath; payload: Office; qos: 1; retain: true };
  'unit-month': { params: UnitMonthTopicParams; payload: UnitMonth; qos: 1; retain: true };
  revocation: { params: WardPath; payload: VoteRevocation; qos: 1; retain: false };
  archived: { params: ArchiveReceiptPath; payload: ArchiveReceipt; qos: 1; retain: true };
}

/** A topic kind. */
export type TopicKind = keyof TopicMap;

/** The params of a topic kind. */
export type TopicParams<K extends TopicKind> = TopicMap[K]['params'];

/** The payload type of a topic kind. */
export type TopicPayload<K extends TopicKind> = TopicMap[K]['payload'];

/** A parsed topic: kind and params, discriminated by `kind`. */
export type ParsedTopic = { [K in TopicKind]: { readonly kind: K; readonly params: TopicParams<K> } }[TopicKind];

/** Every topic kind. */
export const TOPIC_KINDS: readonly TopicKind[] = [
  'vote',
  'status',
  'tally',
  'config',
  'receipt',
  'served',
  'session',
  'bridge-status',
  'office',
  'unit-month',
  'revocation',
  'archived',
];

/** QoS to publish and subscribe with, per kind. Everything is QoS 1: at least once, deduped by seq. */
export const QOS: { readonly [K in TopicKind]: TopicMap[K]['qos'] } = Object.freeze({
  vote: 1,
  status: 1,
  tally: 1,
  config: 1,
  receipt: 1,
  served: 1,
  session: 1,
  'bridge-status': 1,
  office: 1,
  'unit-month': 1,
  revocation: 1,
  archived: 1,
});

/** Retain flag per kind: state is retained, events are not. */
export const RETAIN: { readonly [K in TopicKind]: TopicMap[K]['retain'] } = Object.freeze({
  vote: false,
  status: true,
  tally: true,
  config: true,
  // The kiosk reads it on every (re)connect: what the bridge journaled while it was away.
  receipt: true,
  served: false,
  session: true,
  'bridge-status': true,
  office: true,
  'unit-month': true,
  // An event, like a vote: the hub archives it; a retained copy would only be replayed.
  revocation: false,
  // State, like the kiosk receipt: a ward reads it on every (re)connect.
  archived: true,
});

/** Longest topic `parseTopic` looks at. */
export const MAX_TOPIC_CHARS = 256;

// Which params each kind has, in topic order (month is handled separately).
const WARD_PARAMS = ['district', 'ward'] as const;
const COUNTER_PARAMS = ['district', 'ward', 'counter'] as const;
const TERMINAL_PARAMS = ['district', 'ward', 'counter', 'terminal'] as const;
const ARCHIVED_PARAMS = ['district', 'ward', 'terminal'] as const;

type ParamName = (typeof TERMINAL_PARAMS)[number] | 'month';

function paramNames(kind: TopicKind): readonly (typeof TERMINAL_PARAMS)[number][] {
  if (kind === 'archived') return ARCHIVED_PARAMS;
  if (kind === 'bridge-status' || kind === 'office' || kind === 'unit-month' || kind === 'revocation') return WARD_PARAMS;
  if (kind === 'served' || kind === 'session') return COUNTER_PARAMS;
  return TERMINAL_PARAMS;
}

// Topic levels for `kind` from already-rendered param levels (ids or `+`).
function layout(kind: TopicKind, v: Readonly<Record<ParamName, string>>): string {
  const ward = `${TOPIC_ROOT}/${v.district}/${v.ward}`;
  const terminal = `${ward}/${v.counter}/${v.terminal}`;
  switch (kind) {
    case 'vote':
    case 'status':
    case 'config':
    case 'receipt':
      return `${terminal}/${kind}`;
    case 'tally':
      return `${terminal}/tally/${v.month}`;
    case 'served':
      return `${ward}/${v.counter}/_served`;
    case 'session':
      return `${ward}/${v.counter}/_session`;
    case 'bridge-status':
      return `${ward}/_bridge/status`;
    case 'office':
      return `${ward}/_office`;
    case 'unit-month':
      return `${ward}/_summary/${v.month}`;
    case 'revocation':
      return `${ward}/_revocation`;
    case 'archived':
      return `${TOPIC_ROOT}/${v.district}/_archived/${v.ward}/${v.terminal}`;
  }
}

function requireKind(kind: TopicKind): void {
  if (!TOPIC_KINDS.includes(kind)) {
    throw new RangeError(`kind must be one of ${TOPIC_KINDS.join(', ')}, got ${String(kind)}`);
  }
}

/**
 * The topic to publish `kind` on, e.g. `topicFor('vote', vote)` →
 * `hailong/v1/d/w/c/t/vote`. Extra properties of `params` are ignored, so
 * a Vote or Tally can be passed as is. Throws naming the bad param
 * (`params.ward`, `params.month`) — params come from validated data.
 */
export function topicFor<K extends TopicKind>(kind: K, params: TopicParams<K>): string {
  requireKind(kind);
  if (typeof params !== 'object' || params === null) throw new TypeError('params must be an object');
  const p = params as Partial<Record<ParamName, unknown>>;
  const v: Record<ParamName, string> = { district: '', ward: '', counter: '', terminal: '', month: '' };
  for (const name of paramNames(kind)) v[name] = requireId(p[name], `params.${name}`);
  if (kind === 'tally' || kind === 'unit-month') {
    if (!isMonthKey(p.month)) throw new RangeError(`params.month must be YYYY-MM, got ${String(p.month)}`);
    v.month = p.month;
  }
  return layout(kind, v);
}

/**
 * A subscription filter for `kind`, with `+` for every param not in
 * `scope`: `subscriptionFor('vote', { district: 'd', ward: 'w' })` →
 * `hailong/v1/d/w/+/+/vote`. Throws on a bad id in `scope`.
 */
export function subscriptionFor<K extends TopicKind>(kind: K, scope: Partial<TopicParams<K>> = {}): string {
  requireKind(kind);
  const p = scope as Partial<Record<ParamName, unknown>>;
  const v: Record<ParamName, string> = { district: '+', ward: '+', counter: '+', terminal: '+', month: '+' };
  for (const name of paramNames(kind)) {
    if (p[name] !== undefined) v[name] = requireId(p[name], `scope.${name}`);
  }
  if ((kind === 'tally' || kind === 'unit-month') && p.month !== undefined) {
    if (!isMonthKey(p.month)) throw new RangeError(`scope.month must be YYYY-MM, got ${String(p.month)}`);
    v.month = p.month;
  }
  return layout(kind, v);
}

/** A filter for every topic under a district/ward (`hailong/v1/d/w/#`), or all of hailong v1. */
export function subscriptionForAll(scope: Partial<WardPath> = {}): string {
  const district = scope.district === undefined ? '+' : requireId(scope.district, 'scope.district');
  if (scope.ward !== undefined) return `${TOPIC_ROOT}/${district}/${requireId(scope.ward, 'scope.ward')}/#`;
  return scope.district === undefined ? `${TOPIC_ROOT}/#` : `${TOPIC_ROOT}/${district}/#`;
}

/** MQTT 3.1.1 filter matching (`+` one level, `#` the rest, `$` topics never match a leading wildcard). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

function badTopic(topic: string, why: string): InputResult<never> {
  return err('bad-topic', `topic ${show(topic)} ${why}`, 'topic');
}

/**
 * Parses a received topic into its kind and params. Never throws: codes
 * `bad-topic` (wrong root, layout or leaf; field `topic`), `bad-id`
 * (field = the param, e.g. `ward`) and `bad-month` (field `month`).
 */
export function parseTopic(topic: unknown): InputResult<ParsedTopic> {
  if (typeof topic !== 'string') return err('bad-topic', `topic must be a string, got ${typeName(topic)}`, 'topic');
  if (topic.length > MAX_TOPIC_CHARS) return badTopic(topic, `is longer than ${MAX_TOPIC_CHARS} chars`);
  const parts = topic.split('/');
  if (parts[0] !== 'hailong' || parts[1] !== 'v1') return badTopic(topic, `does not start with ${TOPIC_ROOT}/`);
  const n = parts.length;
  let kind: TopicKind | undefined;
  // First: level 3 is a ward id everywhere else, and ids never start with `_`.
  if (parts[3] === '_archived') {
    if (n !== 6) return badTopic(topic, 'is not a known hailong topic');
    for (const [name, level] of [
      ['district', parts[2]],
      ['ward', parts[4]],
      ['terminal', parts[5]],
    ] as const) {
      const bad = parseId(level, name);
      if (!bad.ok) return bad;
    }
    return ok({ kind: 'archived', params: { district: parts[2] ?? '', ward: parts[4] ?? '', terminal: parts[5] ?? '' } });
  }
  if (n === 7 && (parts[6] === 'vote' || parts[6] === 'status' || parts[6] === 'config' || parts[6] === 'receipt')) kind = parts[6];
  else if (n === 8 && parts[6] === 'tally') kind = 'tally';
  else if (n === 6 && parts[4] === '_bridge' && parts[5] === 'status') kind = 'bridge-status';
  else if (n === 5 && parts[4] === '_office') kind = 'office';
  else if (n === 5 && parts[4] === '_revocation') kind = 'revocation';
  else if (n === 6 && parts[4] === '_summary') kind = 'unit-month';
  else if (n === 6 && parts[5] === '_served') kind = 'served';
  else if (n === 6 && parts[5] === '_session') kind = 'session';
  if (kind === undefined) return badTopic(topic, 'is not a known hailong topic');
  const names = paramNames(kind);
  for (let i = 0; i < names.length; i++) {
    const bad = parseId(parts[i + 2], names[i] as ParamName);
    if (!bad.ok) return bad;
  }
  // Levels 2..5 are now known to be ids wherever the layout has them.
  const [, , district = '', ward = '', counter = '', terminal = '', , month = ''] = parts;
  switch (kind) {
    case 'bridge-status':
    case 'office':
    case 'revocation':
      return ok({ kind, params: { district, ward } });
    case 'served':
    case 'session':
      return ok({ kind, params: { district, ward, counter } });
    case 'unit-month':
      // The month is level 5 here (`{ward}/_summary/{YYYY-MM}`).
      if (!isMonthKey(parts[5])) {
        return err('bad-month', `month ${show(parts[5] ?? '')} in topic ${show(topic)} must be YYYY-MM`, 'month');
      }
      return ok({ kind, params: { district, ward, month: parts[5] } });
    case 'tally':
      if (!isMonthKey(month)) {
        return err('bad-month', `month ${show(month)} in topic ${show(topic)} must be YYYY-MM`, 'month');
      }
      return ok({ kind, params: { district, ward, counter, terminal, month } });
    default:
      return ok({ kind, params: { district, ward, counter, terminal } });
  }
}
