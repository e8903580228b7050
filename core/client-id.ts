/**
 * MQTT client ids that belong to an account. A broker drops a client's
 * session when another connection uses the same id (MQTT 3.1.1 §3.1.4), so
 * an id that anyone may use is a way to cut the bridge or a kiosk off. The
 * embedded broker reserves these prefixes (bridge/broker/access.ts
 * `clientIdProblem`). Mosquitto's dynamic-security plugin can bind an
 * account to one id but cannot keep other accounts off it, so the ids of a
 * bridge and of a kiosk also end in a suffix derived from that account's
 * password (`clientIdSuffix`): nobody else can guess them
 * (docs/SECURITY.md, "Client ids").
 */
import type { TerminalPath, WardPath } from './path.ts';
import { sha256Hex } from './sha256.ts';

/** Client ids starting with this belong to a ward's bridge account. */
export const BRIDGE_CLIENT_ID_PREFIX = 'hailong-bridge-';

/** Client ids starting with this belong to one kiosk's account. */
export const KIOSK_CLIENT_ID_PREFIX = 'hailong-kiosk-';

/**
 * Separates the fields of an id: ids are `[a-z0-9-]`, so with `-` between
 * them district `a-b` + ward `c` and district `a` + ward `b-c` would give the
 * same client id, and ward `x` would own a prefix of ward `x-y`'s.
 */
const SEP = '.';

/**
 * 16 hex digits derived from an account's broker password, or undefined
 * without a password: the end of its client id, which other accounts
 * therefore cannot guess (issue 13, item 7). The kiosk computes it in the
 * browser, the bridge and `hailong mosquitto-config` in Node: one function,
 * so all three agree.
 */
export function clientIdSuffix(password: string | undefined): string | undefined {
  if (password === undefined || password === '') return undefined;
  return sha256Hex(`hailong client id\u0000${password}`).slice(0, 16);
}

/**
 * The fixed client id of a kiosk, `hailong-kiosk-{district}.{ward}.{terminal}`,
 * then `.{suffix}` when given (`clientIdSuffix` of its password): one session
 * per kiosk, resumed after every reconnect.
 */
export function kioskClientId(p: Pick<TerminalPath, 'district' | 'ward' | 'terminal'>, suffix?: string): string {
  return `${KIOSK_CLIENT_ID_PREFIX}${p.district}${SEP}${p.ward}${SEP}${p.terminal}${suffix === undefined || suffix === '' ? '' : `${SEP}${suffix}`}`;
}

/**
 * The client id of a ward's bridge: `hailong-bridge-{district}.{ward}`,
 * then `.{suffix}` when given (a value derived from the bridge's secret, so
 * that nobody else can guess the id).
 */
export function bridgeClientId(p: WardPath, suffix?: string): string {
  return `${BRIDGE_CLIENT_ID_PREFIX}${p.district}${SEP}${p.ward}${suffix === undefined || suffix === '' ? '' : `${SEP}${suffix}`}`;
}

/** True when `clientId` is `own` or `own` followed by `.` and more (one of that bridge's ids). */
export function isOwnBridgeClientId(own: string, clientId: string): boolean {
  return clientId === own || clientId.startsWith(`${own}${SEP}`);
}

/**
 * The client id of a ward's link to its hub: one of its ward's bridge ids
 * (`hailong-bridge-{district}.{ward}.upstream.{suffix}`, the suffix derived
 * from the upstream password), so that on the hub's embedded broker only
 * that unit's account may use it and on the hub's Mosquitto no other
 * account can guess it; the hub's `hailong mosquitto-config` binds the
 * unit's account to exactly this id.
 */
export function upstreamClientId(p: WardPath, password: string | undefined): string {
  const suffix = clientIdSuffix(password);
  return bridgeClientId(p, suffix === undefined ? 'upstream' : `upstream${SEP}${suffix}`);
}

/**
 * The client id of a hub's archiving subscriber on an external broker:
 * `hailong-hub-{parent}.{suffix}` (derived from its password), so no unit
 * can take its persistent session over, which would discard the votes
 * queued for it.
 */
export function hubClientId(parent: string, password: string | undefined): string {
  const suffix = clientIdSuffix(password);
  return `hailong-hub-${parent}${suffix === undefined ? '' : `${SEP}${suffix}`}`;
}
