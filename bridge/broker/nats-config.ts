/**
 * Writes the configs of a 3-node NATS JetStream cluster that serves a hub's
 * MQTT clients with the same rights as the embedded broker and Mosquitto:
 * the grants of access.ts, translated from MQTT filters to NATS subjects.
 * Pure: text in, text out; `hailong nats-config` writes the files.
 *
 * What NATS needs (docs.nats.io, "MQTT" and "Topics and subjects"):
 * - every node a `server_name`, JetStream with its own `store_dir`, and
 *   cluster routes to the others; MQTT state (sessions, retained messages,
 *   QoS 1 messages in flight) lives in JetStream streams, replicated with
 *   `mqtt { stream_replicas }` (and `consumer_replicas`), so it survives a
 *   node's death;
 * - an MQTT topic becomes a subject: `/` → `.`, `.` → `//`, `+` → `*`,
 *   `#` → `>`; permissions are written against the subject;
 * - a user's permissions also need the server's internal delivery subject:
 *   a QoS 1 subscription is a JetStream consumer delivering to
 *   `$MQTT.sub.<id>`, so every MQTT user may subscribe to `$MQTT.sub.>`
 *   (without it nats-server 2.9.10 logs "Unable to create subscription for
 *   JetStream consumer" and the subscriber gets nothing; a QoS 1 publish
 *   needs nothing more). Because that subject would let a NATS-protocol
 *   client read other consumers' deliveries, every user is MQTT-only
 *   (`allowed_connection_types: ["MQTT"]`);
 * - one account (`HAILONG`) holds every user: MQTT streams are per account,
 *   so the hub must share the units' account to see their messages.
 */
import type { AnonymousAccess, BrokerUser } from './broker-user.ts';
import { anonymousPrincipal, grantsOf, type Grant, type Principal } from './access.ts';
import { requireBrokerUsers } from './broker-user-check.ts';

/** One node of the cluster: where it listens. */
export interface NatsNode {
  /** `server_name`, unique in the cluster; also the config file's name. */
  readonly name: string;
  /** Host the other nodes and the clients reach it at. */
  readonly host: string;
  /** MQTT listener (bridges and the hub), conventionally 1883. */
  readonly mqttPort: number;
  /** Cluster routes, conventionally 6222. */
  readonly clusterPort: number;
  /** NATS client port, conventionally 4222 (the `nats` CLI, monitoring tools). */
  readonly clientPort: number;
  /** HTTP monitoring port (`/healthz`, `/jsz`), conventionally 8222, bound to loopback. */
  readonly httpPort: number;
}

/** Everything the generator needs, from the validated hub config. */
export interface NatsClusterSetup {
  /** Cluster name, e.g. `hailong-gia-lai`. */
  readonly cluster: string;
  /** What the files are for, in their header comments. */
  readonly title: string;
  readonly nodes: readonly NatsNode[];
  /** The broker accounts: units (role bridge), the hub, dashboards. */
  readonly users: readonly BrokerUser[];
  readonly anonymous: AnonymousAccess;
  /** Folder under which each node keeps JetStream (`<storeRoot>/<node name>`). */
  readonly storeRoot: string;
  /**
   * Address the listeners bind to.
   * @default "0.0.0.0"
   */
  readonly bindAddress?: string;
  /**
   * How long NATS waits for a client's PUBACK before redelivering a QoS 1
   * message; hailong's hub acknowledges after its archive commit.
   * @default "30s"
   */
  readonly ackWait?: string;
}

/** One generated node config. */
export interface NatsNodeFile {
  /** `<node name>.conf` */
  readonly fileName: string;
  readonly text: string;
}

/** The account every hailong user lives in. */
export const NATS_ACCOUNT = 'HAILONG';

/** Username of the read-only account anonymous clients get with `anonymous: read`. */
export const NATS_ANONYMOUS_USER = 'anonymous-reader';

/** Internal subjects every MQTT user must be allowed to subscribe to (see the module comment). */
export const NATS_MQTT_SUBSCRIBE = ['$MQTT.sub.>'] as const;

/**
 * The NATS subject of an MQTT topic or filter: `/` → `.`, `.` → `//`,
 * `+` → `*`, `#` → `>`. Throws on an empty level (a leading, trailing or
 * doubled `/`): grants come from validated ids, which never make one.
 */
export function mqttToNatsSubject(filter: string): string {
  const levels = filter.split('/');
  if (levels.includes('')) throw new Error(`mqttToNatsSubject: "${filter}" has an empty level`);
  return levels.map((l) => (l === '+' ? '*' : l === '#' ? '>' : l.replaceAll('.', '//'))).join('.');
}

/**
 * The subjects a grant on `filter` must allow: its subject, and for a
 * filter ending in `/#` also its parent, because MQTT's `#` matches the
 * parent level too and NATS subscribes `a/#` as two subjects, `a` and
 * `a.>` (a hub refused `hailong.v1.ba-dinh` without it, nats-server 2.9.10).
 */
export function natsSubjectsOfFilter(filter: string): readonly string[] {
  const subject = mqttToNatsSubject(filter);
  return subject.endsWith('.>') ? [subject.slice(0, -2), subject] : [subject];
}

/** The NATS permissions of a principal: its grants as subjects, plus the internal MQTT subjects. */
export function natsPermissionsOf(principal: Principal): { readonly publish: readonly string[]; readonly subscribe: readonly string[] } {
  const grants: readonly Grant[] = grantsOf(principal);
  const of = (access: Grant['access']): string[] =>
    grants.filter((g) => g.access === access).flatMap((g) => natsSubjectsOfFilter(g.filter));
  return { publish: of('write'), subscribe: [...of('read'), ...NATS_MQTT_SUBSCRIBE] };
}

/** A NATS config string literal (JSON escaping is what its parser reads). */
function q(text: string): string {
  return JSON.stringify(text);
}

function userBlock(username: string, password: string | undefined, principal: Principal): string {
  const p = natsPermissionsOf(principal);
  const list = (xs: readonly string[]): string => `[${xs.map(q).join(', ')}]`;
  const pass = password === undefined ? '' : `, password: ${q(password)}`;
  // An empty allow list would allow everything in NATS; "deny all" is spelled with deny.
  const publish = p.publish.length === 0 ? '{ deny: [">"] }' : `{ allow: ${list(p.publish)} }`;
  return `      { user: ${q(username)}${pass}, allowed_connection_types: ["MQTT"], permissions: { publish: ${publish}, subscribe: { allow: ${list(p.subscribe)} } } }`;
}

/** The three (or more) node configs. Throws on fewer than 3 nodes or duplicate names/addresses. */
export function natsClusterConfigs(setup: NatsClusterSetup): readonly NatsNodeFile[] {
  const { nodes } = setup;
  if (nodes.length < 3)
    throw new Error(`natsClusterConfigs: nodes must list at least 3 (JetStream replicas 3 needs a RAFT quorum of 2), got ${nodes.length}`);
  const names = new Set(nodes.map((n) => n.name));
  if (names.size !== nodes.length) throw new Error('natsClusterConfigs: nodes must have distinct names');
  const users = requireBrokerUsers(setup.users, 'users');
  const bind = setup.bindAddress ?? '0.0.0.0';
  const replicas = Math.min(3, nodes.length);
  const userLines = users.map((u) => userBlock(u.username, u.password, u));
  if (setup.anonymous === 'read') userLines.push(userBlock(NATS_ANONYMOUS_USER, undefined, anonymousPrincipal('read')));
  return nodes.map((node) => {
    const routes = nodes.filter((n) => n !== node).map((n) => `    nats-route://${n.host}:${n.clusterPort}`);
    const text = [
      `# ${setup.title}: NATS node ${node.name} of ${nodes.length} (written by hailong nats-config; edit the hub config, not this file).`,
      `# Check it:  nats-server -c ${node.name}.conf -t`,
      `# It holds the units' passwords: keep it mode 600, owned by the nats user.`,
      `server_name: ${q(node.name)}`,
      `listen: ${q(`${bind}:${node.clientPort}`)}`,
      `http: ${q(`127.0.0.1:${node.httpPort}`)}`,
      '',
      '# MQTT state (sessions, retained, QoS 1 in flight) lives here; one folder per node.',
      'jetstream {',
      `  store_dir: ${q(`${setup.storeRoot}/${node.name}`)}`,
      '}',
      '',
      'cluster {',
      `  name: ${q(setup.cluster)}`,
      `  listen: ${q(`${bind}:${node.clusterPort}`)}`,
      '  routes: [',
      ...routes,
      '  ]',
      '}',
      '',
      '# MQTT 3.1.1, QoS 0/1 only. Replicated streams and consumers: a node can die without losing a session or a QoS 1 message.',
      'mqtt {',
      `  listen: ${q(`${bind}:${node.mqttPort}`)}`,
      `  stream_replicas: ${replicas}`,
      `  consumer_replicas: ${replicas}`,
      `  ack_wait: ${q(setup.ackWait ?? '30s')}`,
      '}',
      '',
      'accounts {',
      `  ${NATS_ACCOUNT} {`,
      '    jetstream: enabled',
      '    users: [',
      userLines.join('\n'),
      '    ]',
      '  }',
      '}',
      ...(setup.anonymous === 'read'
        ? ['', `# anonymous: read — a client without credentials reads hailong/v1/#.`, `no_auth_user: ${q(NATS_ANONYMOUS_USER)}`]
        : []),
      '',
    ].join('\n');
    return { fileName: `${node.name}.conf`, text };
  });
}
