/**
 * Reading untrusted JSON (MQTT payloads, config files) into fresh, typed
 * objects. Decoders are written as straight-line code that calls `reject`
 * on the first bad field; `decodeWith` is the single place that turns such a
 * rejection — or anything else a hostile value can provoke, such as a
 * throwing Proxy trap — into an `Err`, so public parsers never throw.
 */
import { err, ok } from './result.ts';
import type { Err, Result } from './result.ts';

/** Every error code a core parser can return. */
export type InputCode =
  | 'bad-json'
  | 'too-large'
  | 'empty-payload'
  | 'not-object'
  | 'missing-field'
  | 'bad-type'
  | 'bad-id'
  | 'bad-text'
  | 'out-of-range'
  | 'bad-enum'
  | 'bad-version'
  | 'duplicate'
  | 'id-mismatch'
  | 'bad-month'
  | 'bad-date'
  | 'bad-order'
  | 'inconsistent'
  | 'bad-topic'
  | 'topic-mismatch'
  | 'bad-period';

/** Result type of every core parser. */
export type InputResult<T> = Result<T, InputCode>;

/** Thrown by `reject` and caught by `decodeWith`; never escapes a parser. */
class Rejection {
  constructor(readonly failure: Err<InputCode>) {}
}

/** Aborts the current decode with a typed error naming `field`. */
export function reject(code: InputCode, message: string, field?: string): never {
  throw new Rejection(err(code, message, field));
}

/**
 * Runs `build` on `input`, first decoding it from JSON when it is a string
 * longer than zero and at most `maxChars` characters. Returns `Err` for
 * every failure; this function itself never throws.
 */
export function decodeWith<T>(input: unknown, maxChars: number, build: (root: unknown) => T): InputResult<T> {
  try {
    let root = input;
    if (typeof input === 'string') {
      // An empty payload is how MQTT clears a retained message: callers may
      // want to treat it differently from garbage, hence its own code.
      if (input.length === 0) return err('empty-payload', 'payload is empty (a cleared retained message)');
      if (input.length > maxChars) {
        return err('too-large', `payload is ${input.length} chars long, the limit is ${maxChars}`);
      }
      try {
        // JSON.parse defines "__proto__" as an own data property, so it cannot
        // pollute prototypes; decoders below read own data properties only.
        root = JSON.parse(input);
      } catch {
        return err('bad-json', 'payload is not valid JSON');
      }
    }
    return ok(build(root));
  } catch (e) {
    if (e instanceof Rejection) return e.failure;
    // Reached only through exotic values (Proxy traps, revoked proxies):
    // still outside input, so still a typed error rather than a crash.
    return err('not-object', 'payload could not be inspected');
  }
}

/** Joins a field path: `fieldPath('', 'a')` → `a`, `fieldPath('a', 'b')` → `a.b`. */
export function fieldPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** Joins an array index: `itemPath('levels', 2)` → `levels[2]`. */
export function itemPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** Describes a value's JSON type for messages: `null`, `array`, `string`… */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Shows a string value in a message, JSON-escaped and cut to 40 characters. */
export function show(value: string): string {
  const chars = Array.from(value);
  return chars.length > 40 ? `${JSON.stringify(chars.slice(0, 40).join(''))}…` : JSON.stringify(value);
}

/** Requires a plain JSON object (not null, not an array); `field` undefined means the payload root. */
export function objectAt(value: unknown, field: string | undefined): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    reject('not-object', `${field ?? 'payload'} must be a JSON object, got ${typeName(value)}`, field);
  }
  return value;
}

/**
 * The own data property `key` of `obj`, or undefined. Inherited properties
 * and accessors are ignored so that prototypes and getters cannot inject
 * values (e.g. `constructor` is a valid id but must never read
 * `Object.prototype.constructor`).
 */
export function ownValue(obj: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(obj, key);
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
}

/** The own property `key`; missing (or null) rejects with `missing-field`. */
export function requiredField(obj: object, key: string, field: string): unknown {
  const value = ownValue(obj, key);
  if (value === undefined || value === null) reject('missing-field', `${field} is missing`, field);
  return value;
}

/** The own property `key`, with JSON null read as absent (other encoders emit null for "no value"). */
export function optionalField(obj: object, key: string): unknown {
  const value = ownValue(obj, key);
  return value === null ? undefined : value;
}

/** Requires the protocol version field `v` to be 1. */
export function versionOne(obj: object): 1 {
  const v = requiredField(obj, 'v', 'v');
  if (v !== 1) reject('bad-version', `v must be 1, got ${JSON.stringify(v) ?? typeName(v)}`, 'v');
  return 1;
}

/** Requires a safe integer within [min, max]. */
export function intIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    reject('bad-type', `${field} must be a number, got ${typeName(value)}`, field);
  }
  // Infinity (JSON 1e400) and integers past 2^53 cannot be represented
  // exactly, so they are rejected as out of range rather than rounded.
  if (!Number.isFinite(value)) reject('out-of-range', `${field} ${value} is not finite`, field);
  if (!Number.isInteger(value)) reject('bad-type', `${field} must be an integer, got ${value}`, field);
  if (!Number.isSafeInteger(value)) reject('out-of-range', `${field} ${value} is beyond 2^53`, field);
  if (value < min || value > max) reject('out-of-range', `${field} ${value} is outside ${min}..${max}`, field);
  // JSON -0 is read as 0: a value must survive encode → decode unchanged (JSON.stringify(-0) is "0").
  return value === 0 ? 0 : value;
}

/** Requires a boolean. */
export function booleanAt(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') reject('bad-type', `${field} must be a boolean, got ${typeName(value)}`, field);
  return value;
}

/** Requires one of the `allowed` strings. */
export function enumAt<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string') reject('bad-type', `${field} must be a string, got ${typeName(value)}`, field);
  const found = allowed.find((a) => a === value);
  if (found === undefined) {
    reject('bad-enum', `${field} ${show(value)} is not one of ${allowed.join(', ')}`, field);
  }
  return found;
}

/** Requires an array of at most `maxLength` items. */
export function arrayAt(value: unknown, field: string, maxLength: number): readonly unknown[] {
  if (!Array.isArray(value)) reject('bad-type', `${field} must be an array, got ${typeName(value)}`, field);
  if (value.length > maxLength) {
    reject('out-of-range', `${field} has ${value.length} items, at most ${maxLength} allowed`, field);
  }
  return value;
}

// Control, format (bidi overrides, zero-width), surrogate, private-use and
// line/paragraph separators are refused: they garble logs and dashboards.
const TEXT_RE = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]+$/u;

/** Requires human text of 1..maxChars code points without control or format characters. */
export function textAt(value: unknown, field: string, maxChars: number): string {
  if (typeof value !== 'string') reject('bad-type', `${field} must be a string, got ${typeName(value)}`, field);
  const length = Array.from(value).length;
  if (length === 0 || length > maxChars) {
    reject('bad-text', `${field} must be 1–${maxChars} characters, got ${length}`, field);
  }
  if (!TEXT_RE.test(value)) {
    reject('bad-text', `${field} ${show(value)} contains a control or invisible character`, field);
  }
  return value;
}

/** Requires a string matching `pattern`, described by `rule` in the message. */
export function tokenAt(value: unknown, field: string, pattern: RegExp, rule: string): string {
  if (typeof value !== 'string') reject('bad-type', `${field} must be a string, got ${typeName(value)}`, field);
  if (!pattern.test(value)) reject('bad-text', `${field} ${show(value)} is invalid: ${rule}`, field);
  return value;
}
