/**
 * `hailong nats-config --config hub.yaml --out <dir>`: writes the configs of
 * a 3-node NATS JetStream cluster for a hub (bridge/broker/nats-config.ts),
 * with the same accounts and rights as `hailong mosquitto-config`, and the
 * steps to check and install them (docs/PROVINCE.md).
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { natsClusterConfigs, type NatsNode } from '../broker/nats-config.ts';
import { brokerUserProblems } from '../broker/broker-user-check.ts';
import { parseCommand, processIo, type CommandIo } from './command-io.ts';
import { readHubConfigOrReport } from './hub.ts';
import { hubMosquittoInputs } from './hub-mosquitto-config.ts';

/** Conventional NATS ports (docs.nats.io): clients 4222, routes 6222, monitoring 8222. */
export const NATS_DEFAULT_PORTS = Object.freeze({ client: 4222, cluster: 6222, http: 8222 });

/** `hailong nats-config --help` */
export const NATS_CONFIG_HELP = `hailong nats-config: write a 3-node NATS JetStream cluster for a hub (province scale)

Usage: hailong nats-config --config <hub.yaml> [--out <dir>] [--hosts a,b,c] [options]

Writes into <dir> (default ./nats) one <node>.conf per node (hailong-1..3):
server_name, cluster routes, JetStream (MQTT streams and consumers replicated 3
times), the MQTT listener (broker.port of the hub config, else 1883) and one
account per unit, writing only under hailong/v1/<parent>/<its unit>/# (the
rights of hailong mosquitto-config), the hub's account (mqtt.username) and the
dashboard accounts. Check each with: nats-server -c <node>.conf -t

Options:
  -c, --config <file>    Hub config (default hub.yaml)
  --out <dir>            Output folder (default ./nats; created if missing, files overwritten)
  --hosts <a,b,c>        The nodes' host names or addresses (default nats-1,nats-2,nats-3).
                         Nodes sharing a host (a test on one PC) get ports +0, +1, +2.
  --cluster-port <n>     Route port (default ${NATS_DEFAULT_PORTS.cluster})
  --client-port <n>      NATS client port (default ${NATS_DEFAULT_PORTS.client})
  --http-port <n>        Monitoring port, bound to 127.0.0.1 (default ${NATS_DEFAULT_PORTS.http})
  --store-dir <dir>      JetStream folder; each node uses <dir>/<node> (default /var/lib/nats)
  -h, --help             Show this help
`;

function portOf(text: string | undefined, fallback: number, name: string, problems: string[]): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n < 1 || n > 65535) problems.push(`"--${name}" must be an integer 1..65535, got "${text}"`);
  return n;
}

/** The nodes from `--hosts` and the ports; nodes on the same host get consecutive ports. */
export function natsNodesOf(
  hosts: readonly string[],
  ports: { readonly mqtt: number; readonly cluster: number; readonly client: number; readonly http: number },
): NatsNode[] {
  return hosts.map((host, i) => {
    const offset = hosts.slice(0, i).filter((h) => h === host).length;
    return {
      name: `hailong-${i + 1}`,
      host,
      mqttPort: ports.mqtt + offset,
      clusterPort: ports.cluster + offset,
      clientPort: ports.client + offset,
      httpPort: ports.http + offset,
    };
  });
}

/** Runs the command; resolves with the exit code (0 done, 1 cannot write, 2 usage or config error). */
export async function runNatsConfig(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  const args = parseCommand(
    argv,
    {
      config: { type: 'string', short: 'c' },
      out: { type: 'string' },
      hosts: { type: 'string' },
      'cluster-port': { type: 'string' },
      'client-port': { type: 'string' },
      'http-port': { type: 'string' },
      'store-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    NATS_CONFIG_HELP,
    io,
  );
  if ('exit' in args) return args.exit;
  const { values } = args;
  const problems: string[] = [];
  const hosts = (values.hosts ?? 'nats-1,nats-2,nats-3').split(',').map((h) => h.trim());
  if (hosts.length < 3 || hosts.some((h) => !/^[A-Za-z0-9._:-]+$/.test(h))) {
    problems.push(`"--hosts" must list at least 3 host names or addresses separated by commas, got "${values.hosts ?? ''}"`);
  }
  const cluster = portOf(values['cluster-port'], NATS_DEFAULT_PORTS.cluster, 'cluster-port', problems);
  const client = portOf(values['client-port'], NATS_DEFAULT_PORTS.client, 'client-port', problems);
  const http = portOf(values['http-port'], NATS_DEFAULT_PORTS.http, 'http-port', problems);
  if (problems.length > 0) {
    io.stderr(`${problems.join('\n')}\n`);
    return 2;
  }
  const file = values.config ?? 'hub.yaml';
  const config = await readHubConfigOrReport(file, io);
  if (config === undefined) return 2;
  const derived = hubMosquittoInputs(config, 0);
  if (!derived.ok) {
    io.stderr(`${file} cannot become a NATS cluster:\n${derived.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 2;
  }
  const userProblems = brokerUserProblems(derived.inputs.users, 'users');
  if (userProblems.length > 0) {
    io.stderr(`${file} cannot become a NATS cluster:\n${userProblems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 2;
  }
  const nodes = natsNodesOf(hosts, { mqtt: config.broker.port || 1883, cluster, client, http });
  const files = natsClusterConfigs({
    cluster: `hailong-${config.parent.id}`,
    title: `hailong hub ${config.parent.id} (${config.parent.name})`,
    nodes,
    users: derived.inputs.users,
    anonymous: config.broker.anonymous,
    storeRoot: resolve(values['store-dir'] ?? '/var/lib/nats'),
  });
  const out = resolve(values.out ?? 'nats');
  try {
    await mkdir(out, { recursive: true });
    for (const f of files) {
      await writeFile(join(out, f.fileName), f.text, { mode: 0o600 });
      await chmod(join(out, f.fileName), 0o600); // writeFile keeps the mode of an existing file; these hold passwords
    }
  } catch (error) {
    io.stderr(`Cannot write to ${out}: ${(error as Error).message}\n`);
    return 1;
  }
  const urls = nodes.map((n) => `mqtt://${n.host}:${n.mqttPort}`).join(', ');
  io.stdout(
    [
      `Wrote ${files.map((f) => join(out, f.fileName)).join(', ')} for ${config.parent.name}` +
        ` (${derived.inputs.users.length} account(s), anonymous: ${config.broker.anonymous}).`,
      '',
      'Next steps (docs/PROVINCE.md):',
      `  1. Check each: nats-server -c <node>.conf -t`,
      `  2. Copy hailong-N.conf to node N as /etc/nats-server.conf (mode 600, owner nats) and start nats-server there.`,
      `  3. Hub: mqtt.urls [${urls}] with mqtt.username / mqtt.password.`,
      `     Each unit: upstream.urls [${urls}] with its unit's account.`,
      '',
    ].join('\n'),
  );
  return 0;
}
