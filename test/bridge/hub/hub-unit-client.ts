/**
 * A unit's MQTT client signed in to a hub's embedded broker, as the hub
 * tests use it (hub-app, hub-revocations, hub-summaries). Node only: the
 * fixtures in hub-fixtures.ts are shared with browser tests too.
 */
import mqtt from 'mqtt';
import type { Cleanups } from '../../helpers/cleanups.ts';

/** Unit `unit` signed in to the hub's broker at `url` (password `pw-<unit>`, no reconnect); closed by `cleanups`. */
export async function unitClient(url: string, unit: string, cleanups: Cleanups): Promise<mqtt.MqttClient> {
  const client = await mqtt.connectAsync(url, {
    username: unit,
    password: `pw-${unit}`,
    reconnectPeriod: 0,
    clientId: `test-${unit}-${Math.random()}`,
  });
  cleanups.push(() => client.endAsync(true));
  return client;
}
