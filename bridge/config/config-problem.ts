/**
 * Collects every problem of a config file instead of stopping at the first:
 * an installer fixing a YAML file on a ward PC should see the whole list at
 * once, each with its path in the file (`counters[1].terminals[0].uid`) and,
 * where known, its line.
 */

/** One thing wrong with the config. */
export interface ConfigProblem {
  /** Path in the file, e.g. `counters[1].terminals[0].uid`, or `env HAILONG_WEB_PORT`. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in the YAML file, when the path exists there. */
  readonly line?: number;
}

/** Records problems and reads typed values; a failed read records a problem and returns undefined. */
export class ProblemList {
  readonly problems: ConfigProblem[] = [];

  /** Records a problem at `path`. */
  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** True when nothing was recorded. */
  get ok(): boolean {
    return this.problems.length === 0;
  }
}

/** Joins a key onto a config path: `join('', 'a')` → `a`, `join('a', 'b')` → `a.b`. */
export function join(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** Formats problems for a terminal, one per line, Vietnamese-first heading. */
export function formatProblems(file: string, problems: readonly ConfigProblem[]): string {
  const head = `Cấu hình không hợp lệ / invalid config: ${file} (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'})`;
  const lines = problems.map((p) => `  - ${p.path}${p.line === undefined ? '' : ` (line ${p.line})`}: ${p.message}`);
  return [head, ...lines].join('\n');
}

/**
 * The schema's problems and the code rules' in one list, one problem per
 * path: a rule across fields that trips on a value the schema already
 * refused (a duplicate of a malformed uid) would only say it twice.
 */
export function mergeProblems(...lists: readonly (readonly ConfigProblem[])[]): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const p of lists.flat()) if (!out.some((q) => q.path === p.path)) out.push(p);
  return out;
}
