/**
 * Turns the parsed YAML tree of a hub config into a `HubConfig`, or the
 * complete list of what is wrong with it, each problem with its path (the
 * loader adds the line). The JSON Schema (schema/hub.schema.json, with ajv)
 * checks the shape and every field; the rules here are those a schema cannot
 * say: unit ids and accounts listed twice (a unit's account defaults to its
 * id), names reserved or taken by a unit, dashboard accounts naming a unit of
 * `units`, the mergers' lineage (core/merger.ts), real calendar dates, and an
 * external broker's account. Pure, like the office validator.
 */
import { lineageOf, type Predecessor } from '../../core/merger.ts';
import { DEFAULT_TARGET } from '../../core/office.ts';
import { isDateString } from '../../core/time.ts';
import { join, mergeProblems, type ConfigProblem } from '../config/config-problem.ts';
import { schemaProblems } from '../config/config-schema.ts';
import { cyclePath, listAt, nodeAt, textAt, valueAt, withoutNulls } from '../config/config-tree.ts';
import { BRIDGE_USERNAME } from '../config/office-rules.ts';
import {
  CYCLE_MESSAGE,
  idOf,
  resolveBroker,
  resolveMqtt,
  resolveWeb,
  type BrokerFile,
  type MqttFile,
  type WebFile,
} from '../config/validate-config.ts';
import type { HubConfig, HubLevel, HubUnit, UnitKind } from './hub-config.ts';
import { resolveReportSchedule, type ReportScheduleFile } from './report-schedule-config.ts';

/**
 * Months of tallies retained by default: this month and the 12 before it,
 * so a year-on-year comparison still finds its month on the broker.
 */
export const DEFAULT_RETAIN_MONTHS = 13;

/** Validation outcome: the hub config, or every problem found. */
export type HubConfigResult = { ok: true; config: HubConfig } | { ok: false; problems: ConfigProblem[] };

type IdFile = string | number;

/** A hub config that conforms to schema/hub.schema.json. */
interface HubFile {
  readonly district?: { readonly id: IdFile; readonly name: string };
  readonly province?: { readonly id: IdFile; readonly name: string };
  readonly target?: number;
  readonly units: readonly {
    readonly id: IdFile;
    readonly name: string;
    readonly kind: UnitKind;
    readonly target?: number;
    readonly username?: string;
    readonly password: string;
    readonly mergedFrom?: readonly { readonly id: IdFile; readonly until: string; readonly name?: string }[];
  }[];
  readonly broker?: BrokerFile<{ readonly username: string; readonly password: string; readonly unit?: IdFile }>;
  readonly mqtt?: MqttFile;
  readonly web?: WebFile;
  readonly retainMonths?: number;
  readonly dataDir?: string;
  readonly reports?: ReportScheduleFile;
}

/** The account a unit signs in with: its own username, or its id (units[].username). */
function unitUsername(unit: unknown): string | undefined {
  const username = valueAt(unit, 'username');
  return username === undefined ? textAt(unit, 'id') : typeof username === 'string' ? username : undefined;
}

function unitProblems(tree: unknown, problems: ConfigProblem[]): void {
  const ids = new Map<string, string>();
  const usernames = new Map<string, string>();
  const units = listAt(tree, 'units');
  units.forEach((unit, i) => {
    const path = join('units', i);
    const id = textAt(unit, 'id');
    const seenId = id === undefined ? undefined : ids.get(id);
    if (seenId !== undefined) problems.push({ path: join(path, 'id'), message: `unit ${id} is already listed at ${seenId}` });
    else if (id !== undefined) ids.set(id, path);
    const username = unitUsername(unit);
    const seenUser = username === undefined ? undefined : usernames.get(username);
    if (username === BRIDGE_USERNAME)
      problems.push({ path: join(path, 'username'), message: `${username} is reserved for the hub itself` });
    else if (seenUser !== undefined)
      problems.push({ path: join(path, 'username'), message: `account ${username} is already used at ${seenUser}` });
    else if (username !== undefined) usernames.set(username, path);
    // The schema checks the form YYYY-MM-DD; the calendar (no 2025-02-30) is the code's.
    listAt(unit, 'mergedFrom').forEach((p, k) => {
      const until = valueAt(p, 'until');
      if (typeof until === 'string' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(until) && !isDateString(until)) {
        problems.push({
          path: join(join(join(path, 'mergedFrom'), k), 'until'),
          message: `must be a date YYYY-MM-DD: the last day ${String(textAt(p, 'id'))} existed (e.g. 2025-06-30), got "${until}" (no such day)`,
        });
      }
    });
  });
  // One entry per listed unit (placeholders for broken ones) so merger problems keep their units[i] path.
  const lineage = lineageOf(
    units.map((unit) => ({
      id: textAt(unit, 'id') ?? '',
      mergedFrom: listAt(unit, 'mergedFrom').flatMap((p): Predecessor[] => {
        const id = textAt(p, 'id');
        const until = valueAt(p, 'until');
        return id !== undefined && isDateString(until) ? [{ id, until }] : [];
      }),
    })),
  );
  if (!lineage.ok) problems.push(...lineage.problems);
}

function dashboardProblems(tree: unknown, problems: ConfigProblem[]): void {
  const units = listAt(tree, 'units');
  const unitIds = new Set(units.map((u) => textAt(u, 'id')));
  const unitAccounts = new Set(units.map(unitUsername));
  const seen = new Set<string>();
  listAt(nodeAt(tree, 'broker'), 'users').forEach((u, i) => {
    const path = join('broker.users', i);
    const username = valueAt(u, 'username');
    if (typeof username === 'string') {
      // Only dashboards: units sign in with their own accounts (units[].username).
      if (username === BRIDGE_USERNAME)
        problems.push({ path: join(path, 'username'), message: `${username} is reserved for the hub itself` });
      else if (unitAccounts.has(username)) problems.push({ path: join(path, 'username'), message: `${username} is a unit's account` });
      else if (seen.has(username)) problems.push({ path: join(path, 'username'), message: `${username} is listed twice` });
      seen.add(username);
    }
    const unit = textAt(u, 'unit');
    if (unit !== undefined && !unitIds.has(unit)) problems.push({ path: join(path, 'unit'), message: `no unit ${unit} in units` });
  });
}

/** Every problem of the hub config's rules across fields. Never throws. */
function hubRuleProblems(tree: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  unitProblems(tree, problems);
  dashboardProblems(tree, problems);
  const mqtt = nodeAt(tree, 'mqtt');
  if (listAt(mqtt, 'urls').length > 0 && (mqtt.username === undefined || mqtt.password === undefined)) {
    problems.push({
      path: 'mqtt',
      message: 'an external broker needs mqtt.username and mqtt.password: the hub reads every unit with them',
    });
  }
  return problems;
}

function resolve(file: HubFile): HubConfig {
  const level: HubLevel = file.district === undefined ? 'province' : 'district';
  const place = file.district ?? file.province;
  const parent = { level, id: idOf(place?.id ?? ''), name: place?.name ?? '' };
  const target = file.target ?? DEFAULT_TARGET;
  const units = file.units.map((u): HubUnit => {
    const id = idOf(u.id);
    const base = { id, name: u.name, kind: u.kind, target: u.target ?? target, username: u.username ?? id, password: u.password };
    if (u.mergedFrom === undefined || u.mergedFrom.length === 0) return base;
    return { ...base, mergedFrom: u.mergedFrom.map((p) => ({ ...p, id: idOf(p.id) })) };
  });
  const users = (file.broker?.users ?? []).map((u) => ({
    username: u.username,
    password: u.password,
    role: 'dashboard' as const,
    district: parent.id,
    ...(u.unit === undefined ? {} : { ward: idOf(u.unit) }),
  }));
  return {
    parent,
    target,
    units,
    broker: { ...resolveBroker(file.broker), users },
    mqtt: resolveMqtt(file.mqtt),
    web: resolveWeb(file.web),
    retainMonths: file.retainMonths ?? DEFAULT_RETAIN_MONTHS,
    dataDir: file.dataDir ?? './hub-data',
    reports: resolveReportSchedule(file.reports),
  };
}

/** Validates a parsed hub config tree; returns the config or every problem found (never throws). */
export function validateHubConfig(input: unknown): HubConfigResult {
  const cycle = cyclePath(input);
  if (cycle !== undefined) return { ok: false, problems: [{ path: cycle, message: CYCLE_MESSAGE }] };
  const tree = withoutNulls(input);
  const problems = mergeProblems(schemaProblems('hub', tree), hubRuleProblems(tree));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: resolve(tree as HubFile) };
}
