/**
 * Writes the Mosquitto 2.0 setup that grants exactly what hailong's embedded
 * broker grants: `mosquitto.conf`, the ACL file (the grants of access.ts,
 * line for line) and a shell script that builds the password file with
 * `mosquitto_passwd`. Pure: text in, text out; the `hailong mosquitto-config`
 * command writes the files.
 *
 * Mosquitto semantics (mosquitto.conf(5)): ACL lines before the first `user`
 * line apply to anonymous clients; `topic read|write|readwrite <filter>`
 * grants; a refused publish is acknowledged and dropped; subscriptions are
 * granted and each delivery is checked against `read`.
 */
import type { AnonymousAccess, BrokerUser } from './broker-user.ts';
import { anonymousPrincipal, grantsOf, type Principal } from './access.ts';
import { requireBrokerUsers } from './broker-user-check.ts';
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
}

/** A complete config, or a snippet for Debian's conf.d. */
export type MosquittoLayout = 'standalone' | 'conf.d';

/** Names of the generated files inside `configDir`. */
export const MOSQUITTO_FILES = Object.freeze({
  conf: 'mosquitto.conf',
  /** The config's name in the `conf.d` layout (Mosquitto includes `*.conf` from there; the other files are ignored). */
  snippet: 'hailong.conf',
  acl: 'hailong.acl',
  passwords: 'hailong.passwd',
  script: 'create-passwords.sh',
});

/** The generated texts. */
export interface MosquittoConfigFiles {
  /** Name of the config file: `mosquitto.conf`, or `hailong.conf` in the `conf.d` layout. */
  readonly confName: string;
  /** The config text. */
  readonly conf: string;
  /** `hailong.acl` */
  readonly acl: string;
  /** `create-passwords.sh`: builds `hailong.passwd` (holds the plain passwords: run once, then delete). */
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

/** ACL lines of one principal: its grants, `read` + `write` of one filter merged into `readwrite`. */
function aclLines(principal: Principal): string[] {
  const byFilter = new Map<string, Set<string>>();
  for (const g of grantsOf(principal)) {
    const set = byFilter.get(g.filter) ?? new Set<string>();
    set.add(g.access);
    byFilter.set(g.filter, set);
  }
  return [...byFilter].map(([filter, access]) => `topic ${access.size === 2 ? 'readwrite' : [...access][0]} ${filter}`);
}

function describeUser(u: BrokerUser): string {
  const place = [u.district, u.ward, u.counter, u.terminal].filter((x) => x !== undefined).join('/');
  return `${u.role} of ${place}`;
}

/**
 * The ACL file: anonymous rights first (they apply to clients without a
 * username), then one `user` block per account. Throws on invalid users.
 */
export function mosquittoAcl(users: readonly BrokerUser[], anonymous: AnonymousAccess, title = 'hailong'): string {
  const valid = requireBrokerUsers(users);
  const lines = [
    `# ${title}: Mosquitto ACL written by \`hailong mosquitto-config\`. Regenerate it; do not edit.`,
    '# The same grants as the embedded broker (bridge/broker/access.ts).',
    '',
    anonymous === 'read'
      ? '# Clients without a username (allow_anonymous true): read-only.'
      : '# Clients without a username are refused (allow_anonymous false).',
    ...aclLines(anonymousPrincipal(anonymous)),
  ];
  for (const user of valid) {
    lines.push('', `# ${describeUser(user)}`, `user ${user.username}`, ...aclLines(user));
  }
  return `${lines.join('\n')}\n`;
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
  const passwordFile = join(configDir, MOSQUITTO_FILES.passwords);
  const aclFile = join(configDir, MOSQUITTO_FILES.acl);
  const persistenceDir = `${join(dataDir, 'mosquitto')}/`;
  const at = bind === undefined ? '' : ` ${bind}`;

  const conf = [
    `# ${title}: Mosquitto 2.0 config written by \`hailong mosquitto-config\`. Regenerate it; do not edit.`,
    '# It grants exactly what hailong\'s embedded broker grants (bridge/broker/access.ts).',
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
    ...(users.length > 0 ? [`password_file ${passwordFile}`] : ['# No accounts configured: no password_file.']),
    `acl_file ${aclFile}`,
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
    '# Client ids: Mosquitto does not bind them to accounts. The bridge\'s id ends in a suffix derived',
    '# from its password, so no other account can guess it and take its session over (docs/SECURITY.md).',
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
    '# ward\'s votes and stays within tens of MB.',
    `max_queued_messages ${MAX_QUEUED_MESSAGES}`,
    '# A session whose client never comes back (a replaced tablet) is dropped after 30 days instead of queueing forever.',
    'persistent_client_expiration 30d',
    ...(dropIn ? [] : ['', '# Logs go to stderr: the systemd journal (journalctl -u mosquitto).', 'log_dest stderr']),
    '',
  ].join('\n');

  const acl = mosquittoAcl(users, setup.anonymous, title);

  const script = [
    '#!/bin/sh',
    `# ${title}: creates Mosquitto's password file and database folder. Written by \`hailong mosquitto-config\`.`,
    '# It holds the plain-text passwords of the bridge config: run it once as root, then delete it.',
    `#   sudo sh ${join(configDir, MOSQUITTO_FILES.script)}`,
    'set -eu',
    'umask 077',
    `PASSWD=${shellQuote(passwordFile)}`,
    `ACL=${shellQuote(aclFile)}`,
    ...(dropIn ? [] : [`DATA=${shellQuote(persistenceDir)}`]),
    ...users.map(
      (u, i) => `mosquitto_passwd ${i === 0 ? '-c -b' : '-b'} "$PASSWD" ${shellQuote(u.username)} ${shellQuote(u.password)}`,
    ),
    ...(dropIn ? [] : ['umask 022', 'mkdir -p "$DATA"']),
    '# Started as root, Mosquitto 2.0 switches to user "mosquitto" before it reads these files: let it read and write.',
    'if [ "$(id -u)" = 0 ] && id mosquitto >/dev/null 2>&1; then',
    ...(users.length > 0 ? ['  chgrp mosquitto "$PASSWD"', '  chmod 640 "$PASSWD"'] : []),
    '  chgrp mosquitto "$ACL"',
    '  chmod 640 "$ACL"',
    ...(dropIn ? [] : ['  chown mosquitto "$DATA"']),
    '  # Folders above them that user "mosquitto" cannot enter would still stop it at start-up.',
    '  if command -v runuser >/dev/null 2>&1; then',
    `    for f in ${users.length > 0 ? '"$PASSWD" ' : ''}"$ACL"; do`,
    '      runuser -u mosquitto -- test -r "$f" || echo "Warning: user mosquitto cannot read $f: let it enter the folders above (chmod o+x)." >&2',
    '    done',
    ...(dropIn
      ? []
      : ['    runuser -u mosquitto -- test -w "$DATA" || echo "Warning: user mosquitto cannot write $DATA: let it enter the folders above (chmod o+x)." >&2']),
    '  fi',
    'fi',
    users.length > 0
      ? `echo "Created $PASSWD with ${users.length} account(s). Delete this script now: it holds the passwords."`
      : `echo "No accounts configured: nothing to create."`,
    '',
  ].join('\n');

  return { confName, conf, acl, script };
}
