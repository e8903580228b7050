/**
 * A supervisor's revocation of votes (`hailong revoke`, issue 13) as a ward
 * sends it to its hub on `hailong/v1/{district}/{ward}/_revocation` (issue
 * 10): who, when, why, what was asked, and the ids of the votes it took
 * back, so the hub's archive, export and figures leave out the same votes
 * as the ward's journal. The vote ids are listed, not the ward's criteria:
 * the ward revoked the votes it held at that moment, and a vote that
 * reached the ward later inside the same range is not revoked there either.
 *
 * A revocation may take back thousands of votes; it travels in parts of at
 * most `MAX_REVOCATION_ITEMS` ids each (every part repeats the audit
 * fields), so no message outgrows `REVOCATION_MAX_CHARS`. The hub stores
 * parts and revoked vote ids idempotently, in any order, before or after
 * the votes themselves.
 */
import { idAt, requireId } from './ids.ts';
import type { InputResult } from './json-input.ts';
import {
  arrayAt,
  decodeWith,
  intIn,
  itemPath,
  objectAt,
  optionalField,
  reject,
  requiredField,
  show,
  textAt,
  typeName,
  versionOne,
} from './json-input.ts';
import type { WardPath } from './path.ts';
import { MAX_EPOCH_MS } from './time.ts';
import { MAX_SEQ } from './vote.ts';

/** Longest revocation payload accepted as JSON text (1,000 ids of 43 chars fit with room to spare). */
export const REVOCATION_MAX_CHARS = 65_536;

/** Most vote ids (asked plus revoked) one part carries. */
export const MAX_REVOCATION_ITEMS = 1000;

/** Most parts one revocation may have (10,000,000 ids: more than a terminal presses in years). */
export const MAX_REVOCATION_PARTS = 10_000;

/** Longest `by` (the supervisor's name or account), in characters. */
export const REVOCATION_BY_MAX_CHARS = 120;

/** Longest `reason`, in characters. */
export const REVOCATION_REASON_MAX_CHARS = 500;

/** Longest asked id (`--ids` as typed, which need not name a stored vote). */
const ASKED_ID_MAX_CHARS = 64;

/** One part of a revocation, as published (v1). */
export interface VoteRevocation {
  readonly v: 1;
  readonly district: string;
  readonly ward: string;
  /** The ward journal's revocation number (`thu hồi #id` in exports). */
  readonly id: number;
  /** Epoch ms of the revocation. With `id`, it names the revocation (a replaced journal counts from 1 again). */
  readonly at: number;
  /** Who decided. */
  readonly by: string;
  /** Why. */
  readonly reason: string;
  /** The terminal whose votes were revoked. */
  readonly terminal: string;
  /** Range asked: pressed at or after (epoch ms). */
  readonly from?: number;
  /** Range asked: pressed before (epoch ms). */
  readonly to?: number;
  /** 1-based number of this part. */
  readonly part: number;
  /** How many parts the revocation has. */
  readonly parts: number;
  /** This part's share of the ids the supervisor listed (`--ids`), as typed. */
  readonly ids?: readonly string[];
  /** This part's share of the revoked vote ids (`terminal:seq`). */
  readonly votes: readonly string[];
}

/** A revocation as the ward's journal keeps it (bridge/journal/revocation-log.ts). */
export interface RevocationRecord {
  readonly id: number;
  readonly at: number;
  readonly by: string;
  readonly reason: string;
  readonly terminal: string;
  readonly from?: number;
  readonly to?: number;
  readonly ids?: readonly string[];
  readonly votes: readonly string[];
}

const VOTE_ID_RE = /^([a-z0-9][a-z0-9-]{0,31}):([1-9][0-9]{0,9})$/;

/** True when `id` is a vote id `terminal:seq` of `terminal` (seq 1..MAX_SEQ). */
export function isVoteIdOf(id: unknown, terminal: string): boolean {
  if (typeof id !== 'string') return false;
  const m = VOTE_ID_RE.exec(id);
  return m !== null && m[1] === terminal && Number(m[2]) <= MAX_SEQ;
}

// Control, format, surrogate, private-use and line/paragraph separators: what `textAt` refuses.
const UNPRINTABLE_RE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]+/gu;

/**
 * `text` made acceptable to the validator: unprintable characters become a
 * space, the result is trimmed and cut to `max` code points, and an empty
 * result becomes "?". For journal rows written before `hailong revoke`
 * checked its input: better a readable audit line than a message the hub
 * must refuse for ever.
 */
export function auditText(text: string, max: number): string {
  const clean = Array.from(text.replace(UNPRINTABLE_RE, ' ').trim()).slice(0, max).join('').trim();
  return clean === '' ? '?' : clean;
}

/** Why `text` cannot be a revocation's `by` or `reason` as is, or undefined when it can. */
export function auditTextProblem(text: string, field: 'by' | 'reason'): string | undefined {
  const max = field === 'by' ? REVOCATION_BY_MAX_CHARS : REVOCATION_REASON_MAX_CHARS;
  const length = Array.from(text).length;
  if (length === 0 || length > max) return `"--${field}" must be 1–${max} characters, got ${length}`;
  if (new RegExp(UNPRINTABLE_RE.source, 'u').test(text)) return `"--${field}" contains a line break, control or invisible character`;
  return undefined;
}

/**
 * The messages of one revocation of `ward`: parts of at most
 * `MAX_REVOCATION_ITEMS` ids (asked ids first, then revoked ones), at least
 * one part even when nothing matched (the hub keeps the audit line too).
 * Audit texts are passed through `auditText`. Throws on a bad ward, terminal
 * or id (programmer error: journal rows are the bridge's own).
 */
export function revocationMessages(ward: WardPath, r: RevocationRecord): VoteRevocation[] {
  const district = requireId(ward.district, 'ward.district');
  const wardId = requireId(ward.ward, 'ward.ward');
  const terminal = requireId(r.terminal, 'revocation.terminal');
  if (!Number.isSafeInteger(r.id) || r.id < 1) throw new RangeError(`revocation.id must be a positive integer, got ${String(r.id)}`);
  const asked = (r.ids ?? []).map((id) => auditText(id, ASKED_ID_MAX_CHARS));
  for (const id of r.votes)
    if (!isVoteIdOf(id, terminal)) throw new RangeError(`revocation.votes: ${String(id)} is not a vote id of ${terminal}`);
  const items = [...asked.map((id) => ({ asked: true, id })), ...r.votes.map((id) => ({ asked: false, id }))];
  const parts = Math.max(1, Math.ceil(items.length / MAX_REVOCATION_ITEMS));
  const out: VoteRevocation[] = [];
  for (let p = 0; p < parts; p++) {
    const slice = items.slice(p * MAX_REVOCATION_ITEMS, (p + 1) * MAX_REVOCATION_ITEMS);
    const ids = slice.filter((i) => i.asked).map((i) => i.id);
    out.push({
      v: 1,
      district,
      ward: wardId,
      id: r.id,
      at: r.at,
      by: auditText(r.by, REVOCATION_BY_MAX_CHARS),
      reason: auditText(r.reason, REVOCATION_REASON_MAX_CHARS),
      terminal,
      ...(r.from === undefined ? {} : { from: r.from }),
      ...(r.to === undefined ? {} : { to: r.to }),
      part: p + 1,
      parts,
      ...(ids.length === 0 ? {} : { ids }),
      votes: slice.filter((i) => !i.asked).map((i) => i.id),
    });
  }
  return out;
}

function readAsked(value: unknown, terminal: string, max: number): string[] {
  const out: string[] = [];
  arrayAt(value, 'ids', max).forEach((item, i) => {
    const f = itemPath('ids', i);
    const id = textAt(item, f, ASKED_ID_MAX_CHARS);
    // `hailong revoke` refuses ids of another terminal; a message that lists one is forged.
    if (!id.startsWith(`${terminal}:`)) reject('id-mismatch', `${f} ${show(id)} is not an id of terminal ${terminal}`, f);
    out.push(id);
  });
  return out;
}

function readRevocation(root: unknown): VoteRevocation {
  const o = objectAt(root, undefined);
  const v = versionOne(o);
  const district = idAt(requiredField(o, 'district', 'district'), 'district');
  const ward = idAt(requiredField(o, 'ward', 'ward'), 'ward');
  const id = intIn(requiredField(o, 'id', 'id'), 'id', 1, Number.MAX_SAFE_INTEGER);
  const at = intIn(requiredField(o, 'at', 'at'), 'at', 0, MAX_EPOCH_MS);
  const by = textAt(requiredField(o, 'by', 'by'), 'by', REVOCATION_BY_MAX_CHARS);
  const reason = textAt(requiredField(o, 'reason', 'reason'), 'reason', REVOCATION_REASON_MAX_CHARS);
  const terminal = idAt(requiredField(o, 'terminal', 'terminal'), 'terminal');
  const rawFrom = optionalField(o, 'from');
  const rawTo = optionalField(o, 'to');
  const from = rawFrom === undefined ? undefined : intIn(rawFrom, 'from', 0, MAX_EPOCH_MS);
  const to = rawTo === undefined ? undefined : intIn(rawTo, 'to', 0, MAX_EPOCH_MS);
  if (from !== undefined && to !== undefined && from >= to) reject('bad-order', `from ${from} is not before to ${to}`, 'from');
  const parts = intIn(requiredField(o, 'parts', 'parts'), 'parts', 1, MAX_REVOCATION_PARTS);
  const part = intIn(requiredField(o, 'part', 'part'), 'part', 1, parts);
  const rawIds = optionalField(o, 'ids');
  const ids = rawIds === undefined ? undefined : readAsked(rawIds, terminal, MAX_REVOCATION_ITEMS);
  const votes: string[] = [];
  const seen = new Set<string>();
  arrayAt(requiredField(o, 'votes', 'votes'), 'votes', MAX_REVOCATION_ITEMS - (ids?.length ?? 0)).forEach((item, i) => {
    const f = itemPath('votes', i);
    if (typeof item !== 'string') reject('bad-type', `${f} must be a string, got ${typeName(item)}`, f);
    // A unit may revoke only its own terminal's votes: every id names the revocation's terminal.
    if (!isVoteIdOf(item, terminal)) reject('id-mismatch', `${f} ${show(item)} is not a vote id ${terminal}:<seq>`, f);
    if (seen.has(item)) reject('duplicate', `${f} ${item} is listed twice`, f);
    seen.add(item);
    votes.push(item);
  });
  // Fresh object, known fields only, fixed order.
  return {
    v,
    district,
    ward,
    id,
    at,
    by,
    reason,
    terminal,
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    part,
    parts,
    ...(ids === undefined ? {} : { ids }),
    votes,
  };
}

/**
 * Validates one revocation part from JSON text (at most
 * `REVOCATION_MAX_CHARS`) or a parsed value. Codes besides the usual:
 * `id-mismatch` (a vote id of another terminal), `duplicate`, `bad-order`
 * (from not before to), `out-of-range` (part beyond parts, too many ids).
 * Never throws.
 */
export function parseRevocation(input: unknown): InputResult<VoteRevocation> {
  return decodeWith(input, REVOCATION_MAX_CHARS, readRevocation);
}
