/**
 * Turns the parsed YAML tree of a config file into a `HailongConfig`, or the
 * complete list of what is wrong with it. Pure: no file or environment
 * access (see load-config.ts), so every rule is unit-testable.
 */
import { DEFAULT_MIN_VOTES } from '../../core/confidence.ts';
import { DEFAULT_TARGET } from '../../core/office.ts';
import type { OfficeOfficer } from '../../core/office.ts';
import { DEFAULT_OPENING_HOURS, parseOpeningHours } from '../../core/opening-hours.ts';
import { STANDARD_REASON_IDS } from '../../core/reason.ts';
import { DEFAULT_SCALE, parseScale } from '../../core/scale.ts';
import type { Scale } from '../../core/scale.ts';
import { RATING_MODES } from '../../core/terminal-config.ts';
import type { RatingMode } from '../../core/terminal-config.ts';
import { VOTE_SOURCES } from '../../core/vote.ts';
import type { BrokerUser } from '../broker/broker-user.ts';
import { passwordProblem, usernameProblem } from '../broker/broker-user-check.ts';
import { brokerUrlsAt } from './broker-urls.ts';
import { ConfigReader, type Node } from './config-reader.ts';
import { join, ProblemList, type ConfigProblem } from './config-problem.ts';
import { upstreamAt } from './upstream-config.ts';
import type {
  CounterEntry,
  EmbeddedBrokerConfig,
  HailongConfig,
  MqttConfig,
  NamedPlace,
  RatingConfig,
  SerialConfig,
  TerminalEntry,
  WebConfig,
} from './hailong-config.ts';

/** Baud rates a terminal may use (PROTOCOL.md §2: 115200 default, 9600 supported). */
export const BAUD_RATES: readonly number[] = [9600, 19200, 38400, 57600, 115200];

/** Username the bridge itself uses on the embedded broker; no configured account may take it. */
export const BRIDGE_USERNAME = 'hailong-bridge';

/** Top-level settings, in the order of hailong.example.yaml. */
const TOP_KEYS = [
  'district',
  'ward',
  'scale',
  'target',
  'minVotes',
  'officers',
  'rating',
  'openingHours',
  'counters',
  'serial',
  'mqtt',
  'broker',
  'web',
  'dataDir',
  'upstream',
];

/** Validation outcome: the config, or every problem found. */
export type ConfigResult = { ok: true; config: HailongConfig } | { ok: false; problems: ConfigProblem[] };

function place(r: ConfigReader, value: unknown, path: string): NamedPlace | undefined {
  const node = r.map(value, path);
  if (node === undefined) return undefined;
  r.unknownKeys(node, path, ['id', 'name']);
  const id = r.id(node.id, join(path, 'id'));
  const name = r.text(node.name, join(path, 'name'));
  return id === undefined || name === undefined ? undefined : { id, name };
}

// Officers' display names, so that reports name officers who are not on duty now.
function officersAt(r: ConfigReader, value: unknown): OfficeOfficer[] | undefined {
  const items = r.list_(value, 'officers', false);
  if (items === undefined) return undefined;
  const out: OfficeOfficer[] = [];
  let ok = true;
  items.forEach((item, i) => {
    const path = join('officers', i);
    const node = r.map(item, path);
    if (node === undefined) return void (ok = false);
    r.unknownKeys(node, path, ['id', 'name']);
    const id = r.id(node.id, join(path, 'id'));
    const name = r.text(node.name, join(path, 'name'));
    if (id !== undefined && out.some((o) => o.id === id)) r.list.add(join(path, 'id'), `officer ${id} is listed twice`);
    if (id === undefined || name === undefined) ok = false;
    else out.push({ id, name });
  });
  return ok ? out : undefined;
}

function scaleAt(r: ConfigReader, value: unknown): Scale | undefined {
  if (value === undefined || value === null) return DEFAULT_SCALE;
  const parsed = parseScale(typeof value === 'number' ? String(value) : value);
  if (!parsed.ok) {
    r.list.add(parsed.field === undefined ? 'scale' : join('scale', parsed.field), parsed.message);
    return undefined;
  }
  return parsed.value;
}

function ratingAt(r: ConfigReader, value: unknown): RatingConfig | undefined {
  const node = r.map(value ?? {}, 'rating');
  if (node === undefined) return undefined;
  r.unknownKeys(node, 'rating', ['cooldownMs', 'mode', 'windowMs', 'reasons']);
  const cooldownMs = r.int(node.cooldownMs, 'rating.cooldownMs', 0, 600_000, 3000);
  const mode = r.oneOf(node.mode, 'rating.mode', RATING_MODES, 'open');
  const windowMs = r.int(node.windowMs, 'rating.windowMs', 1000, 600_000, 30_000);
  const rawReasons = r.list_(node.reasons ?? [...STANDARD_REASON_IDS], 'rating.reasons');
  const reasons: string[] = [];
  rawReasons?.forEach((item, i) => {
    const id = r.id(item, join('rating.reasons', i));
    if (id !== undefined && reasons.includes(id)) r.list.add(join('rating.reasons', i), `${id} is listed twice`);
    else if (id !== undefined) reasons.push(id);
  });
  if (reasons.length > 32) r.list.add('rating.reasons', `has ${reasons.length} reasons, at most 32`);
  if (cooldownMs === undefined || mode === undefined || windowMs === undefined || rawReasons === undefined) return undefined;
  return { cooldownMs, mode, windowMs, reasons };
}

// A uid or PIN YAML may read as a number (`uid: 1234`, `pin: 602417`) is taken
// as its digits; a list or map is not ("[1000]" must not pass as "1000").
function scalarText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : `(${Array.isArray(value) ? 'a list' : typeof value})`;
}

function terminalAt(r: ConfigReader, value: unknown, path: string, embedded: boolean): TerminalEntry | undefined {
  const node = r.map(value, path);
  if (node === undefined) return undefined;
  r.unknownKeys(node, path, ['id', 'kind', 'uid', 'port', 'password', 'pin']);
  const id = r.id(node.id, join(path, 'id'));
  const kind = r.oneOf(node.kind, join(path, 'kind'), VOTE_SOURCES, 'button');
  if (kind === 'button') {
    const uid = node.uid === undefined ? undefined : scalarText(node.uid);
    if (uid === undefined) r.list.add(join(path, 'uid'), 'is required for a button box: the uid it says in HELLO (see `hailong ports`)');
    else if (!/^[A-Za-z0-9._-]{1,32}$/.test(uid)) r.list.add(join(path, 'uid'), `${JSON.stringify(uid)} is not a terminal uid ([A-Za-z0-9._-], 1–32 chars)`);
    const port = node.port === undefined ? undefined : r.text(node.port, join(path, 'port'), 256);
    if (node.password !== undefined) r.list.add(join(path, 'password'), 'is only for touch terminals (kiosks); a button box has no broker account');
    if (node.pin !== undefined) r.list.add(join(path, 'pin'), 'is only for touch terminals (kiosks): the PIN of their staff settings page');
    if (id === undefined || uid === undefined) return undefined;
    return port === undefined ? { id, kind, uid } : { id, kind, uid, port };
  }
  if (node.uid !== undefined) r.list.add(join(path, 'uid'), 'is only for button boxes; a kiosk is identified by its id');
  if (node.port !== undefined) r.list.add(join(path, 'port'), 'is only for button boxes; a kiosk talks MQTT, not serial');
  const passwordIssue = node.password === undefined ? undefined : passwordProblem(node.password, join(path, 'password'));
  if (passwordIssue !== undefined) r.list.add(join(path, 'password'), passwordIssue);
  const password = node.password === undefined || passwordIssue !== undefined ? undefined : (node.password as string);
  // Kiosks log in to the embedded broker with their terminal id and this password.
  if (embedded && node.password === undefined) {
    r.list.add(join(path, 'password'), `is required: it is kiosk ${String(id ?? node.id)}'s account on the embedded broker (username = terminal id)`);
  }
  // The staff PIN is set at provisioning, never defaulted (issue 13, item 2).
  const pin = node.pin === undefined ? undefined : scalarText(node.pin);
  if (pin !== undefined && !/^[0-9]{4,8}$/.test(pin)) r.list.add(join(path, 'pin'), 'must be 4–8 digits (write it in quotes: "024681")');
  if (id === undefined || kind === undefined) return undefined;
  return {
    id,
    kind,
    ...(password === undefined ? {} : { password }),
    ...(pin === undefined || !/^[0-9]{4,8}$/.test(pin) ? {} : { pin }),
  };
}

function countersAt(r: ConfigReader, value: unknown, defaultMode: RatingMode | undefined, embedded: boolean): CounterEntry[] | undefined {
  const items = r.list_(value, 'counters', true);
  if (items === undefined) return undefined;
  if (items.length === 0) r.list.add('counters', 'lists no counter: add at least one quầy with its terminals');
  const counters: CounterEntry[] = [];
  const terminalIds = new Map<string, string>();
  const uids = new Map<string, string>();
  const ports = new Map<string, string>();
  items.forEach((item, i) => {
    const path = join('counters', i);
    const node = r.map(item, path);
    if (node === undefined) return;
    r.unknownKeys(node, path, ['id', 'name', 'mode', 'terminals']);
    const id = r.id(node.id, join(path, 'id'));
    const name = r.text(node.name, join(path, 'name'));
    const mode = r.oneOf(node.mode, join(path, 'mode'), RATING_MODES, defaultMode ?? 'open');
    if (id !== undefined && counters.some((c) => c.id === id)) r.list.add(join(path, 'id'), `counter ${id} is listed twice`);
    const terminals: TerminalEntry[] = [];
    r.list_(node.terminals, join(path, 'terminals'), true)?.forEach((t, j) => {
      const tpath = join(join(path, 'terminals'), j);
      // Vote ids are `terminal:seq` and consumers dedupe per ward, so a
      // terminal id must be unique in the whole ward, not just its counter
      // (checked on the raw id, so a repeat of an otherwise broken entry shows too).
      const rawId = typeof t === 'object' && t !== null ? (t as Node).id : undefined;
      if (typeof rawId === 'string' || typeof rawId === 'number') {
        const seen = terminalIds.get(String(rawId));
        if (seen !== undefined) r.list.add(join(tpath, 'id'), `terminal ${String(rawId)} is already used at ${seen}`);
        else terminalIds.set(String(rawId), tpath);
      }
      const terminal = terminalAt(r, t, tpath, embedded);
      if (terminal === undefined) return;
      if (terminal.uid !== undefined) {
        const at = uids.get(terminal.uid);
        if (at !== undefined) r.list.add(join(tpath, 'uid'), `uid ${terminal.uid} is already assigned at ${at}`);
        uids.set(terminal.uid, tpath);
      }
      if (terminal.port !== undefined) {
        const at = ports.get(terminal.port);
        if (at !== undefined) r.list.add(join(tpath, 'port'), `port ${terminal.port} is already pinned at ${at}`);
        ports.set(terminal.port, tpath);
      }
      terminals.push(terminal);
    });
    if (id !== undefined && name !== undefined && mode !== undefined) counters.push({ id, name, mode, terminals });
  });
  return counters;
}

function serialAt(r: ConfigReader, value: unknown): SerialConfig | undefined {
  const node = r.map(value ?? {}, 'serial');
  if (node === undefined) return undefined;
  r.unknownKeys(node, 'serial', ['ports', 'baudRate', 'scanIntervalMs']);
  let ports: SerialConfig['ports'] | undefined = 'auto';
  if (node.ports !== undefined && node.ports !== 'auto') {
    const list = r.list_(node.ports, 'serial.ports');
    ports = list?.map((p, i) => r.text(p, join('serial.ports', i), 256)).filter((p): p is string => p !== undefined);
  }
  const baudRate = r.int(node.baudRate, 'serial.baudRate', 1, 4_000_000, 115_200);
  if (baudRate !== undefined && !BAUD_RATES.includes(baudRate)) {
    r.list.add('serial.baudRate', `${baudRate} is not a supported rate (${BAUD_RATES.join(', ')}; terminals default to 115200)`);
  }
  const scanIntervalMs = r.int(node.scanIntervalMs, 'serial.scanIntervalMs', 100, 60_000, 2000);
  if (ports === undefined || baudRate === undefined || scanIntervalMs === undefined) return undefined;
  return { ports, baudRate, scanIntervalMs };
}

/** Reads the `mqtt:` block (external broker), recording problems. Shared with the hub config. */
export function mqttAt(r: ConfigReader, value: unknown): MqttConfig | undefined {
  const node = r.map(value ?? {}, 'mqtt');
  if (node === undefined) return undefined;
  r.unknownKeys(node, 'mqtt', ['urls', 'username', 'password', 'caFile', 'clientId']);
  // A plain string is refused, not wrapped: the key is a list (failover order), and one rule is clearer than two.
  let urls: string[] = [];
  if (typeof node.urls === 'string') r.list.add('mqtt.urls', `must be a list of URLs, e.g. [ "${node.urls.slice(0, 100)}" ], got one text`);
  else urls = brokerUrlsAt(r, node.urls, 'mqtt.urls') ?? [];
  const out: { -readonly [K in keyof MqttConfig]: MqttConfig[K] } = { urls };
  if (node.username !== undefined) out.username = r.text(node.username, 'mqtt.username', 128);
  if (node.password !== undefined) out.password = r.text(node.password, 'mqtt.password', 256);
  if (node.caFile !== undefined) out.caFile = r.text(node.caFile, 'mqtt.caFile', 512);
  if (node.clientId !== undefined) out.clientId = r.text(node.clientId, 'mqtt.clientId', 64);
  if (out.password !== undefined && out.username === undefined) r.list.add('mqtt.password', 'is set but mqtt.username is not');
  return out;
}

/** Reads one account of `broker.users` at `path`; `earlier` are the accounts read before it. */
export type BrokerUserReader = (item: unknown, path: string, earlier: readonly BrokerUser[]) => BrokerUser | undefined;

/**
 * The `broker:` block of an office or a hub config: port, host, anonymous
 * read access, and the listed accounts, each read by `userAt` (the two
 * configs allow different accounts).
 */
export function embeddedBrokerAt(r: ConfigReader, value: unknown, userAt: BrokerUserReader): EmbeddedBrokerConfig | undefined {
  const node = r.map(value ?? {}, 'broker');
  if (node === undefined) return undefined;
  r.unknownKeys(node, 'broker', ['port', 'host', 'anonymous', 'users']);
  const port = r.int(node.port, 'broker.port', 0, 65535, 1883);
  const host = r.text(node.host ?? '0.0.0.0', 'broker.host', 255);
  const anonymous = r.oneOf(node.anonymous, 'broker.anonymous', ['none', 'read'] as const, 'none');
  const users: BrokerUser[] = [];
  r.list_(node.users, 'broker.users')?.forEach((item, i) => {
    const user = userAt(item, join('broker.users', i), users);
    if (user !== undefined) users.push(user);
  });
  if (port === undefined || host === undefined || anonymous === undefined) return undefined;
  return { port, host, anonymous, users };
}

function brokerAt(r: ConfigReader, value: unknown, district: string, ward: string, counters: readonly CounterEntry[]): EmbeddedBrokerConfig | undefined {
  const kiosks = counters.flatMap((c) => c.terminals.filter((t) => t.kind === 'touch').map((t) => t.id));
  return embeddedBrokerAt(r, value, (item, path, users) => {
    const u = r.map(item, path);
    if (u === undefined) return undefined;
    r.unknownKeys(u, path, ['username', 'password', 'role', 'counter']);
    // The same rules as the broker and `mosquitto-config` apply, so a config
    // that validates can always become a Mosquitto password and ACL file.
    const usernameIssue = usernameProblem(u.username, join(path, 'username'));
    const passwordIssue = passwordProblem(u.password, join(path, 'password'));
    if (usernameIssue !== undefined) r.list.add(join(path, 'username'), usernameIssue);
    if (passwordIssue !== undefined) r.list.add(join(path, 'password'), passwordIssue);
    const username = usernameIssue === undefined ? (u.username as string) : undefined;
    const password = passwordIssue === undefined ? (u.password as string) : undefined;
    const role = r.oneOf(u.role, join(path, 'role'), ['dashboard', 'desk'] as const);
    if (username !== undefined) {
      if (username === BRIDGE_USERNAME) r.list.add(join(path, 'username'), `${username} is reserved for the bridge itself`);
      if (kiosks.includes(username)) r.list.add(join(path, 'username'), `${username} is a kiosk's terminal id, which is that kiosk's account`);
      if (users.some((x) => x.username === username)) r.list.add(join(path, 'username'), `${username} is listed twice`);
    }
    let counter: string | undefined;
    if (u.counter !== undefined) {
      counter = r.id(u.counter, join(path, 'counter'));
      if (role === 'dashboard') r.list.add(join(path, 'counter'), 'only desk accounts are scoped to a counter');
      if (counter !== undefined && !counters.some((c) => c.id === counter)) r.list.add(join(path, 'counter'), `no counter ${counter} in counters`);
    }
    if (username === undefined || password === undefined || role === undefined) return undefined;
    return counter === undefined ? { username, password, role, district, ward } : { username, password, role, district, ward, counter };
  });
}

/** Reads the `web:` block, recording problems. Shared with the hub config. */
export function webAt(r: ConfigReader, value: unknown): WebConfig | undefined {
  const node = r.map(value ?? {}, 'web');
  if (node === undefined) return undefined;
  r.unknownKeys(node, 'web', ['port', 'host']);
  const port = r.int(node.port, 'web.port', 0, 65535, 8080);
  const host = r.text(node.host ?? '0.0.0.0', 'web.host', 255);
  return port === undefined || host === undefined ? undefined : { port, host };
}

/** Validates a parsed config tree; returns the config or every problem found (never throws). */
export function validateConfig(tree: unknown): ConfigResult {
  const list = new ProblemList();
  const r = new ConfigReader(list);
  const root = r.map(tree, '(file)');
  if (root === undefined) return { ok: false, problems: list.problems };
  r.unknownKeys(root, '', TOP_KEYS);
  const district = place(r, root.district, 'district');
  const ward = place(r, root.ward, 'ward');
  const scale = scaleAt(r, root.scale);
  const target = r.int(root.target, 'target', 0, 100, DEFAULT_TARGET);
  const minVotes = r.int(root.minVotes, 'minVotes', 1, 100_000, DEFAULT_MIN_VOTES);
  const officers = officersAt(r, root.officers);
  const rating = ratingAt(r, root.rating);
  let openingHours = DEFAULT_OPENING_HOURS;
  if (root.openingHours !== undefined && root.openingHours !== null) {
    const hours = parseOpeningHours(root.openingHours);
    if (hours.ok) openingHours = hours.value;
    else list.add(hours.field === undefined ? 'openingHours' : join('openingHours', hours.field), hours.message);
  }
  const mqtt = mqttAt(r, root.mqtt);
  const counters = countersAt(r, root.counters, rating?.mode, mqtt !== undefined && mqtt.urls.length === 0);
  const serial = serialAt(r, root.serial);
  const broker = brokerAt(r, root.broker, district?.id ?? 'x', ward?.id ?? 'x', counters ?? []);
  const web = webAt(r, root.web);
  const dataDir = r.text(root.dataDir ?? './data', 'dataDir', 1024);
  // One process opens both listeners: the second would fail as "in use" by the first (issue 17).
  if (broker !== undefined && web !== undefined && mqtt !== undefined && mqtt.urls.length === 0 && broker.port !== 0 && broker.port === web.port) {
    list.add('web.port', `is ${web.port}, the same port as broker.port: the embedded MQTT broker and the web server each need a port of their own`);
  }
  // An external broker on this PC cannot share the web server's port either.
  mqtt?.urls.forEach((u, i) => {
    const url = URL.canParse(u) ? new URL(u) : undefined;
    const local = url !== undefined && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (web !== undefined && web.port !== 0 && local && Number(url.port) === web.port) {
      list.add(join('mqtt.urls', i), `${u} is on this PC at web.port (${web.port}): the broker and the web server each need a port of their own`);
    }
  });
  const upstream = upstreamAt(r, root.upstream, { urls: mqtt?.urls ?? [], ...(broker === undefined ? {} : { embeddedPort: broker.port }) });
  if (
    !list.ok ||
    district === undefined ||
    ward === undefined ||
    scale === undefined ||
    target === undefined ||
    minVotes === undefined ||
    officers === undefined ||
    rating === undefined ||
    counters === undefined ||
    serial === undefined ||
    mqtt === undefined ||
    broker === undefined ||
    web === undefined ||
    dataDir === undefined
  ) {
    return { ok: false, problems: list.problems };
  }
  const config: HailongConfig = { district, ward, scale, target, minVotes, officers, rating, openingHours, counters, serial, mqtt, broker, web, dataDir, ...(upstream === undefined ? {} : { upstream }) };
  return { ok: true, config };
}

export type { Node };
