/**
 * Who may publish, read and subscribe what: hailong's broker access rules,
 * pure (no I/O, no Buffer). Each account's rights are a short list of grants
 * (an MQTT filter plus read or write), built from core's topic scheme
 * (`topicFor`, `subscriptionFor`). The embedded Aedes broker evaluates them
 * with `topicMatches`; `hailong mosquitto-config` writes the very same grants
 * as the ACLs of Mosquitto's dynamic-security plugin (mosquitto-dynsec.ts) —
 * one source, so both brokers grant the same rights.
 *
 * Semantics are Mosquitto's (mosquitto.conf(5), "acl_file", which the
 * generated plugin config reproduces): a subscription is accepted when it can
 * match anything readable, and every delivery is then filtered per concrete
 * topic, so `hailong/v1/#` from a district dashboard is accepted but delivers
 * only that district.
 */
import type { AnonymousAccess, BrokerUser } from './broker-user.ts';
import { requireId } from '../../core/ids.ts';
import { MAX_TOPIC_CHARS, subscriptionFor, subscriptionForAll, topicFor, topicMatches, TOPIC_ROOT } from '../../core/topic.ts';
import {
  BRIDGE_CLIENT_ID_PREFIX,
  bridgeClientId,
  clientIdSuffix,
  isOwnBridgeClientId,
  KIOSK_CLIENT_ID_PREFIX,
  kioskClientId,
} from '../../core/client-id.ts';

/** A client that connected without credentials, under the config's `anonymous` setting. */
export interface AnonymousPrincipal {
  readonly role: 'anonymous';
  readonly access: AnonymousAccess;
}

/** Whoever a client is: a configured account or an anonymous client. */
export type Principal = BrokerUser | AnonymousPrincipal;

/** The principal of a client without credentials. */
export function anonymousPrincipal(access: AnonymousAccess): AnonymousPrincipal {
  return Object.freeze({ role: 'anonymous', access });
}

/** `read`: may receive messages on matching topics; `write`: may publish on them. */
export type GrantAccess = 'read' | 'write';

/** One right: an MQTT filter and what may be done with the topics it matches. */
export interface Grant {
  readonly access: GrantAccess;
  readonly filter: string;
}

/** Longest subscription filter accepted, in characters (MQTT's UTF-8 string limit). */
export const MAX_FILTER_CHARS = 65_535;

const grantCache = new WeakMap<Principal, readonly Grant[]>();

function grant(access: GrantAccess, filter: string): Grant {
  return Object.freeze({ access, filter });
}

/**
 * The grants of a principal, in a stable order (writes first). Throws on a
 * principal with a bad id: principals come from the validated config
 * (see `requireBrokerUsers`).
 *
 * - bridge: read + write `hailong/v1/{d}/{w}/#`; read its hub's archive
 *   receipts `hailong/v1/{d}/_archived/{w}/+` (core/archive-receipt.ts),
 *   which it cannot write;
 * - kiosk: write its own `vote` and `status` — never a tally: the bridge
 *   journals the kiosk's votes and publishes its tallies, so a stolen kiosk
 *   login cannot poison its figures (issue 13); read its terminal's subtree
 *   (config, tally, status), its counter's `_served` and `_session`, and
 *   its ward's `_office`;
 * - desk: write `_served` and `_session` of its counter (or of every counter
 *   of the ward); read the ward;
 * - dashboard: read its district, or its ward;
 * - hub: read its parent `hailong/v1/{d}/#`; write only its archive
 *   receipts `hailong/v1/{d}/_archived/#`;
 * - anonymous `read`: read `hailong/v1/#`; anonymous `none`: nothing.
 *
 * The tally month is a `+` level, not checked to be `YYYY-MM`: Mosquitto's
 * ACLs cannot express it, and subscribers reject a bad month anyway
 * (`parseMessage` → `bad-month`).
 */
export function grantsOf(principal: Principal): readonly Grant[] {
  const cached = grantCache.get(principal);
  if (cached) return cached;
  const grants = Object.freeze(buildGrants(principal));
  grantCache.set(principal, grants);
  return grants;
}

function buildGrants(p: Principal): Grant[] {
  switch (p.role) {
    case 'anonymous':
      return p.access === 'read' ? [grant('read', `${TOPIC_ROOT}/#`)] : [];
    case 'bridge': {
      const ward = subscriptionForAll({ district: p.district, ward: requireId(p.ward, 'user.ward') });
      const receipts = subscriptionFor('archived', { district: p.district, ward: requireId(p.ward, 'user.ward') });
      return [grant('write', ward), grant('read', ward), grant('read', receipts)];
    }
    case 'hub': {
      const parent = subscriptionForAll({ district: requireId(p.district, 'user.district') });
      return [grant('write', `${TOPIC_ROOT}/${p.district}/_archived/#`), grant('read', parent)];
    }
    case 'kiosk': {
      const path = {
        district: p.district,
        ward: requireId(p.ward, 'user.ward'),
        counter: requireId(p.counter, 'user.counter'),
        terminal: requireId(p.terminal, 'user.terminal'),
      };
      return [
        grant('write', topicFor('vote', path)),
        grant('write', topicFor('status', path)),
        grant('read', `${TOPIC_ROOT}/${requireId(path.district, 'user.district')}/${path.ward}/${path.counter}/${path.terminal}/#`),
        grant('read', topicFor('served', path)),
        grant('read', topicFor('session', path)),
        grant('read', topicFor('office', path)),
      ];
    }
    case 'desk': {
      const ward = requireId(p.ward, 'user.ward');
      const scope = p.counter === undefined ? { district: p.district, ward } : { district: p.district, ward, counter: p.counter };
      return [
        grant('write', subscriptionFor('served', scope)),
        grant('write', subscriptionFor('session', scope)),
        grant('read', subscriptionForAll({ district: p.district, ward })),
      ];
    }
    case 'dashboard':
      return [
        grant(
          'read',
          p.ward === undefined
            ? subscriptionForAll({ district: requireId(p.district, 'user.district') })
            : subscriptionForAll({ district: p.district, ward: p.ward }),
        ),
      ];
  }
}

/**
 * Why `topic` can never be published, whoever asks, or undefined when its
 * shape is fine: not a string, empty, longer than `MAX_TOPIC_CHARS`, `$…`
 * (broker-only, e.g. `$SYS`), a `+`/`#` wildcard, an empty level or U+0000.
 * Never throws.
 */
export function publishTopicProblem(topic: unknown): string | undefined {
  if (typeof topic !== 'string') return 'topic is not a string';
  if (topic.length === 0) return 'topic is empty';
  if (topic.length > MAX_TOPIC_CHARS) return `topic is longer than ${MAX_TOPIC_CHARS} chars`;
  if (topic.startsWith('$')) return 'topics starting with $ are reserved to the broker';
  if (topic.includes('+') || topic.includes('#')) return 'topic contains a wildcard (+ or #)';
  if (topic.includes('\u0000')) return 'topic contains U+0000';
  if (topic.split('/').includes('')) return 'topic has an empty level';
  return undefined;
}

/**
 * Why `filter` is not a well-formed MQTT 3.1.1 subscription filter (§4.7),
 * or undefined: empty, too long, U+0000, `#` not alone in the last level,
 * `+` not alone in its level. Never throws.
 */
export function filterProblem(filter: unknown): string | undefined {
  if (typeof filter !== 'string') return 'filter is not a string';
  if (filter.length === 0) return 'filter is empty';
  if (filter.length > MAX_FILTER_CHARS) return `filter is longer than ${MAX_FILTER_CHARS} chars`;
  if (filter.includes('\u0000')) return 'filter contains U+0000';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return '# must be the whole last level';
    if (level.includes('+') && level !== '+') return '+ must be a whole level';
  }
  return undefined;
}

/**
 * Why `principal` may not connect with `clientId`, or undefined when it
 * may. A connection with a client id already in use takes that session
 * over (MQTT 3.1.1 §3.1.4), so ids are bound to accounts:
 *
 * - a kiosk may use only its own id (`kioskClientId` with the
 *   `clientIdSuffix` of its password, as the kiosk and the generated
 *   Mosquitto setup derive it);
 * - a bridge its ward's `bridgeClientId` ids or any unreserved id;
 * - every other account and anonymous clients any id outside those two
 *   reserved prefixes.
 *
 * Never throws.
 */
export function clientIdProblem(principal: Principal, clientId: unknown): string | undefined {
  if (typeof clientId !== 'string') return 'client id is not a string';
  if (principal.role === 'kiosk') {
    const own = ownKioskClientId(principal);
    return clientId === own ? undefined : `kiosk ${principal.username} may only use its own client id ${own}`;
  }
  if (principal.role === 'bridge' && !clientId.startsWith(KIOSK_CLIENT_ID_PREFIX)) {
    // Its ward's bridge ids, or any unreserved id (e.g. `hailong-upstream-…` towards a hub).
    const own = bridgeClientId({ district: principal.district, ward: principal.ward ?? '' });
    if (!clientId.startsWith(BRIDGE_CLIENT_ID_PREFIX) || isOwnBridgeClientId(own, clientId)) return undefined;
    return `bridge ${principal.username} may not use another ward's bridge client id`;
  }
  if (clientId.startsWith(BRIDGE_CLIENT_ID_PREFIX) || clientId.startsWith(KIOSK_CLIENT_ID_PREFIX)) {
    return `client ids starting with ${BRIDGE_CLIENT_ID_PREFIX} or ${KIOSK_CLIENT_ID_PREFIX} are reserved to bridge and kiosk accounts`;
  }
  return undefined;
}

/** The only client id a kiosk account may use: its place, then the suffix derived from its password. */
export function ownKioskClientId(kiosk: Pick<BrokerUser, 'district' | 'ward' | 'terminal' | 'password'>): string {
  return kioskClientId(
    { district: kiosk.district, ward: kiosk.ward ?? '', terminal: kiosk.terminal ?? '' },
    clientIdSuffix(kiosk.password),
  );
}

/** True when `principal` may publish on `topic`. Never throws on a hostile topic. */
export function canPublish(principal: Principal, topic: unknown): boolean {
  if (publishTopicProblem(topic) !== undefined) return false;
  return grantsOf(principal).some((g) => g.access === 'write' && topicMatches(g.filter, topic as string));
}

/** True when a message on the concrete `topic` may be delivered to `principal`. Never throws. */
export function canRead(principal: Principal, topic: unknown): boolean {
  if (typeof topic !== 'string' || topic.length === 0) return false;
  return grantsOf(principal).some((g) => g.access === 'read' && topicMatches(g.filter, topic));
}

/**
 * A concrete topic that `principal` may read and that `filter` matches, or
 * undefined when there is none (or the filter is malformed). `+` levels of
 * both filters become `0`. Never throws.
 */
export function readableWitness(principal: Principal, filter: unknown): string | undefined {
  if (filterProblem(filter) !== undefined) return undefined;
  const wanted = (filter as string).split('/');
  for (const g of grantsOf(principal)) {
    if (g.access !== 'read') continue;
    const levels = intersect(wanted, g.filter.split('/'));
    if (levels === undefined) continue;
    const topic = levels.join('/');
    // Belt and braces: the witness must really satisfy both filters.
    if (topicMatches(filter as string, topic) && canRead(principal, topic)) return topic;
  }
  return undefined;
}

/**
 * True when `principal` may subscribe to `filter`: it is well-formed and can
 * match at least one topic the principal may read. Deliveries are then
 * filtered per topic (`canRead`). Never throws.
 */
export function canSubscribe(principal: Principal, filter: unknown): boolean {
  return readableWitness(principal, filter) !== undefined;
}

/**
 * The levels of one topic matched by both filters `a` and `b`, or undefined
 * when no topic matches both. `#` matches its parent level too
 * (`a/#` matches `a`, MQTT 3.1.1 §4.7.1.2).
 */
function intersect(a: readonly string[], b: readonly string[]): string[] | undefined {
  const levels: string[] = [];
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (x === '#' || y === '#') {
      const other = x === '#' ? b : a;
      for (let j = i; j < other.length && other[j] !== '#'; j++) levels.push(other[j] === '+' ? '0' : other[j]!);
      return levels;
    }
    if (x === undefined && y === undefined) return levels;
    if (x === undefined || y === undefined) return undefined;
    if (x === '+') levels.push(y === '+' ? '0' : y);
    else if (y === '+' || x === y) levels.push(x);
    else return undefined;
  }
}
