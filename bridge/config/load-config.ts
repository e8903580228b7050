/**
 * Reads the office's YAML config file, applies environment overrides,
 * validates it once, and reports every problem together with its path and
 * line. Never throws for a bad file: a broken config is outside input.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, dirname, resolve } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import type { ConfigProblem } from './config-problem.ts';
import { applyEnvOverrides } from './env-overrides.ts';
import type { HailongConfig } from './hailong-config.ts';
import { validateConfig } from './validate-config.ts';

/** Loading outcome. */
export type LoadResult = LoadOutcome<HailongConfig>;

// `counters[1].terminals[0].uid` → ['counters', 1, 'terminals', 0, 'uid']
function pathKeys(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (m === null) return [];
    if (m[1] !== '') keys.push(m[1] as string);
    for (const idx of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) keys.push(Number(idx[1]));
  }
  return keys;
}

type Ranged = { range?: [number, number, number] | null } | null | undefined;

// Where the entry `key` of `parent` starts: a map's KEY (so `foo:` with a
// block value below it is reported at the `foo:` line, not the value's),
// or a list's item.
function entryStart(parent: unknown, key: string | number): number | undefined {
  if (isMap(parent)) {
    const pair = parent.items.find((p) => {
      const k = p.key as { value?: unknown } | string | null;
      return (typeof k === 'object' && k !== null ? k.value : k) === key;
    });
    return (pair?.key as Ranged)?.range?.[0] ?? undefined;
  }
  if (isSeq(parent) && typeof key === 'number') return (parent.items[key] as Ranged)?.range?.[0] ?? undefined;
  return undefined;
}

// The line of the deepest entry of `path` that exists in the file; a
// missing top-level key (or a file that is not a map) at the line where
// the document starts (line 1 of a file of comments only).
function lineOf(doc: Document, counter: LineCounter, path: string): number {
  const keys = pathKeys(path);
  for (let n = keys.length; n > 0; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(keys.slice(0, n - 1), true);
    const start = entryStart(parent, keys[n - 1] as string | number);
    if (start !== undefined) return counter.linePos(start).line;
  }
  const root = (doc.contents as Ranged)?.range?.[0];
  return root === undefined ? 1 : counter.linePos(root).line;
}

// yaml says "Map keys must be unique" without the key: name it (the error points at its first character).
function yamlMessage(error: YAMLError, text: string): string {
  const message = error.message.split('\n')[0] ?? error.message;
  if (error.code !== 'DUPLICATE_KEY') return message;
  const key = /^\s*("([^"]*)"|'([^']*)'|[^:\n]*?)\s*:/.exec(text.slice(error.pos[0]));
  const name = key === null ? undefined : (key[2] ?? key[3] ?? key[1]);
  return name === undefined || name === ''
    ? message
    : `duplicate key "${name}": it is set twice in the same map (remove one; which one wins would be a guess)`;
}

/** What a config validator returns: the config, or every problem with its path. */
export type Validated<C> = { ok: true; config: C } | { ok: false; problems: ConfigProblem[] };

/** Loading outcome of any kind of config (office or hub). */
export type LoadOutcome<C> =
  | { readonly ok: true; readonly config: C; readonly file: string }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[]; readonly file: string };

/** Parses and validates office config text (the file's contents); `file` names it in messages. */
export function parseConfigText(text: string, file: string, env: Readonly<Record<string, string | undefined>> = {}): LoadResult {
  return parseYamlConfig(text, file, env, validateConfig);
}

/**
 * Parses YAML config text, applies the environment overrides, validates it
 * with `validate` and locates every problem's line; a relative `dataDir` is
 * made relative to the file. Shared by the office and the hub config.
 */
export function parseYamlConfig<C extends { readonly dataDir: string }>(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  validate: (tree: unknown) => Validated<C>,
): LoadOutcome<C> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({
      path: '(yaml)',
      message: yamlMessage(e, text),
      line: counter.linePos(e.pos[0]).line,
    }));
    return { ok: false, problems, file };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // e.g. an alias used before its anchor, or an alias bomb.
    return { ok: false, problems: [{ path: '(yaml)', message: (error as Error).message }], file };
  }
  const { tree, fromEnv } = applyEnvOverrides(raw, env);
  const result = validate(tree);
  if (result.ok) {
    // A relative data folder is relative to the config file, not to wherever
    // the service happened to be started from.
    const base = dirname(resolve(file));
    const dataDir = isAbsolute(result.config.dataDir) ? result.config.dataDir : resolve(base, result.config.dataDir);
    return { ok: true, config: { ...result.config, dataDir }, file };
  }
  const located = result.problems.map((p): ConfigProblem => {
    const variable = [...fromEnv.entries()].find(
      ([path]) => p.path === path || p.path.startsWith(`${path}[`) || p.path.startsWith(`${path}.`),
    );
    if (variable !== undefined) return { path: `env ${variable[1]} (${p.path})`, message: p.message };
    return { ...p, line: lineOf(doc, counter, p.path) };
  });
  // In file order, as an installer reads the file; problems of the environment last.
  const problems = located
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || a.i - b.i)
    .map(({ p }) => p);
  return { ok: false, problems, file };
}

/** Reads `file` and validates it; a missing or unreadable file is a problem, not an exception. */
export async function loadConfig(file: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<LoadResult> {
  const text = await readConfigFile(file, 'hailong.example.yaml');
  if (typeof text !== 'string') return text;
  return parseConfigText(text, file, env);
}

/** A config file's text, or the problem of a missing or unreadable file (`example` names the file to copy). */
export async function readConfigFile(file: string, example: string): Promise<string | LoadOutcome<never>> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `does not exist (copy ${example} and edit it)` : `cannot be read (${code ?? String(error)})`;
    return { ok: false, problems: [{ path: '(file)', message: `${file} ${why}` }], file };
  }
}
