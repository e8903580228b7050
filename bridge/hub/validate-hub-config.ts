/**
 * Turns the parsed YAML tree of a hub config into a `HubConfig`, or the
 * complete list of what is wrong with it, each problem with its path (the
 * loader adds the line). Pure, like the office validator it shares readers
 * with (bridge/config/).
 */
import { DEFAULT_TARGET } from '../../core/office.ts';
import type { BrokerUser } from '../broker/broker-user.ts';
import { passwordProblem, usernameProblem } from '../broker/broker-user-check.ts';
import { join, ProblemList, type ConfigProblem } from '../config/config-problem.ts';
import { reportScheduleAt } from './report-schedule-config.ts';
import { ConfigReader } from '../config/config-reader.ts';
import { BRIDGE_USERNAME, embeddedBrokerAt, mqttAt, webAt } from '../config/validate-config.ts';
import { isDateString } from '../../core/time.ts';
import { lineageOf, type Predecessor } from '../../core/merger.ts';
import { HUB_LEVELS, UNIT_KINDS, type HubBrokerConfig, type HubConfig, type HubLevel, type HubParent, type HubUnit } from './hub-config.ts';

/** Top-level settings of a hub config, in the order of hub.example.yaml (plus the other tier). */
const TOP_KEYS = ['district', 'province', 'target', 'units', 'broker', 'mqtt', 'web', 'retainMonths', 'dataDir', 'reports'];

/** Most units one hub takes: a province has about 100 commune-level centers plus its center's sites. */
export const MAX_UNITS = 1000;

/**
 * Months of tallies retained by default: this month and the 12 before it,
 * so a year-on-year comparison still finds its month on the broker.
 */
export const DEFAULT_RETAIN_MONTHS = 13;

/** Validation outcome: the hub config, or every problem found. */
export type HubConfigResult = { ok: true; config: HubConfig } | { ok: false; problems: ConfigProblem[] };

function parentAt(r: ConfigReader, root: Readonly<Record<string, unknown>>): HubParent | undefined {
  const present = HUB_LEVELS.filter((level) => root[level] !== undefined);
  if (present.length === 0) {
    r.list.add('district', 'is required: the parent unit, `district: {id, name}` or `province: {id, name}`');
    return undefined;
  }
  if (present.length > 1) {
    r.list.add(present[1] as string, 'a hub is one parent unit: give either district or province, not both');
    return undefined;
  }
  const level = present[0] as HubLevel;
  const node = r.map(root[level], level);
  if (node === undefined) return undefined;
  r.unknownKeys(node, level, ['id', 'name']);
  const id = r.id(node.id, join(level, 'id'));
  const name = r.text(node.name, join(level, 'name'));
  return id === undefined || name === undefined ? undefined : { level, id, name };
}

function unitAt(r: ConfigReader, item: unknown, path: string, defaultTarget: number): HubUnit | undefined {
  const node = r.map(item, path);
  if (node === undefined) return undefined;
  r.unknownKeys(node, path, ['id', 'name', 'kind', 'target', 'username', 'password', 'mergedFrom']);
  const id = r.id(node.id, join(path, 'id'));
  const name = r.text(node.name, join(path, 'name'));
  const kind = r.oneOf(node.kind, join(path, 'kind'), UNIT_KINDS);
  const target = r.int(node.target, join(path, 'target'), 0, 100, defaultTarget);
  // The unit's account on the hub broker: its bridge's upstream.username / upstream.password.
  const rawUsername = node.username ?? id;
  let username: string | undefined;
  if (rawUsername !== undefined) {
    const issue = usernameProblem(rawUsername, join(path, 'username'));
    if (issue !== undefined) r.list.add(join(path, 'username'), issue);
    else username = rawUsername as string;
  }
  let password: string | undefined;
  if (node.password === undefined) {
    r.list.add(
      join(path, 'password'),
      `is required: the password of unit ${String(id ?? node.id)}'s account on the hub broker (its bridge's upstream.password)`,
    );
  } else {
    const issue = passwordProblem(node.password, join(path, 'password'));
    if (issue !== undefined) r.list.add(join(path, 'password'), issue);
    else password = node.password as string;
  }
  const mergedFrom = mergedFromAt(r, node.mergedFrom, join(path, 'mergedFrom'));
  if (id === undefined || name === undefined || kind === undefined || target === undefined) return undefined;
  if (username === undefined || password === undefined || mergedFrom === undefined) return undefined;
  return mergedFrom.length === 0 ? { id, name, kind, target, username, password } : { id, name, kind, target, username, password, mergedFrom };
}

/** `mergedFrom: [{id, until}]`: the units this one absorbed and the last day each existed (core/merger.ts). */
function mergedFromAt(r: ConfigReader, value: unknown, path: string): Predecessor[] | undefined {
  const items = r.list_(value, path);
  if (items === undefined) return undefined;
  const out: Predecessor[] = [];
  let bad = false;
  items.forEach((item, k) => {
    const at = join(path, k);
    const node = r.map(item, at);
    if (node === undefined) return void (bad = true);
    r.unknownKeys(node, at, ['id', 'until', 'name']);
    const id = r.id(node.id, join(at, 'id'));
    const name = node.name === undefined ? undefined : r.text(node.name, join(at, 'name'));
    // YAML 1.2 (the loader's schema) reads 2025-06-30 as a string; a quoted one is the same.
    const until = node.until;
    if (!isDateString(until)) {
      r.list.add(join(at, 'until'), `must be a date YYYY-MM-DD: the last day ${String(id ?? node.id)} existed (e.g. 2025-06-30), got ${JSON.stringify(until ?? null)}`);
      return void (bad = true);
    }
    if (id === undefined) return void (bad = true);
    out.push(name === undefined ? { id, until } : { id, until, name });
  });
  return bad ? undefined : out;
}

function unitsAt(r: ConfigReader, value: unknown, defaultTarget: number): HubUnit[] | undefined {
  const items = r.list_(value, 'units', true);
  if (items === undefined) return undefined;
  if (items.length === 0) r.list.add('units', 'lists no unit: add the phường / xã / đặc khu / cơ sở that report to this hub');
  if (items.length > MAX_UNITS) r.list.add('units', `lists ${items.length} units, at most ${MAX_UNITS}`);
  const units: HubUnit[] = [];
  // One entry per listed item (placeholders for invalid ones) so merger problems keep their units[i] path.
  const lineageInput: { id: string; mergedFrom?: readonly Predecessor[] }[] = [];
  const ids = new Map<string, string>();
  const usernames = new Map<string, string>();
  items.forEach((item, i) => {
    const path = join('units', i);
    const unit = unitAt(r, item, path, defaultTarget);
    lineageInput.push(unit === undefined ? { id: '' } : { id: unit.id, ...(unit.mergedFrom === undefined ? {} : { mergedFrom: unit.mergedFrom }) });
    if (unit === undefined) return;
    const seenId = ids.get(unit.id);
    if (seenId !== undefined) r.list.add(join(path, 'id'), `unit ${unit.id} is already listed at ${seenId}`);
    ids.set(unit.id, path);
    const seenUser = usernames.get(unit.username);
    if (seenUser !== undefined) r.list.add(join(path, 'username'), `account ${unit.username} is already used at ${seenUser}`);
    usernames.set(unit.username, path);
    if (unit.username === BRIDGE_USERNAME) r.list.add(join(path, 'username'), `${unit.username} is reserved for the hub itself`);
    units.push(unit);
  });
  const lineage = lineageOf(lineageInput);
  if (!lineage.ok) for (const p of lineage.problems) r.list.add(p.path, p.message);
  return units;
}

function dashboardUserAt(r: ConfigReader, item: unknown, path: string, parent: string, units: readonly HubUnit[]): BrokerUser | undefined {
  const u = r.map(item, path);
  if (u === undefined) return undefined;
  r.unknownKeys(u, path, ['username', 'password', 'role', 'unit']);
  const usernameIssue = usernameProblem(u.username, join(path, 'username'));
  const passwordIssue = passwordProblem(u.password, join(path, 'password'));
  if (usernameIssue !== undefined) r.list.add(join(path, 'username'), usernameIssue);
  if (passwordIssue !== undefined) r.list.add(join(path, 'password'), passwordIssue);
  // Only dashboards: units sign in with their own accounts (units[].username).
  const role = r.oneOf(u.role ?? 'dashboard', join(path, 'role'), ['dashboard'] as const);
  let unit: string | undefined;
  if (u.unit !== undefined) {
    unit = r.id(u.unit, join(path, 'unit'));
    if (unit !== undefined && !units.some((x) => x.id === unit)) r.list.add(join(path, 'unit'), `no unit ${unit} in units`);
  }
  if (usernameIssue !== undefined || passwordIssue !== undefined || role === undefined) return undefined;
  const username = u.username as string;
  const password = u.password as string;
  if (username === BRIDGE_USERNAME) r.list.add(join(path, 'username'), `${username} is reserved for the hub itself`);
  if (units.some((x) => x.username === username)) r.list.add(join(path, 'username'), `${username} is a unit's account`);
  return unit === undefined ? { username, password, role, district: parent } : { username, password, role, district: parent, ward: unit };
}

function brokerAt(r: ConfigReader, value: unknown, parent: string, units: readonly HubUnit[]): HubBrokerConfig | undefined {
  return embeddedBrokerAt(r, value, (item, path, users) => {
    const user = dashboardUserAt(r, item, path, parent, units);
    if (user !== undefined && users.some((x) => x.username === user.username)) r.list.add(join(path, 'username'), `${user.username} is listed twice`);
    return user;
  });
}

/** Validates a parsed hub config tree; returns the config or every problem found (never throws). */
export function validateHubConfig(tree: unknown): HubConfigResult {
  const list = new ProblemList();
  const r = new ConfigReader(list);
  const root = r.map(tree, '(file)');
  if (root === undefined) return { ok: false, problems: list.problems };
  r.unknownKeys(root, '', TOP_KEYS);
  const parent = parentAt(r, root);
  const target = r.int(root.target, 'target', 0, 100, DEFAULT_TARGET);
  const units = unitsAt(r, root.units, target ?? DEFAULT_TARGET);
  const broker = brokerAt(r, root.broker, parent?.id ?? 'x', units ?? []);
  const mqtt = mqttAt(r, root.mqtt);
  const web = webAt(r, root.web);
  const retainMonths = r.int(root.retainMonths, 'retainMonths', 1, 120, DEFAULT_RETAIN_MONTHS);
  const dataDir = r.text(root.dataDir ?? './hub-data', 'dataDir', 1024);
  const reports = reportScheduleAt(r, root.reports);
  if (mqtt !== undefined && mqtt.urls.length > 0 && (mqtt.username === undefined || mqtt.password === undefined)) {
    list.add('mqtt', 'an external broker needs mqtt.username and mqtt.password: the hub reads every unit with them');
  }
  if (
    !list.ok ||
    parent === undefined ||
    target === undefined ||
    units === undefined ||
    broker === undefined ||
    mqtt === undefined ||
    web === undefined ||
    retainMonths === undefined ||
    dataDir === undefined ||
    reports === undefined
  ) {
    return { ok: false, problems: list.problems };
  }
  return { ok: true, config: { parent, target, units, broker, mqtt, web, retainMonths, dataDir, reports } };
}
