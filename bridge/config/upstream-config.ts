/**
 * The optional `upstream:` block: the broker of the district's (or
 * province's) hub, which the bridge forwards every vote and the retained
 * state to, besides its own broker (docs/ARCHITECTURE.md "Forwarding to the
 * hub"). Read like `mqtt:`, and one more rule: the hub is never the ward's
 * own broker (forwarding to itself would only echo).
 */
import { passwordProblem, usernameProblem } from '../broker/broker-user-check.ts';
import { brokerEndpoint, brokerUrlsAt } from './broker-urls.ts';
import type { ConfigReader } from './config-reader.ts';

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
}

/** Keys of the `upstream:` block. */
export const UPSTREAM_KEYS: readonly string[] = ['urls', 'username', 'password', 'caFile', 'clientId'];

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

/** Reads `upstream:`; absent → undefined (no forwarding). Problems are recorded in `r`. */
export function upstreamAt(r: ConfigReader, value: unknown, own: OwnBroker): UpstreamConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const node = r.map(value, 'upstream');
  if (node === undefined) return undefined;
  r.unknownKeys(node, 'upstream', UPSTREAM_KEYS);
  const urls =
    brokerUrlsAt(r, node.urls, 'upstream.urls', (u) => (isOwnBroker(u, own) ? `${u} is this ward's own broker; upstream is the district/province hub` : undefined)) ?? [];
  if (node.urls === undefined || node.urls === null) r.list.add('upstream.urls', 'is required: the hub broker of the district or province (e.g. mqtts://hub.example.gov.vn:8883)');
  else if (Array.isArray(node.urls) && node.urls.length === 0) r.list.add('upstream.urls', 'lists no URL: remove the upstream block to run without a hub, or name the hub broker');
  const out: { -readonly [K in keyof UpstreamConfig]: UpstreamConfig[K] } = { urls };
  if (node.username !== undefined) {
    const issue = usernameProblem(node.username, 'upstream.username');
    if (issue === undefined) out.username = node.username as string;
    else r.list.add('upstream.username', issue);
  }
  if (node.password !== undefined) {
    const issue = passwordProblem(node.password, 'upstream.password');
    if (issue === undefined) out.password = node.password as string;
    else r.list.add('upstream.password', issue);
  }
  if (node.caFile !== undefined) out.caFile = r.text(node.caFile, 'upstream.caFile', 512);
  if (node.clientId !== undefined) out.clientId = r.text(node.clientId, 'upstream.clientId', 64);
  if (node.password !== undefined && node.username === undefined) r.list.add('upstream.password', 'is set but upstream.username is not');
  if (out.caFile !== undefined && urls.length > 0 && !urls.some((u) => /^(mqtts|ssl|wss):/.test(u))) {
    r.list.add('upstream.caFile', 'is set but no upstream URL uses TLS (mqtts://, wss://)');
  }
  return out;
}
