/**
 * Typed results for input that comes from outside the program (devices,
 * network, files). Such input is decoded into a `Result` and never throws;
 * only programmer errors throw.
 */

/** A successful decode or validation. */
export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

/**
 * A rejected input. `code` is a stable machine-readable kebab-case identifier
 * (for counters and tests); `field` names the offending field where there is
 * one; `message` is a human-readable English sentence for logs.
 */
export interface Err<C extends string = string> {
  readonly ok: false;
  readonly code: C;
  readonly field?: string;
  readonly message: string;
}

/** Either a value or a typed error. */
export type Result<T, C extends string = string> = Ok<T> | Err<C>;

/** Wraps a value as a successful result. */
export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

/** Builds a typed error; `field` is omitted from the object when not given. */
export function err<C extends string>(code: C, message: string, field?: string): Err<C> {
  return field === undefined ? { ok: false, code, message } : { ok: false, code, field, message };
}
