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

/** The fixed client id of a kiosk: one session per kiosk, resumed after every reconnect. */
export function kioskClientId(p: Pick<TerminalPath, 'district' | 'ward' | 'terminal'>): string {
  return `${KIOSK_CLIENT_ID_PREFIX}${p.district}-${p.ward}-${p.terminal}`;
}

/**
 * The client id of a ward's bridge: `hailong-bridge-{district}-{ward}`,
 * then `-{suffix}` when given (a value derived from the bridge's secret, so
 * that nobody else can guess the id).
 */
export function bridgeClientId(p: WardPath, suffix?: string): string {
  return `${BRIDGE_CLIENT_ID_PREFIX}${p.district}-${p.ward}${suffix === undefined || suffix === '' ? '' : `-${suffix}`}`;
}
