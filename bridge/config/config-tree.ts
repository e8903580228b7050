/**
 * Defensive reads of a parsed YAML tree. The rules across fields
 * (office-rules.ts, validate-hub-config.ts) run beside the JSON Schema on a
 * tree it may have refused, so that one run lists every problem; they read
 * through these helpers, which skip a value of the wrong shape (the schema
 * already names it) instead of throwing.
 */

/** A map of settings from YAML. */
export type Node = Readonly<Record<string, unknown>>;

/** True for a map (not a list, not null). */
export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The map at `key` of `node`, or an empty map when absent or not a map. */
export function nodeAt(node: unknown, key: string): Node {
  const value = isNode(node) ? node[key] : undefined;
  return isNode(value) ? value : {};
}

/** The list at `key` of `node`, or an empty list when absent or not a list. */
export function listAt(node: unknown, key: string): readonly unknown[] {
  const value = isNode(node) ? node[key] : undefined;
  return Array.isArray(value) ? value : [];
}

/** `node[key]` when `node` is a map. */
export function valueAt(node: unknown, key: string): unknown {
  return isNode(node) ? node[key] : undefined;
}

/**
 * An id or uid as text: YAML reads `quay-1` as text but `1` as a number, and
 * the schema takes a whole number as its digits. Anything else: undefined.
 */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/** The text at `key` of `node` (see `scalarText`). */
export function textAt(node: unknown, key: string): string | undefined {
  return scalarText(valueAt(node, key));
}

/** A whole number, or `fallback` when absent; undefined when it is something else. */
export function intAt(node: unknown, key: string, fallback: number): number | undefined {
  const value = valueAt(node, key);
  if (value === undefined) return fallback;
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/**
 * A copy of `tree` without the null entries of its maps: YAML's empty value
 * (`rating:` with nothing under it) means "not set" to hailong, as it did
 * before the schema, so the defaults apply. Null list items are kept (and
 * refused: a `-` with nothing after it is a mistake).
 */
export function withoutNulls(tree: unknown): unknown {
  if (Array.isArray(tree)) return tree.map(withoutNulls);
  if (!isNode(tree)) return tree;
  const out: Record<string, unknown> = {};
  // defineProperty: a `__proto__` key is data here, never the copy's prototype.
  for (const [key, value] of Object.entries(tree)) {
    if (value !== null)
      Object.defineProperty(out, key, { value: withoutNulls(value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The path of the first map or list of `tree` that holds itself, or
 * undefined. YAML can write one (`&x { more: *x }`: an alias inside its own
 * anchor) and the yaml library builds it as a cyclic object; no config needs
 * one, and every walk of the tree (the schema's, the rules') would not end.
 */
export function cyclePath(tree: unknown, path = '', ancestors: Set<object> = new Set()): string | undefined {
  if (typeof tree !== 'object' || tree === null) return undefined;
  if (ancestors.has(tree)) return path === '' ? '(file)' : path;
  ancestors.add(tree);
  for (const [key, value] of Object.entries(tree)) {
    const child = Array.isArray(tree) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    const found = cyclePath(value, child, ancestors);
    if (found !== undefined) return found;
  }
  ancestors.delete(tree);
  return undefined;
}
