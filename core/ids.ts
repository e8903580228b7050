/**
 * Identifiers of districts, wards, counters, terminals, officers, reasons and
 * scales. They become MQTT topic levels and map keys, so the alphabet is
 * deliberately tiny: no `/`, `+`, `#` (topic syntax), no uppercase or
 * diacritics (one spelling per place), and no leading `_` or `-` (topic
 * leaves such as `_served` start with `_`, so they never collide with ids).
 */
import { err, ok } from './result.ts';
import type { Result } from './result.ts';
import { arrayAt, itemPath, reject, show, typeName } from './json-input.ts';

/** Longest id, in characters. */
export const ID_MAX_LENGTH = 32;

/** The id grammar: `^[a-z0-9][a-z0-9-]{0,31}$`. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** The id grammar in words, appended to every rejection message. */
export const ID_RULE = 'ids are [a-z0-9-], 1–32 chars, starting with a letter or digit';

/** True when `value` is a valid id. */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** Explains why `value` is not an id, or returns undefined when it is one. */
function idProblem(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string') return `${field} must be a string id, got ${typeName(value)}: ${ID_RULE}`;
  if (ID_PATTERN.test(value)) return undefined;
  if (value.length === 0) return `${field} is empty: ${ID_RULE}`;
  // Name the first offending character: it tells the installer exactly what
  // to change ("P" → lowercase, "/" → dash, "ờ" → plain letter).
  const bad = Array.from(value).find((c) => !/^[a-z0-9-]$/.test(c));
  if (bad !== undefined) return `${field} ${show(value)} contains ${JSON.stringify(bad)}: ${ID_RULE}`;
  if (value.startsWith('-')) return `${field} ${show(value)} starts with "-": ${ID_RULE}`;
  return `${field} ${show(value)} is ${value.length} chars long: ${ID_RULE}`;
}

/** Validates an id from outside input; the error (code `bad-id`) names `field`. */
export function parseId(value: unknown, field: string): Result<string, 'bad-id'> {
  const problem = idProblem(value, field);
  return problem === undefined ? ok(value as string) : err('bad-id', problem, field);
}

/** Asserts an id passed by a programmer; throws a TypeError naming `argument`. */
export function requireId(value: unknown, argument: string): string {
  const problem = idProblem(value, argument);
  if (problem !== undefined) throw new TypeError(problem);
  return value as string;
}

/** Decoder step (inside `decodeWith`): requires an id at `field`. */
export function idAt(value: unknown, field: string): string {
  const problem = idProblem(value, field);
  if (problem !== undefined) reject('bad-id', problem, field);
  return value as string;
}

/** Decoder step: requires an array of at most `max` distinct ids (`duplicate` on a repeat). */
export function idListAt(value: unknown, field: string, max: number): string[] {
  const ids: string[] = [];
  arrayAt(value, field, max).forEach((item, i) => {
    const f = itemPath(field, i);
    const id = idAt(item, f);
    if (ids.includes(id)) reject('duplicate', `${f} ${id} is listed twice`, f);
    ids.push(id);
  });
  return ids;
}
