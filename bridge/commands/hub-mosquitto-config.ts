/**
 * `hailong mosquitto-config` on a hub config: the Mosquitto accounts of a
 * hub. Each unit's bridge writes only under `hailong/v1/{parent}/{unit}/#`
 * (the grants of a `bridge` principal in bridge/broker/access.ts, so
 * Mosquitto and the embedded broker grant the same) and may connect only
 * with its unit's upstream client id; the hub reads the whole parent with
 * `mqtt.username` (role `hub`: it writes only its archive receipts),
 * bound to its own client id; dashboards read as
 * configured. Both ids end in a suffix derived from the account's password
 * (core/client-id.ts), so no other account can take those sessions over.
 */
import { hubClientId, upstreamClientId } from '../../core/client-id.ts';
import type { BrokerUser } from '../broker/broker-user.ts';
import { unitAccountsOf, type HubConfig } from '../hub/hub-config.ts';
import type { CommandIo } from './command-io.ts';
import { readHubConfigOrReport } from './hub.ts';
import type { MosquittoConfigInputs } from './mosquitto-config.ts';

/** Every Mosquitto account of a hub; reports what is missing. */
export function hubMosquittoInputs(
  config: HubConfig,
  wsPort: number,
): { readonly ok: true; readonly inputs: MosquittoConfigInputs } | { readonly ok: false; readonly problems: readonly string[] } {
  const { username, password } = config.mqtt;
  if (username === undefined || password === undefined) {
    return {
      ok: false,
      problems: ['mqtt.username and mqtt.password are required: the hub signs in to Mosquitto with them to archive every unit'],
    };
  }
  // Reads the whole parent; writes only its archive receipts (bridge/hub/hub-receipts.ts).
  const hub: BrokerUser = { username, password, role: 'hub', district: config.parent.id };
  const units = unitAccountsOf(config);
  // The ids the hub (hub-app.ts) and each unit's upstream link (upstream.ts) connect with by default.
  const clientIds: Record<string, string> = { [username]: config.mqtt.clientId ?? hubClientId(config.parent.id, password) };
  for (const unit of units) clientIds[unit.username] = upstreamClientId({ district: unit.district, ward: unit.ward ?? '' }, unit.password);
  return {
    ok: true,
    inputs: {
      district: config.parent.id,
      ward: config.units[0]?.id ?? 'hub',
      title: `hailong hub ${config.parent.id} (${config.parent.name})`,
      users: [hub, ...units, ...config.broker.users],
      clientIds,
      anonymous: config.broker.anonymous,
      tcpPort: config.broker.port || 1883,
      wsPort,
      dataDir: config.dataDir,
    },
  };
}

/** Loads a hub config file and derives its Mosquitto inputs, printing problems (the command's loader for hubs). */
export async function hubInputsFromConfigFile(file: string, wsPort: number, io: CommandIo): Promise<MosquittoConfigInputs | undefined> {
  const config = await readHubConfigOrReport(file, io);
  if (config === undefined) return undefined;
  const derived = hubMosquittoInputs(config, wsPort);
  if (derived.ok) return derived.inputs;
  io.stderr(`${file} cannot become a Mosquitto setup:\n${derived.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  return undefined;
}
