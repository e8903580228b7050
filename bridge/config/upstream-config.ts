/**
 * The optional `upstream:` block: the broker of the district's (or
 * province's) hub, which the bridge forwards every vote and the retained
 * state to, besides its own broker (docs/ARCHITECTURE.md "Forwarding to the
 * hub"). Its shape is the schema's (schema/hailong.schema.json); the rules
 * here are those a schema cannot say: the URLs parse and dial, the hub is
 * never the ward's own broker (forwarding to itself would only echo), and a
 * CA file comes with a TLS URL.
 */
import { brokerEndpoint, brokerUrlProblem } from './broker-urls.ts';
import { join, type ConfigProblem } from './config-problem.ts';
import { isNode } from './config-tree.ts';

/** The hub broker a ward forwards to. */
export interface UpstreamConfig {
  /** Hub broker URLs, tried in turn (several = fail over, e.g. the nodes of a cluster). */
  readonly urls: readonly string[];
  /** The ward's account on the hub (the hub allows it to write only under its own ward). */
  readonly username?: string;
  readonly password?: string;
  /** PEM file of the CA that signed the hub's certificate (mqtts/wss). */
  readonly caFile?: string;
  /**
   * Fixed MQTT client id on the hub. Leave it unset on a hub running the generated Mosquitto setup,
   * which binds the unit's account to the default.
   * @default `hailong-bridge-{district}.{ward}.upstream.{suffix derived from the password}` (core/client-id.ts `upstreamClientId`)
   */
  readonly clientId?: string;
  /**
   * Seconds after the hub broker's PUBACK before a vote that no archive
   * receipt of the hub names is forwarded again (bridge/upstream/archive-watch.ts).
   * @default 60
   */
  readonly archiveGraceSeconds?: number;
}

/** `upstream:` as the schema lets it be written: one URL or a list. */
export interface UpstreamFile extends Omit<UpstreamConfig, 'urls'> {
  readonly urls: string | readonly string[];
}

/** Where the ward's own broker listens, to refuse an upstream that points at it. */
export interface OwnBroker {
  /** `mqtt.urls` (external broker), or empty. */
  readonly urls: readonly string[];
  /** The embedded broker's port when `mqtt.urls` is empty. */
  readonly embeddedPort?: number;
}

const LOCAL_HOSTS = ['localhost', '127.0.0.1', '::1', '[::1]'];

function isOwnBroker(url: string, own: OwnBroker): boolean {
  const endpoint = brokerEndpoint(url);
  if (own.urls.some((u) => brokerEndpoint(u) === endpoint)) return true;
  if (own.urls.length > 0 || own.embeddedPort === undefined) return false;
  const parsed = new URL(url);
  return LOCAL_HOSTS.includes(parsed.hostname) && endpoint.endsWith(`:${own.embeddedPort}`);
}

/** Problems of `upstream:` (absent: none) that its schema cannot see. Never throws. */
export function upstreamProblems(node: unknown, own: OwnBroker): ConfigProblem[] {
  if (!isNode(node)) return [];
  const problems: ConfigProblem[] = [];
  const urls = typeof node.urls === 'string' ? [node.urls] : Array.isArray(node.urls) ? (node.urls as unknown[]) : [];
  const good: string[] = [];
  urls.forEach((u, i) => {
    if (typeof u !== 'string') return;
    const problem =
      brokerUrlProblem(u) ?? (isOwnBroker(u, own) ? `${u} is this ward's own broker; upstream is the district/province hub` : undefined);
    if (problem === undefined) good.push(u);
    else problems.push({ path: join('upstream.urls', i), message: problem });
  });
  if (typeof node.caFile === 'string' && good.length > 0 && !good.some((u) => /^(mqtts|ssl|wss):/.test(u))) {
    problems.push({ path: 'upstream.caFile', message: 'is set but no upstream URL uses TLS (mqtts://, wss://)' });
  }
  return problems;
}

/** The `upstream:` block of a valid config, resolved: one URL becomes a list of one. */
export function resolveUpstream(file: UpstreamFile): UpstreamConfig {
  return { ...file, urls: typeof file.urls === 'string' ? [file.urls] : [...file.urls] };
}
