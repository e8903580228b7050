/**
 * `hailong mosquitto-config --config f --out <dir>`: writes a Mosquitto setup
 * that grants exactly what the embedded broker grants (see
 * bridge/broker/mosquitto-config.ts), from the office config, and prints
 * the steps to install it.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { AnonymousAccess, BrokerUser } from '../broker/broker-user.ts';
import { brokerUserProblems } from '../broker/broker-user-check.ts';
import { DEFAULT_DYNSEC_PLUGIN, MOSQUITTO_FILES, mosquittoConfig, type MosquittoSetup } from '../broker/mosquitto-config.ts';
import { kioskUsersOf } from '../broker/kiosk-users.ts';
import { configKindOf } from '../hub/load-hub-config.ts';
import { parseCommand, processIo, readConfigOrReport, type CommandIo } from './command-io.ts';
import { hubInputsFromConfigFile } from './hub-mosquitto-config.ts';

/** What the command needs from the validated bridge config: the generator's setup but where to write. */
export type MosquittoConfigInputs = Omit<MosquittoSetup, 'configDir'>;

/**
 * Reads the inputs from the config file; prints the problems and returns
 * undefined when it cannot. Injectable for tests.
 */
export type MosquittoInputsLoader = (file: string, wsPort: number, io: CommandIo) => Promise<MosquittoConfigInputs | undefined>;

/** `hailong mosquitto-config --help` */
export const MOSQUITTO_CONFIG_HELP = `hailong mosquitto-config: write a Mosquitto 2.0 setup for this ward (or hub)

Usage: hailong mosquitto-config [--config <file>] [--out <dir>] [--ws-port <n>] [--plugin <path>]

Writes into <dir> (default ./mosquitto):
  ${MOSQUITTO_FILES.conf}        listeners (TCP + WebSocket), persistence, and the
                        dynamic-security plugin (${MOSQUITTO_FILES.snippet} instead when <dir>
                        is Debian's /etc/mosquitto/conf.d)
  ${MOSQUITTO_FILES.dynsec}  the plugin's accounts: password hashes (no plain text), the same
                        rights as the embedded broker, and client ids bound to accounts
  ${MOSQUITTO_FILES.script}   lets user "mosquitto" read it and write the database (run as root)

Accounts come from the office config: the bridge signs in with mqtt.username /
mqtt.password, each kiosk with its terminal id and password, plus broker.users.
A kiosk may connect only with its own client id, which ends in a suffix derived
from its password (the kiosk app computes it), so a stolen kiosk login cannot
cut another kiosk or the bridge off; the bridge's ids end in such a suffix too.
The TCP port is broker.port; Mosquitto's database goes to <dataDir>/mosquitto/.
With a hub config (units:, see hub.example.yaml): one account per unit, writing
only under hailong/v1/<parent>/<its unit>/# and bound to its unit's upstream
client id, the hub's own account (mqtt.username, reading the whole parent,
bound to the hub's client id) and the dashboard accounts.

It then prints the steps: run ${MOSQUITTO_FILES.script} as root; try the config in the
foreground (mosquitto -c <dir>/${MOSQUITTO_FILES.conf} -v) and install it, or restart
the service when <dir> is /etc/mosquitto/conf.d; point the bridge and the
browsers at it.

Options:
  -c, --config <file>  Office config (default hailong.yaml)
  --out <dir>          Output folder (default ./mosquitto; created if missing, files overwritten)
  --ws-port <n>        MQTT-over-WebSocket port for kiosks and dashboards (default 9001)
  --plugin <path>      Mosquitto's mosquitto_dynamic_security.so (default: found under
                       /usr/lib, /usr/local/lib; else ${DEFAULT_DYNSEC_PLUGIN})
  -h, --help           Show this help
`;

/** Where Mosquitto 2.0 packages put the dynamic-security plugin (Debian multiarch, then source builds). */
export const DYNSEC_PLUGIN_CANDIDATES: readonly string[] = [
  DEFAULT_DYNSEC_PLUGIN,
  '/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/arm-linux-gnueabihf/mosquitto_dynamic_security.so',
  '/usr/lib/i386-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/mosquitto_dynamic_security.so',
  '/usr/local/lib/mosquitto_dynamic_security.so',
];

/** The first installed plugin among `candidates`, or undefined. */
export function findDynsecPlugin(
  candidates: readonly string[] = DYNSEC_PLUGIN_CANDIDATES,
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  return candidates.find((path) => exists(path));
}

/**
 * The parts of the validated bridge config (`HailongConfig`, bridge/config/)
 * the command reads, typed structurally so this module does not depend on
 * the whole config shape.
 */
export interface MosquittoConfigSource {
  readonly district: { readonly id: string };
  readonly ward: { readonly id: string };
  readonly counters: readonly {
    readonly id: string;
    readonly terminals: readonly { readonly id: string; readonly kind: string; readonly password?: string }[];
  }[];
  /** The bridge signs in to Mosquitto with these. */
  readonly mqtt: { readonly username?: string; readonly password?: string };
  readonly broker: { readonly port: number; readonly anonymous: AnonymousAccess; readonly users: readonly BrokerUser[] };
  readonly dataDir: string;
}

/** Mosquitto's conventional MQTT-over-WebSocket port. */
export const DEFAULT_MOSQUITTO_WS_PORT = 9001;

/**
 * Every Mosquitto account of the office: the bridge (from `mqtt.username` /
 * `mqtt.password`, which it uses to sign in), each kiosk (username = terminal
 * id, as on the embedded broker) and `broker.users`. Reports every missing
 * piece at once.
 */
export function mosquittoInputsFrom(
  config: MosquittoConfigSource,
  wsPort = DEFAULT_MOSQUITTO_WS_PORT,
): { readonly ok: true; readonly inputs: MosquittoConfigInputs } | { readonly ok: false; readonly problems: readonly string[] } {
  const district = config.district.id;
  const ward = config.ward.id;
  const problems: string[] = [];
  const users: BrokerUser[] = [];
  const { username, password } = config.mqtt;
  if (username === undefined || password === undefined) {
    problems.push('mqtt.username and mqtt.password are required: the bridge signs in to Mosquitto with them');
  } else {
    users.push({ username, password, role: 'bridge', district, ward });
  }
  const kiosks = kioskUsersOf(config);
  problems.push(...kiosks.problems);
  users.push(...kiosks.users);
  users.push(...config.broker.users);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    inputs: {
      district,
      ward,
      users,
      anonymous: config.broker.anonymous,
      tcpPort: config.broker.port || 1883,
      wsPort,
      dataDir: config.dataDir,
    },
  };
}

/** The default loader: the validated office (or hub) config, turned into Mosquitto accounts. */
export const inputsFromConfigFile: MosquittoInputsLoader = async (file, wsPort, io) => {
  const text = await readFile(file, 'utf8').catch(() => '');
  if (configKindOf(text) === 'hub') return hubInputsFromConfigFile(file, wsPort, io);
  const config = await readConfigOrReport(file, io);
  if (config === undefined) return undefined;
  const derived = mosquittoInputsFrom(config, wsPort);
  if (derived.ok) return derived.inputs;
  io.stderr(`${file} cannot become a Mosquitto setup:\n${derived.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  return undefined;
};

/** Runs the command; resolves with the exit code (0 done, 1 cannot write, 2 usage or config error). */
export async function runMosquittoConfig(
  argv: readonly string[],
  io: CommandIo = processIo,
  loadInputs: MosquittoInputsLoader = inputsFromConfigFile,
): Promise<number> {
  const stdout = (text: string): void => io.stdout(text);
  const stderr = (text: string): void => io.stderr(text);
  const args = parseCommand(
    argv,
    {
      config: { type: 'string', short: 'c' },
      out: { type: 'string' },
      'ws-port': { type: 'string' },
      plugin: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    MOSQUITTO_CONFIG_HELP,
    io,
  );
  if ('exit' in args) return args.exit;
  const { values } = args;
  const wsPortText = values['ws-port'] ?? String(DEFAULT_MOSQUITTO_WS_PORT);
  const wsPort = Number(wsPortText);
  if (!/^\d{1,5}$/.test(wsPortText) || wsPort < 1 || wsPort > 65535) {
    stderr(`"--ws-port" must be an integer 1..65535, got "${wsPortText}"\n`);
    return 2;
  }
  const inputs = await loadInputs(values.config ?? 'hailong.yaml', wsPort, io);
  if (inputs === undefined) return 2;
  const problems = brokerUserProblems(inputs.users, 'broker.users');
  if (inputs.users.length === 0 && inputs.anonymous === 'none') {
    problems.push('broker.users is empty and broker.anonymous is "none": nobody could connect to Mosquitto');
  }
  if (problems.length > 0) {
    stderr(`The bridge config cannot become a Mosquitto setup:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 2;
  }
  const found = values.plugin === undefined ? findDynsecPlugin() : resolve(values.plugin);
  const pluginPath = found ?? DEFAULT_DYNSEC_PLUGIN;
  if (found === undefined) {
    stderr(
      `Warning: Mosquitto's dynamic-security plugin is not installed here; the config names ${pluginPath}. Give --plugin <path> if the broker's machine has it elsewhere.\n`,
    );
  }
  const out = resolve(values.out ?? 'mosquitto');
  // Written into Debian's conf.d, the config must be a snippet: the main file owns persistence and logging.
  const layout = basename(out) === 'conf.d' ? 'conf.d' : 'standalone';
  let files;
  try {
    files = mosquittoConfig({ ...inputs, dataDir: resolve(inputs.dataDir), configDir: out, layout, pluginPath });
  } catch (error) {
    stderr(`${(error as Error).message}\n`);
    return 2;
  }
  const conf = join(out, files.confName);
  const script = join(out, MOSQUITTO_FILES.script);
  try {
    await mkdir(out, { recursive: true });
    await writeFile(conf, files.conf, { mode: 0o644 });
    const dynsec = join(out, MOSQUITTO_FILES.dynsec);
    await writeFile(dynsec, files.dynsec, { mode: 0o640 });
    await chmod(dynsec, 0o640); // password hashes: never world-readable, even over an older file
    await writeFile(script, files.script, { mode: 0o700 });
    await chmod(script, 0o700); // writeFile keeps the mode of an existing file
  } catch (error) {
    stderr(`Cannot write to ${out}: ${(error as Error).message}\n`);
    return 1;
  }
  const install =
    layout === 'conf.d'
      ? [`  2. Debian's mosquitto.conf includes ${files.confName} from ${out}: systemctl restart mosquitto`]
      : [
          `  2. Try it in the foreground:  mosquitto -c ${conf} -v`,
          `  3. Make it the service's config (Debian; or write with --out /etc/mosquitto/conf.d instead):`,
          `       cp /etc/mosquitto/mosquitto.conf /etc/mosquitto/mosquitto.conf.orig`,
          `       cp ${conf} /etc/mosquitto/mosquitto.conf`,
          `       systemctl restart mosquitto`,
        ];
  stdout(
    [
      `Wrote ${conf}, ${MOSQUITTO_FILES.dynsec} and ${MOSQUITTO_FILES.script} for ${inputs.title ?? `ward ${inputs.district}/${inputs.ward}`}` +
        ` (${inputs.users.length} account(s), anonymous: ${inputs.anonymous}).`,
      '',
      'Next steps, as root:',
      `  1. sh ${script}`,
      `     lets user "mosquitto" read ${MOSQUITTO_FILES.dynsec} (accounts, password hashes, bound client ids)` +
        (layout === 'conf.d' ? '.' : ' and write its database folder.'),
      ...install,
      `  ${install.filter((line) => /^ {2}\d+\. /.test(line)).length + 2}. Point the bridge at it: mqtt.urls [mqtt://localhost:${inputs.tcpPort}] with mqtt.username / mqtt.password;` +
        ` kiosks and dashboards use ws://<this PC>:${inputs.wsPort}/mqtt` +
        ' (a kiosk connects only with its own client id, which it derives from its password).',
      '',
    ].join('\n'),
  );
  return 0;
}
