/**
 * Typed reads of a parsed YAML/JSON tree for the config validator. Each
 * read records a problem naming the path and returns undefined instead of
 * throwing, so validation continues and reports everything at once.
 */
import { isId, ID_RULE } from '../../core/ids.ts';
import { join, type ProblemList } from './config-problem.ts';

/** A plain object from YAML, or undefined. */
export type Node = Readonly<Record<string, unknown>>;

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Reads typed values under a path, recording problems in `list`. */
export class ConfigReader {
  constructor(readonly list: ProblemList) {}

  /** A map at `path`; absent → `fallback` (undefined = required). */
  map(value: unknown, path: string, required = true): Node | undefined {
    if (value === undefined || value === null) {
      if (required) this.list.add(path, 'is required');
      return undefined;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.list.add(path, `must be a map of settings, got ${kind(value)}`);
      return undefined;
    }
    return value as Node;
  }

  /** Reports keys of `node` that are not in `known` (typos must not be silently ignored). */
  unknownKeys(node: Node, path: string, known: readonly string[]): void {
    for (const key of Object.keys(node)) {
      if (!known.includes(key)) this.list.add(join(path, key), `is not a known setting (known: ${known.join(', ')})`);
    }
  }

  /** A list at `path`; absent → empty list when not required. */
  list_(value: unknown, path: string, required = false): readonly unknown[] | undefined {
    if (value === undefined || value === null) {
      if (required) this.list.add(path, 'is required');
      return required ? undefined : [];
    }
    if (!Array.isArray(value)) {
      this.list.add(path, `must be a list, got ${kind(value)}`);
      return undefined;
    }
    return value;
  }

  /** A non-empty single-line string of at most `max` characters. */
  text(value: unknown, path: string, max = 80, required = true): string | undefined {
    if (value === undefined || value === null) {
      if (required) this.list.add(path, 'is required');
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.list.add(path, `must be text, got ${kind(value)}`);
      return undefined;
    }
    if (Array.from(value).length > max || /[\p{Cc}]/u.test(value)) {
      this.list.add(path, `must be one line of at most ${max} characters`);
      return undefined;
    }
    return value;
  }

  /** An id (`[a-z0-9][a-z0-9-]{0,31}`), because it becomes an MQTT topic level. */
  id(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) {
      this.list.add(path, 'is required');
      return undefined;
    }
    // YAML reads `quay-1` as text but `1` as a number: accept digits as text.
    const text = typeof value === 'number' && Number.isInteger(value) && value >= 0 ? String(value) : value;
    if (!isId(text)) {
      this.list.add(path, `${JSON.stringify(value)} is not a valid id: ${ID_RULE} (it becomes an MQTT topic level)`);
      return undefined;
    }
    return text;
  }

  /** An integer in [min, max]; absent → `fallback`. */
  int(value: unknown, path: string, min: number, max: number, fallback?: number): number | undefined {
    if (value === undefined || value === null) {
      if (fallback === undefined) this.list.add(path, 'is required');
      return fallback;
    }
    // A quoted number ("8080") is refused, not converted: a YAML file says
    // numbers without quotes, and silent conversion hides a typo like "80 80".
    // Environment overrides are converted where they are read (env-overrides.ts).
    const n = value;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      const quoted = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value);
      this.list.add(path, quoted ? `must be a number without quotes, got ${kind(value)}` : `must be a whole number, got ${kind(value)}`);
      return undefined;
    }
    if (n < min || n > max) {
      this.list.add(path, `${n} is outside ${min}..${max}`);
      return undefined;
    }
    return n;
  }

  /** One of `allowed`; absent → `fallback`. */
  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[], fallback?: T): T | undefined {
    if (value === undefined || value === null) {
      if (fallback === undefined) this.list.add(path, 'is required');
      return fallback;
    }
    const found = allowed.find((a) => a === value);
    if (found === undefined) this.list.add(path, `${kind(value)} is not one of: ${allowed.join(', ')}`);
    return found;
  }

  /** A boolean; absent → `fallback`. */
  bool(value: unknown, path: string, fallback: boolean): boolean | undefined {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') {
      this.list.add(path, `must be true or false, got ${kind(value)}`);
      return undefined;
    }
    return value;
  }
}
