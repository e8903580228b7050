/**
 * Turns ajv's errors into the config's problems: one message per path, in
 * the words an installer reads (`"baudRate" must be a number`-style, with
 * the value and what to write instead), not ajv's ("must match pattern …").
 * ajv with allErrors reports one failure several times (each branch of an
 * `anyOf`, the `if` above a `then`); they are grouped by path here and the
 * most telling one is worded. Paths use the validator's syntax
 * (`counters[0].terminals[1].uid`), so load-config.ts finds their line.
 */
import type { ErrorObject } from 'ajv';
import { ID_RULE } from '../../core/ids.ts';
import { passwordProblem, usernameProblem } from '../broker/broker-user-check.ts';
import { join, type ConfigProblem } from './config-problem.ts';
import { scalarText, textAt, valueAt } from './config-tree.ts';

/** Which config file a schema describes. */
export type SchemaName = 'hailong' | 'hub';

/** A value as a message quotes it: JSON, cut at 80 characters (a message is one line to read, not the file again). */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value); // a bigint, or a map that holds itself
  }
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** How a value is named in a message: `string "8080"`, `a list`, `null`. */
export function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${show(value)}`;
}

/** One ajv error with the config path it is about, the value there and the map holding it. */
interface Located {
  readonly path: string;
  readonly error: ErrorObject;
  readonly value: unknown;
  readonly parent: unknown;
}

/** A message of its own for a field whose generic wording would not say what to do. */
interface Wording {
  readonly at: RegExp;
  /** ajv keywords it words (any, when absent). */
  readonly keywords?: readonly string[];
  /** The path to report instead (a rule about two keys is reported at the second). */
  readonly as?: string;
  readonly message: (x: Located) => string;
}

const TERMINAL = String.raw`^counters\[\d+\]\.terminals\[\d+\]`;
const at = (pattern: string): RegExp => new RegExp(pattern);

const SHARED: readonly Wording[] = [
  {
    at: /^mqtt\.urls$/,
    keywords: ['type'],
    // A plain string is refused, not wrapped: the key is a list (failover order).
    message: (x) =>
      typeof x.value === 'string'
        ? `must be a list of URLs, e.g. [ "${x.value.slice(0, 100)}" ], got one text`
        : `must be a list of URLs, got ${kind(x.value)}`,
  },
];

/** Field-specific wording of each schema (the rest is worded by keyword). */
const WORDINGS: Readonly<Record<SchemaName, readonly Wording[]>> = {
  hailong: [
    ...SHARED,
    { at: /^counters$/, keywords: ['minItems'], message: () => 'lists no counter: add at least one quầy with its terminals' },
    {
      at: at(`${TERMINAL}\\.uid$`),
      keywords: ['required'],
      message: () => 'is required for a button box: the uid it says in HELLO (see `hailong ports`)',
    },
    {
      at: at(`${TERMINAL}\\.uid$`),
      keywords: ['false schema'],
      message: () => 'is only for button boxes; a kiosk is identified by its id',
    },
    {
      at: at(`${TERMINAL}\\.uid$`),
      message: (x) => `${show(scalarText(x.value) ?? kind(x.value))} is not a terminal uid ([A-Za-z0-9._-], 1–32 chars)`,
    },
    {
      at: at(`${TERMINAL}\\.port$`),
      keywords: ['false schema'],
      message: () => 'is only for button boxes; a kiosk talks MQTT, not serial',
    },
    {
      at: at(`${TERMINAL}\\.password$`),
      keywords: ['false schema'],
      message: () => 'is only for touch terminals (kiosks); a button box has no broker account',
    },
    {
      at: at(`${TERMINAL}\\.pin$`),
      keywords: ['false schema'],
      message: () => 'is only for touch terminals (kiosks): the PIN of their staff settings page',
    },
    { at: at(`${TERMINAL}\\.pin$`), message: () => 'must be 4–8 digits (write it in quotes: "024681")' },
    {
      at: /^serial\.baudRate$/,
      keywords: ['enum'],
      // firmware-protocol/PROTOCOL.md §2: the firmware's default is 115200.
      message: (x) =>
        `${kind(x.value)} is not a supported rate (${(x.error.params.allowedValues as unknown[]).join(', ')}; terminals default to 115200)`,
    },
    {
      at: /^serial\.ports$/,
      keywords: ['anyOf'],
      message: (x) => `must be auto or a list of serial ports (paths or /dev/serial/by-id names), got ${kind(x.value)}`,
    },
    { at: /^broker\.users\[\d+\]\.counter$/, keywords: ['false schema'], message: () => 'only desk accounts are scoped to a counter' },
    {
      at: /^upstream\.urls$/,
      keywords: ['required'],
      message: () => 'is required: the hub broker of the district or province (e.g. mqtts://hub.example.gov.vn:8883)',
    },
    {
      at: /^upstream\.urls$/,
      keywords: ['minItems'],
      message: () => 'lists no URL: remove the upstream block to run without a hub, or name the hub broker',
    },
    { at: /^upstream\.urls$/, keywords: ['anyOf'], message: (x) => `must be a URL or a list of URLs, got ${kind(x.value)}` },
  ],
  hub: [
    ...SHARED,
    { at: /^$/, keywords: ['not'], as: 'province', message: () => 'a hub is one parent unit: give either district or province, not both' },
    {
      at: /^district$/,
      keywords: ['required'],
      message: () => 'is required: the parent unit, `district: {id, name}` or `province: {id, name}`',
    },
    {
      at: /^units$/,
      keywords: ['minItems'],
      message: () => 'lists no unit: add the phường / xã / đặc khu / cơ sở that report to this hub',
    },
    {
      at: /^units$/,
      keywords: ['maxItems'],
      message: (x) => `lists ${Array.isArray(x.value) ? x.value.length : '?'} units, at most ${String(x.error.params.limit)}`,
    },
    {
      at: /^units\[\d+\]\.password$/,
      keywords: ['required'],
      message: (x) =>
        `is required: the password of unit ${textAt(x.parent, 'id') ?? '?'}'s account on the hub broker (its bridge's upstream.password)`,
    },
    {
      at: /^units\[\d+\]\.mergedFrom\[\d+\]\.until$/,
      // YAML 1.2 (the loader's schema) reads 2025-06-30 as text; a date of another form is the usual mistake.
      message: (x) =>
        `must be a date YYYY-MM-DD: the last day ${String(valueAt(x.parent, 'id'))} existed (e.g. 2025-06-30), got ${show(x.value ?? null)}`,
    },
    { at: /^reports\.smtp\.to$/, keywords: ['minItems'], message: () => 'needs at least one address' },
  ],
};

/** Names of the JSON types, as an installer says them. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  object: 'a map of settings',
  array: 'a list',
  boolean: 'true or false',
  null: 'empty',
};

/** Messages of the leaf types every schema shares ($defs), by their name. */
function definitionMessage(def: string, value: unknown): string | undefined {
  if (def === 'id') return `${show(value)} is not a valid id: ${ID_RULE} (it becomes an MQTT topic level)`;
  // The broker's own rules say it (bridge/broker/broker-user-check.ts); the path names the field.
  if (def === 'username') return usernameProblem(value, '')?.trim();
  if (def === 'password') return passwordProblem(value, '')?.trim();
  if (def === 'email') return `${show(value)} is not an e-mail address`;
  if (def === 'time') return `${show(value)} is not a time of day HH:MM (00:00–23:59)`;
  const text = /^text(\d+)$/.exec(def);
  if (text === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') return `must be text, got ${kind(value)}`;
  return `must be one line of at most ${text[1]} characters`;
}

/** The generic wording of one error, by its keyword. */
function keywordMessage(x: Located): string {
  const { error, value } = x;
  const params = error.params as Record<string, unknown>;
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return `is not a known setting (known: ${Object.keys((schema.properties ?? {}) as object).join(', ')})`;
    case 'dependencies':
      return `is set but ${join(x.path.replace(/\.[^.[]+$/, ''), String(params.missingProperty))} is not`;
    case 'type': {
      const types = String(params.type).split(',');
      // A quoted number ("8080") is refused, not converted: a YAML file says numbers without quotes,
      // and silent conversion hides a typo like "80 80" (environment overrides convert: env-overrides.ts).
      if (types.every((t) => t === 'integer' || t === 'number') && typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) {
        return `must be a number without quotes, got ${kind(value)}`;
      }
      return `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}, got ${kind(value)}`;
    }
    case 'enum':
    case 'const': {
      const allowed = error.keyword === 'enum' ? (params.allowedValues as unknown[]) : [params.allowedValue];
      return `${kind(value)} is not one of: ${allowed.map(String).join(', ')}`;
    }
    case 'minimum':
    case 'maximum':
      return `${String(value)} is outside ${String(schema.minimum ?? '…')}..${String(schema.maximum ?? '…')}`;
    case 'minItems':
      return `must list at least ${String(params.limit)} ${params.limit === 1 ? 'item' : 'items'}`;
    case 'maxItems':
      return `lists ${Array.isArray(value) ? value.length : '?'} items, at most ${String(params.limit)}`;
    case 'minLength':
      return `must be at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters`;
    case 'pattern':
      return `${show(value)} is not of the form ${String(params.pattern)}`;
    case 'false schema':
    case 'not':
      return 'is not allowed here';
    default:
      return error.message ?? error.keyword;
  }
}

/** Keywords that fire beside the real failure: a failed branch of another type, the `if` above its `then`. */
const BRANCH_MISS = new Set(['type', 'const', 'enum', 'anyOf']);
/** The order in which one path's errors are worded: what is missing or unknown before what is wrong. */
const FIRST = ['required', 'additionalProperties', 'false schema', 'dependencies', 'not'];

function defOf(e: ErrorObject): string | undefined {
  return /^#\/\$defs\/([A-Za-z0-9]+)\//.exec(e.schemaPath)?.[1];
}

/**
 * One message for the errors at one path, or undefined when they only echo
 * a failure deeper down (an `anyOf` whose list branch failed on an item).
 */
function worded(name: SchemaName, group: readonly Located[], deeper: boolean): ConfigProblem | undefined {
  let errors = group.filter((x) => x.error.keyword !== 'if');
  if (errors.some((x) => x.error.keyword === 'anyOf')) {
    // The value has the type of one branch: its failure is the one to tell.
    const real = errors.filter((x) => !BRANCH_MISS.has(x.error.keyword));
    if (real.length > 0) errors = real;
    else if (deeper) return undefined;
  }
  const first = errors[0];
  if (first === undefined) return undefined;
  for (const w of WORDINGS[name]) {
    const hit = errors.find((x) => w.at.test(x.path) && (w.keywords === undefined || w.keywords.includes(x.error.keyword)));
    if (hit !== undefined) return { path: w.as ?? hit.path, message: w.message(hit) };
  }
  const structural = FIRST.map((k) => errors.find((x) => x.error.keyword === k)).find((x) => x !== undefined);
  if (structural !== undefined) return { path: first.path, message: keywordMessage(structural) };
  for (const x of errors) {
    const def = defOf(x.error);
    const message = def === undefined ? undefined : definitionMessage(def, x.value);
    if (message !== undefined) return { path: first.path, message };
  }
  return { path: first.path, message: keywordMessage(errors.find((x) => x.error.keyword !== 'anyOf') ?? first) };
}

/** `/counters/0/uid` → ['counters', 0, 'uid'] (JSON Pointer, RFC 6901). */
function pointerKeys(pointer: string): (string | number)[] {
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((key) => (/^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : key));
}

function pathOf(keys: readonly (string | number)[]): string {
  return keys.reduce<string>((path, key) => join(path, key), '');
}

function walk(tree: unknown, keys: readonly (string | number)[]): unknown {
  let node = tree;
  for (const key of keys) node = typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}

function locate(e: ErrorObject, tree: unknown): Located {
  const keys = pointerKeys(e.instancePath);
  const params = e.params as { missingProperty?: string; additionalProperty?: string; property?: string };
  // A missing, unknown or dependent key is reported at the key itself.
  const child =
    e.keyword === 'dependencies' ? params.property : e.keyword === 'required' ? params.missingProperty : params.additionalProperty;
  if (child !== undefined) {
    const parent = walk(tree, keys);
    return { path: pathOf([...keys, child]), error: e, value: e.keyword === 'required' ? undefined : valueAt(parent, child), parent };
  }
  return { path: pathOf(keys), error: e, value: walk(tree, keys), parent: walk(tree, keys.slice(0, -1)) };
}

/** ajv's errors for `tree` as one worded problem per path, in ajv's order. Never throws. */
export function wordErrors(name: SchemaName, errors: readonly ErrorObject[], tree: unknown): ConfigProblem[] {
  const groups = new Map<string, Located[]>();
  for (const e of errors) {
    const x = locate(e, tree);
    groups.set(x.path, [...(groups.get(x.path) ?? []), x]);
  }
  const paths = [...groups.keys()];
  const problems: ConfigProblem[] = [];
  for (const [path, group] of groups) {
    const deeper = paths.some((p) => p !== path && (path === '' || p.startsWith(`${path}.`) || p.startsWith(`${path}[`)));
    const problem = worded(name, group, deeper);
    if (problem !== undefined && !problems.some((p) => p.path === (problem.path || '(file)')))
      problems.push({ ...problem, path: problem.path || '(file)' });
  }
  return problems;
}
