/**
 * Writes the Mosquitto 2.0 setup that grants exactly what hailong's embedded
 * broker grants: `mosquitto.conf`, the dynamic-security plugin's JSON (the
 * accounts with hashed passwords, the grants of access.ts as role ACLs,
 * client ids bound to accounts: mosquitto-dynsec.ts) and a shell script that
 * lets user "mosquitto" read it. Text in, text out (salts come from an
 * injectable source); the `hailong mosquitto-config` command writes the files.
 *
 * Why the plugin rather than `password_file` + `acl_file`: only the plugin
 * binds a client id to an account (a client's `clientid`), and an id in use
 * is taken over by whoever connects with it (MQTT 3.1.1 §3.1.4), so a stolen
 * kiosk login could otherwise cut another kiosk or the bridge off (issue 13,
 * item 7). Mosquitto's documentation of the plugin:
 * https://mosquitto.org/documentation/dynamic-security/ (`plugin`,
 * `plugin_opt_config_file`). A refused publish is acknowledged and dropped;
 * subscriptions are granted and each delivery is checked.
 */
import type { AnonymousAccess, BrokerUser } from './broker-user.ts';
import { requireBrokerUsers } from './broker-user-check.ts';
import { mosquittoDynsec, type DynsecOptions } from './mosquitto-dynsec.ts';
import { requireId } from '../../core/ids.ts';

/** Everything the generator needs, from the validated bridge config. */
export interface MosquittoSetup {
  readonly district: string;
  readonly ward: string;
  /**
   * What the files are for, in their header comments.
   * @default "hailong ward {district}/{ward}"
   */
  readonly title?: string;
  /** The broker accounts (`broker.users` of the bridge config). */
  readonly users: readonly BrokerUser[];
  readonly anonymous: AnonymousAccess;
  /** MQTT TCP port (bridge, desk systems), conventionally 1883. */
  readonly tcpPort: number;
  /** MQTT-over-WebSocket port (kiosk and dashboard in the browser), conventionally 9001. */
  readonly wsPort: number;
  /** Absolute folder under which Mosquitto keeps its database (`<dataDir>/mosquitto/`). */
  readonly dataDir: string;
  /** Absolute folder the generated files are written to; the config refers to them there. */
  readonly configDir: string;
  /** Address both listeners bind to; undefined binds every interface (tablets connect over the LAN). */
  readonly bindAddress?: string;
  /**
   * `standalone`: a complete `mosquitto.conf` (own persistence under
   * `dataDir`, logs to stderr). `conf.d`: `hailong.conf`, a snippet for
   * Debian's `/etc/mosquitto/conf.d/`, whose main file already sets
   * persistence (`/var/lib/mosquitto/`) and logging — Mosquitto refuses a
   * second `persistence_location`.
   * @default "standalone"
   */
  readonly layout?: MosquittoLayout;
  /**
   * Absolute path of Mosquitto's dynamic-security plugin on the broker's
   * machine (Debian: `/usr/lib/<multiarch triplet>/mosquitto_dynamic_security.so`).
   * @default DEFAULT_DYNSEC_PLUGIN
   */
  readonly pluginPath?: string;
  /** Accounts other than kiosks bound to one client id, and the salt source (see `DynsecOptions`). */
  readonly clientIds?: DynsecOptions['clientIds'];
  /** @default crypto.randomBytes */
  readonly salt?: DynsecOptions['salt'];
}

/** Where Debian's `mosquitto` package installs the dynamic-security plugin on amd64. */
export const DEFAULT_DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

/** A complete config, or a snippet for Debian's conf.d. */
export type MosquittoLayout = 'standalone' | 'conf.d';

/** Names of the generated files inside `configDir`. */
export const MOSQUITTO_FILES = Object.freeze({
  conf: 'mosquitto.conf',
  /** The config's name in the `conf.d` layout (Mosquitto includes `*.conf` from there; the other files are ignored). */
  snippet: 'hailong.conf',
  /** The dynamic-security plugin's config: accounts (hashed passwords), roles, bound client ids. */
  dynsec: 'hailong-dynsec.json',
  script: 'set-permissions.sh',
});

/** The generated texts. */
export interface MosquittoConfigFiles {
  /** Name of the config file: `mosquitto.conf`, or `hailong.conf` in the `conf.d` layout. */
  readonly confName: string;
  /** The config text. */
  readonly conf: string;
  /** `hailong-dynsec.json`: password hashes, so written mode 640 and never world-readable. */
  readonly dynsec: string;
  /** `set-permissions.sh`: lets user "mosquitto" read the plugin's config and write the database (run as root). */
  readonly script: string;
}

/**
 * Mosquitto saves its database every `autosave_interval` seconds (default
 * 1800, mosquitto.conf(5): https://mosquitto.org/man/mosquitto-conf-5.html):
 * its PUBACK means "in memory", not "on disk".
 */
export const AUTOSAVE_INTERVAL_S = 60;

/** Messages queued per offline `clean: false` session (Mosquitto's default of 1000 drops the rest). */
export const MAX_QUEUED_MESSAGES = 100_000;

/**
 * Largest packet Mosquitto accepts (`max_packet_size`, whole packet): the
 * embedded broker's limit after sign-in (the largest tally) plus a fixed
 * header. Mosquitto cannot limit payloads per topic or before sign-in as
 * the embedded broker does (docs/SECURITY.md).
 */
export const MOSQUITTO_MAX_PACKET_BYTES = (1 << 20) + 5;

/** Connections per listener (`max_connections`): an office has tens of kiosks, desks and dashboards. */
export const MOSQUITTO_MAX_CONNECTIONS = 500;

/** `'…'` for POSIX sh: safe for any text without NUL (spaces, quotes, `$`, backticks). */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function requireAbsolutePath(value: unknown, name: string): string {
  // Mosquitto splits config values at whitespace, so a path with a space cannot be written at all.
  if (typeof value !== 'string' || !value.startsWith('/') || /[\s\u0000]/.test(value)) {
    throw new TypeError(`"${name}" must be an absolute path without spaces, got ${JSON.stringify(value)}`);
  }
  return value.replace(/\/+$/, '') || '/';
}

function requirePort(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535) {
    throw new TypeError(`"${name}" must be an integer 1..65535`);
  }
  return value as number;
}

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** The three files for one ward (see `MosquittoSetup.layout`). Throws naming the field on invalid input (a programmer error). */
export function mosquittoConfig(setup: MosquittoSetup): MosquittoConfigFiles {
  const district = requireId(setup.district, 'district');
  const ward = requireId(setup.ward, 'ward');
  const users = requireBrokerUsers(setup.users);
  if (setup.anonymous !== 'none' && setup.anonymous !== 'read') throw new TypeError('"anonymous" must be "none" or "read"');
  const tcpPort = requirePort(setup.tcpPort, 'tcpPort');
  const wsPort = requirePort(setup.wsPort, 'wsPort');
  if (tcpPort === wsPort) throw new TypeError('"tcpPort" and "wsPort" must differ');
  const configDir = requireAbsolutePath(setup.configDir, 'configDir');
  const dataDir = requireAbsolutePath(setup.dataDir, 'dataDir');
  const bind = setup.bindAddress;
  if (bind !== undefined && !/^[A-Za-z0-9.:-]+$/.test(bind)) throw new TypeError('"bindAddress" must be a host name or IP address');
  const layout = setup.layout ?? 'standalone';
  if (layout !== 'standalone' && layout !== 'conf.d') throw new TypeError('"layout" must be "standalone" or "conf.d"');
  const dropIn = layout === 'conf.d';
  const confName = dropIn ? MOSQUITTO_FILES.snippet : MOSQUITTO_FILES.conf;
  const title = setup.title ?? `hailong ward ${district}/${ward}`;
  if (/[\r\n]/.test(title)) throw new TypeError('"title" must be one line');
  const pluginPath = requireAbsolutePath(setup.pluginPath ?? DEFAULT_DYNSEC_PLUGIN, 'pluginPath');
  const dynsecFile = join(configDir, MOSQUITTO_FILES.dynsec);
  const persistenceDir = `${join(dataDir, 'mosquitto')}/`;
  const at = bind === undefined ? '' : ` ${bind}`;

  const conf = [
    `# ${title}: Mosquitto 2.0 config written by \`hailong mosquitto-config\`. Regenerate it; do not edit.`,
    "# It grants exactly what hailong's embedded broker grants (bridge/broker/access.ts), through the",
    '# dynamic-security plugin: https://mosquitto.org/documentation/dynamic-security/',
    ...(dropIn
      ? [
          "# A snippet for Debian's /etc/mosquitto/conf.d/: the main mosquitto.conf sets persistence",
          '# (/var/lib/mosquitto/) and logging, and includes this file. Apply: systemctl restart mosquitto',
        ]
      : [
          `# Try it:  mosquitto -c ${join(configDir, confName)} -v`,
          '# Install: copy it over /etc/mosquitto/mosquitto.conf. It is a complete config: as a conf.d snippet',
          "# Mosquitto would refuse it, since Debian's main file already sets persistence_location.",
        ]),
    '',
    '# One set of security settings for every listener (2.0 defaults to per-listener settings).',
    'per_listener_settings false',
    `allow_anonymous ${setup.anonymous === 'read' ? 'true' : 'false'}`,
    '# Accounts, their rights and their client ids: the dynamic-security plugin, from',
    `# ${MOSQUITTO_FILES.dynsec}. It is the only Mosquitto 2.0 mechanism that binds a client id to an account:`,
    '# a kiosk may connect only with its own id, so a stolen kiosk login cannot take over another',
    "# kiosk's session or the bridge's (an id in use is taken over by whoever connects with it).",
    '# The ids of kiosks and of the bridge end in a suffix derived from their password, which other',
    "# accounts cannot guess (docs/SECURITY.md). No account may use the plugin's $CONTROL admin topics.",
    `plugin ${pluginPath}`,
    `plugin_opt_config_file ${dynsecFile}`,
    '',
    '# MQTT over TCP: the bridge and desk / queue-number systems.',
    `listener ${tcpPort}${at}`,
    'protocol mqtt',
    `max_connections ${MOSQUITTO_MAX_CONNECTIONS}`,
    '',
    `# MQTT over WebSocket: kiosk and dashboard in the browser (any path, e.g. ws://<this PC>:${wsPort}/mqtt).`,
    `listener ${wsPort}${at}`,
    'protocol websockets',
    `max_connections ${MOSQUITTO_MAX_CONNECTIONS}`,
    '',
    '# One packet may hold at most the largest tally: a client announcing more is disconnected before',
    '# Mosquitto buffers it (a kiosk login must not push megabytes to every dashboard).',
    `max_packet_size ${MOSQUITTO_MAX_PACKET_BYTES}`,
    '',
    ...(dropIn
      ? ["# Retained state and the queues of clean-session-false clients persist as set in Debian's main file."]
      : [
          '# Keep retained state and the queues of clean-session-false clients across restarts.',
          'persistence true',
          `persistence_location ${persistenceDir}`,
        ]),
    `# Mosquitto writes its database every autosave_interval seconds, 1800 by default: PUBACK means`,
    '# "in memory", so a power cut could take up to 30 minutes of queued votes and retained state.',
    `# ${AUTOSAVE_INTERVAL_S} s bounds that window; the database of one ward is small, so saving is cheap.`,
    `autosave_interval ${AUTOSAVE_INTERVAL_S}`,
    '',
    '# The bridge subscribes with clean session false, so Mosquitto queues votes for it while it is down.',
    '# The default of 1000 per client would drop votes after a long outage; 100000 covers weeks of one',
    "# ward's votes and stays within tens of MB.",
    `max_queued_messages ${MAX_QUEUED_MESSAGES}`,
    '# A session whose client never comes back (a replaced tablet) is dropped after 30 days instead of queueing forever.',
    'persistent_client_expiration 30d',
    ...(dropIn ? [] : ['', '# Logs go to stderr: the systemd journal (journalctl -u mosquitto).', 'log_dest stderr']),
    '',
  ].join('\n');

  const dynsec = mosquittoDynsec(users, setup.anonymous, {
    ...(setup.clientIds === undefined ? {} : { clientIds: setup.clientIds }),
    ...(setup.salt === undefined ? {} : { salt: setup.salt }),
  });

  const script = [
    '#!/bin/sh',
    `# ${title}: lets Mosquitto read its files. Written by \`hailong mosquitto-config\`.`,
    `# ${MOSQUITTO_FILES.dynsec} holds password hashes: it stays unreadable to other users. Run as root:`,
    `#   sudo sh ${join(configDir, MOSQUITTO_FILES.script)}`,
    'set -eu',
    `DYNSEC=${shellQuote(dynsecFile)}`,
    `PLUGIN=${shellQuote(pluginPath)}`,
    ...(dropIn ? [] : [`DATA=${shellQuote(persistenceDir)}`]),
    'chmod 640 "$DYNSEC"',
    ...(dropIn ? [] : ['mkdir -p "$DATA"']),
    'test -r "$PLUGIN" || echo "Warning: $PLUGIN is missing: install Mosquitto 2.0 (Debian: apt-get install mosquitto) or write the setup again with --plugin <path>." >&2',
    '# Started as root, Mosquitto 2.0 switches to user "mosquitto" before it loads the plugin: let it read and write.',
    'if [ "$(id -u)" = 0 ] && id mosquitto >/dev/null 2>&1; then',
    '  chgrp mosquitto "$DYNSEC"',
    ...(dropIn ? [] : ['  chown mosquitto "$DATA"']),
    '  # Folders above them that user "mosquitto" cannot enter would still stop it at start-up.',
    '  if command -v runuser >/dev/null 2>&1; then',
    '    runuser -u mosquitto -- test -r "$DYNSEC" || echo "Warning: user mosquitto cannot read $DYNSEC: let it enter the folders above (chmod o+x)." >&2',
    ...(dropIn
      ? []
      : [
          '    runuser -u mosquitto -- test -w "$DATA" || echo "Warning: user mosquitto cannot write $DATA: let it enter the folders above (chmod o+x)." >&2',
        ]),
    '  fi',
    'fi',
    `echo "Mosquitto can read $DYNSEC (${users.length} account(s))."`,
    '',
  ].join('\n');

  return { confName, conf, dynsec, script };
}
