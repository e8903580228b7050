/**
 * What the two browser apps (kiosk, dashboard) share about their
 * MQTT-over-WebSocket link: its states, the broker URL check and default,
 * what a refused CONNACK means, and the MQTT.js connect options both pass.
 * Both load MQTT.js after their first paint; the library itself stays out
 * of the core (no I/O here), these are the plain values they hand it.
 */

/** The state of a browser app's broker link, as its status dot shows it. */
export type LinkState =
  /** Dialling or re-dialling. */
  | 'connecting'
  /** Connected (CONNACK accepted). */
  | 'online'
  /** Lost or unreachable; the link keeps retrying. */
  | 'offline'
  /** The broker refused the credentials (CONNACK return code 4 or 5). */
  | 'refused';

/**
 * True for a `ws://` or `wss://` URL with a host, the only brokers a browser
 * can open (https://websockets.spec.whatwg.org/). Pure (the core has no
 * WHATWG `URL`), and never looser than it: whatever this accepts, `new
 * URL()` parses with that scheme and a non-empty host
 * (test/core/broker-link.test.ts checks it against Node's URL). Stricter in
 * corners nobody types: no percent-escapes, spaces or punycode in the host.
 */
export function isBrokerUrl(value: string): boolean {
  const m = /^wss?:\/\/([^/?#\\\s]*)(?:[/?#]\S*)?$/i.exec(value);
  if (m === null) return false;
  const authority = m[1] as string;
  // Credentials may precede the host; the last `@` ends them (WHATWG URL, "authority state").
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const hp = /^(\[[0-9a-f:.]*\]|[a-z0-9.\-_~!$&'()*+,;=]+)(?::([0-9]*))?$/i.exec(hostPort);
  if (hp === null) return false;
  const host = (hp[1] as string).toLowerCase();
  const port = hp[2];
  if (port !== undefined && port !== '' && Number(port) > 65_535) return false;
  if (host.startsWith('[')) return isIpv6(host.slice(1, -1));
  const labels = host.split('.');
  if (labels.some((l) => l.startsWith('xn--'))) return false;
  if (labels.length > 1 && labels.at(-1) === '') labels.pop();
  // A host ending in a number is an IPv4 address, or invalid (WHATWG URL, "ends in a number checker").
  return /^([0-9]+|0x[0-9a-f]*)$/.test(labels.at(-1) as string) ? isIpv4(host) : true;
}

/** WHATWG URL's IPv4 parser: 1–4 parts, each decimal, octal (`0…`) or hex (`0x…`), the last filling the rest. */
function isIpv4(host: string): boolean {
  const parts = host.split('.');
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  if (parts.length > 4) return false;
  const numbers: number[] = [];
  for (const p of parts) {
    if (/^0x[0-9a-f]*$/.test(p)) numbers.push(p.length === 2 ? 0 : Number.parseInt(p.slice(2), 16));
    else if (/^0[0-7]*$/.test(p)) numbers.push(p.length === 1 ? 0 : Number.parseInt(p.slice(1), 8));
    else if (/^[1-9][0-9]*$/.test(p)) numbers.push(Number(p));
    else return false;
  }
  const last = numbers.pop() as number;
  return numbers.every((n) => n <= 255) && last < 256 ** (4 - numbers.length);
}

/** WHATWG URL's IPv6 parser: eight 16-bit groups, one `::` for a run of zeros, an IPv4 tail for the last two. */
function isIpv6(address: string): boolean {
  let body = address;
  let extra = 0;
  const tail = /^(.*:)([0-9]+\.[0-9]+\.[0-9]+\.[0-9]+)$/.exec(address);
  if (tail !== null) {
    if (!(tail[2] as string).split('.').every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return false;
    body = `${tail[1] as string}0`; // the IPv4 tail counts as two groups: one here, one in `extra`
    extra = 1;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return false;
  const n = groups.length + extra;
  return halves.length === 2 ? n <= 7 : n === 8;
}

/**
 * The default broker: MQTT-over-WebSocket at `/mqtt` on the origin the app
 * came from (`wss` when it came over https), where the bridge's embedded
 * broker listens. `origin` is `location`, or for the embedded kiosk the
 * URL of its script.
 */
export function defaultBrokerUrl(origin: { readonly protocol: string; readonly host: string }): string {
  return `${origin.protocol === 'https:' ? 'wss' : 'ws'}://${origin.host}/mqtt`;
}

/** CONNACK return codes of MQTT 3.1.1 (§3.2.2.3), by code; 0 is accepted. */
export const CONNACK_REFUSALS: Readonly<Record<number, string>> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

/** True when a CONNACK return code means "your credentials are not accepted" (4 or 5, §3.2.2.3). */
export function isCredentialRefusal(code: number): boolean {
  return code === 4 || code === 5;
}

/** How a browser app connects (see `mqttJsOptions`). */
export interface BrokerConnectOptions {
  readonly clientId: string;
  /** A fresh session per connect (dashboard), or a kept one (kiosk: fixed id, `clean: false`). */
  readonly clean: boolean;
  /** Empty counts as none. */
  readonly username?: string;
  /** Empty counts as none. */
  readonly password?: string;
  /** MQTT keepalive told to the broker and used by MQTT.js's pings, seconds. */
  readonly keepaliveSec: number;
  /** A connect attempt without CONNACK is given up after this long, ms. */
  readonly connectTimeoutMs: number;
  /** MQTT.js's own reconnect period, ms; 0 when the app reconnects itself (the kiosk's backoff). */
  readonly reconnectMs: number;
  /** Last will (a retained status). */
  readonly will?: { readonly topic: string; readonly payload: string; readonly qos: 0 | 1; readonly retain: boolean };
}

/** The MQTT.js `IClientOptions` fields the browser apps set (structurally; the core does not import MQTT.js). */
export interface MqttJsConnectOptions {
  readonly protocolVersion: 4;
  readonly clientId: string;
  readonly clean: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly keepalive: number;
  readonly connectTimeout: number;
  readonly reconnectPeriod: number;
  readonly reconnectOnConnackError: false;
  readonly will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
}

/**
 * The MQTT.js connect options of a browser app. MQTT 3.1.1 (`protocolVersion:
 * 4`): Aedes has no MQTT 5 and NATS's MQTT gateway speaks 3.1.1 only
 * (docs/PROVINCE.md). A refused CONNACK is not retried by MQTT.js (its
 * README, `reconnectOnConnackError`): the dashboard asks the user to sign
 * in, the kiosk retries on its own backoff.
 */
export function mqttJsOptions(o: BrokerConnectOptions): MqttJsConnectOptions {
  return {
    protocolVersion: 4,
    clientId: o.clientId,
    clean: o.clean,
    ...(o.username === undefined || o.username === '' ? {} : { username: o.username }),
    ...(o.password === undefined || o.password === '' ? {} : { password: o.password }),
    keepalive: o.keepaliveSec,
    connectTimeout: o.connectTimeoutMs,
    reconnectPeriod: o.reconnectMs,
    reconnectOnConnackError: false,
    ...(o.will === undefined ? {} : { will: { ...o.will } }),
  };
}
