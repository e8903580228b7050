/**
 * MQTT client ids that belong to an account. A broker drops a client's
 * session when another connection uses the same id (MQTT 3.1.1 §3.1.4), so
 * an id that anyone may use is a way to cut the bridge or a kiosk off. The
 * embedded broker reserves these prefixes (bridge/broker/access.ts
 * `clientIdProblem`); the bridge's id also ends in a secret-derived suffix,
 * so it cannot be guessed on a broker that does not check (Mosquitto).
 */
import type { TerminalPath, WardPath } from './path.ts';

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

/** The fixed client id of a kiosk: one session per kiosk, resumed after every reconnect. */
export function kioskClientId(p: Pick<TerminalPath, 'district' | 'ward' | 'terminal'>): string {
  return `${KIOSK_CLIENT_ID_PREFIX}${p.district}${SEP}${p.ward}${SEP}${p.terminal}`;
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
