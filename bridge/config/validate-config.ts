/**
 * Turns the parsed YAML tree of a config file into a `HailongConfig`, or the
 * complete list of what is wrong with it. Three passes, one list: the JSON
 * Schema (schema/hailong.schema.json, with ajv: shape and per-field rules),
 * the core parsers of the scale and the opening hours, and the rules across
 * fields (office-rules.ts). Only a tree that passes all three is resolved,
 * with the defaults, into the typed config. Pure: no file or environment
 * access (see load-config.ts), so every rule is unit-testable.
 */
import { DEFAULT_MIN_VOTES } from '../../core/confidence.ts';
import { DEFAULT_TARGET } from '../../core/office.ts';
import { DEFAULT_OPENING_HOURS, parseOpeningHours, type OpeningHours } from '../../core/opening-hours.ts';
import { STANDARD_REASON_IDS } from '../../core/reason.ts';
import { DEFAULT_SCALE, parseScale, type Scale } from '../../core/scale.ts';
import type { RatingMode } from '../../core/terminal-config.ts';
import type { AnonymousAccess, BrokerUser } from '../broker/broker-user.ts';
import { join, mergeProblems, type ConfigProblem } from './config-problem.ts';
import { schemaProblems } from './config-schema.ts';
import { cyclePath, valueAt, withoutNulls } from './config-tree.ts';
import type { CounterEntry, HailongConfig, MqttConfig, NamedPlace, TerminalEntry, WebConfig } from './hailong-config.ts';
import { officeRuleProblems } from './office-rules.ts';
import { resolveUpstream, type UpstreamFile } from './upstream-config.ts';

/** An id as the schema lets it be written: YAML reads `1` as a number, taken as its digits. */
type IdFile = string | number;

interface PlaceFile {
  readonly id: IdFile;
  readonly name: string;
}

interface TerminalFile {
  readonly id: IdFile;
  readonly kind?: TerminalEntry['kind'];
  readonly uid?: string | number;
  readonly port?: string;
  readonly password?: string;
  readonly pin?: string | number;
}

/** The `mqtt:` block as written (shared with the hub config). */
export type MqttFile = Partial<MqttConfig>;

/** The `web:` block as written (shared with the hub config). */
export type WebFile = Partial<WebConfig>;

/** The `broker:` block as written, with the accounts of its kind of config. */
export interface BrokerFile<U> {
  readonly port?: number;
  readonly host?: string;
  readonly anonymous?: AnonymousAccess;
  readonly users?: readonly U[];
}

interface OfficeUserFile {
  readonly username: string;
  readonly password: string;
  readonly role: 'dashboard' | 'desk';
  readonly counter?: IdFile;
}

/** An office config that conforms to schema/hailong.schema.json. */
interface OfficeFile {
  readonly district: PlaceFile;
  readonly ward: PlaceFile;
  readonly target?: number;
  readonly minVotes?: number;
  readonly officers?: readonly PlaceFile[];
  readonly rating?: {
    readonly cooldownMs?: number;
    readonly mode?: RatingMode;
    readonly windowMs?: number;
    readonly reasons?: readonly IdFile[];
  };
  readonly counters: readonly {
    readonly id: IdFile;
    readonly name: string;
    readonly mode?: RatingMode;
    readonly terminals: readonly TerminalFile[];
  }[];
  readonly serial?: { readonly ports?: 'auto' | readonly string[]; readonly baudRate?: number; readonly scanIntervalMs?: number };
  readonly mqtt?: MqttFile;
  readonly broker?: BrokerFile<OfficeUserFile>;
  readonly web?: WebFile;
  readonly dataDir?: string;
  readonly upstream?: UpstreamFile;
}

/** Validation outcome: the config, or every problem found. */
export type ConfigResult = { ok: true; config: HailongConfig } | { ok: false; problems: ConfigProblem[] };

/** An id of a valid config as text. */
export function idOf(id: IdFile): string {
  return String(id);
}

function placeOf(p: PlaceFile): NamedPlace {
  return { id: idOf(p.id), name: p.name };
}

/** The `mqtt:` block of a valid config, resolved (no urls = the embedded broker). */
export function resolveMqtt(file: MqttFile | undefined): MqttConfig {
  return { ...file, urls: [...(file?.urls ?? [])] };
}

/** The `web:` block of a valid config, resolved. */
export function resolveWeb(file: WebFile | undefined): WebConfig {
  return { port: file?.port ?? 8080, host: file?.host ?? '0.0.0.0' };
}

/** The `broker:` block of a valid config without its accounts, resolved. */
export function resolveBroker(file: BrokerFile<unknown> | undefined): { port: number; host: string; anonymous: AnonymousAccess } {
  return { port: file?.port ?? 1883, host: file?.host ?? '0.0.0.0', anonymous: file?.anonymous ?? 'none' };
}

function terminalOf(t: TerminalFile): TerminalEntry {
  const id = idOf(t.id);
  if ((t.kind ?? 'button') === 'button')
    return { id, kind: 'button', uid: String(t.uid), ...(t.port === undefined ? {} : { port: t.port }) };
  // The staff PIN is set at provisioning, never defaulted (issue 13, item 2).
  return {
    id,
    kind: 'touch',
    ...(t.password === undefined ? {} : { password: t.password }),
    ...(t.pin === undefined ? {} : { pin: String(t.pin) }),
  };
}

function resolve(file: OfficeFile, scale: Scale, openingHours: OpeningHours): HailongConfig {
  const district = placeOf(file.district);
  const ward = placeOf(file.ward);
  const rating = file.rating ?? {};
  const mode = rating.mode ?? 'open';
  const counters: CounterEntry[] = file.counters.map((c) => ({
    id: idOf(c.id),
    name: c.name,
    mode: c.mode ?? mode,
    terminals: c.terminals.map(terminalOf),
  }));
  const users: BrokerUser[] = (file.broker?.users ?? []).map((u) => ({
    username: u.username,
    password: u.password,
    role: u.role,
    district: district.id,
    ward: ward.id,
    ...(u.counter === undefined ? {} : { counter: idOf(u.counter) }),
  }));
  return {
    district,
    ward,
    scale,
    target: file.target ?? DEFAULT_TARGET,
    minVotes: file.minVotes ?? DEFAULT_MIN_VOTES,
    officers: (file.officers ?? []).map(placeOf),
    rating: {
      cooldownMs: rating.cooldownMs ?? 3000,
      mode,
      windowMs: rating.windowMs ?? 30_000,
      reasons: (rating.reasons ?? STANDARD_REASON_IDS).map(idOf),
    },
    openingHours,
    counters,
    serial: {
      ports: file.serial?.ports ?? 'auto',
      baudRate: file.serial?.baudRate ?? 115_200,
      scanIntervalMs: file.serial?.scanIntervalMs ?? 2000,
    },
    mqtt: resolveMqtt(file.mqtt),
    broker: { ...resolveBroker(file.broker), users },
    web: resolveWeb(file.web),
    dataDir: file.dataDir ?? './data',
    ...(file.upstream === undefined ? {} : { upstream: resolveUpstream(file.upstream) }),
  };
}

/** The problem of a map or list that holds itself (config-tree.ts `cyclePath`). */
export const CYCLE_MESSAGE = 'holds itself: a YAML alias (*name) inside the map or list its anchor (&name) names';

/** True when `problems` name `path` or something inside it. */
export function refusedAt(problems: readonly ConfigProblem[], path: string): boolean {
  return problems.some((p) => p.path === path || p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`) || p.path === '(file)');
}

/** Validates a parsed config tree; returns the config or every problem found (never throws). */
export function validateConfig(input: unknown): ConfigResult {
  const cycle = cyclePath(input);
  if (cycle !== undefined) return { ok: false, problems: [{ path: cycle, message: CYCLE_MESSAGE }] };
  const tree = withoutNulls(input);
  const bySchema = schemaProblems('hailong', tree);
  // The core parsers read what the schema only outlines (a scale's levels, the order of
  // opening hours); on a block the schema refused they would only repeat it.
  const parsers: ConfigProblem[] = [];
  let scale = DEFAULT_SCALE;
  const rawScale = valueAt(tree, 'scale');
  if (rawScale !== undefined && !refusedAt(bySchema, 'scale')) {
    const parsed = parseScale(typeof rawScale === 'number' ? String(rawScale) : rawScale);
    if (parsed.ok) scale = parsed.value;
    else parsers.push({ path: parsed.field === undefined ? 'scale' : join('scale', parsed.field), message: parsed.message });
  }
  let openingHours = DEFAULT_OPENING_HOURS;
  const rawHours = valueAt(tree, 'openingHours');
  if (rawHours !== undefined && !refusedAt(bySchema, 'openingHours')) {
    const hours = parseOpeningHours(rawHours);
    if (hours.ok) openingHours = hours.value;
    else parsers.push({ path: hours.field === undefined ? 'openingHours' : join('openingHours', hours.field), message: hours.message });
  }
  const problems = mergeProblems(bySchema, parsers, officeRuleProblems(tree));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: resolve(tree as OfficeFile, scale, openingHours) };
}
