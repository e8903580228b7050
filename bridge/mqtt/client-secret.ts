/**
 * The secret-derived part of the bridge's MQTT client ids. Separate from
 * ward-bridge.ts because the Mosquitto config generator must derive the
 * same ids (bridge/broker), without pulling in the whole bridge.
 */
import { clientIdSuffix } from '../../core/client-id.ts';

/**
 * 16 hex digits derived from the bridge's broker password, so that its
 * client id cannot be guessed by other accounts (issue 13, item 7): the
 * same derivation as a kiosk's (core/client-id.ts `clientIdSuffix`).
 * Undefined without a password.
 */
export function secretSuffix(password: string | undefined): string | undefined {
  return clientIdSuffix(password);
}
