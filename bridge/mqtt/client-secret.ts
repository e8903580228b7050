/**
 * The secret-derived part of the bridge's MQTT client ids. Separate from
 * ward-bridge.ts because the Mosquitto config generator must derive the
 * same ids (bridge/broker), without pulling in the whole bridge.
 */
import { createHash } from 'node:crypto';

/**
 * 16 hex digits derived from the bridge's broker password, so that its
 * client id cannot be guessed by other accounts (issue 13, item 7): a
 * broker that does not bind ids to accounts (Mosquitto) would otherwise let
 * a kiosk login take the bridge's session over. Undefined without a password.
 */
export function secretSuffix(password: string | undefined): string | undefined {
  if (password === undefined || password === '') return undefined;
  return createHash('sha256').update(`hailong client id\u0000${password}`).digest('hex').slice(0, 16);
}
