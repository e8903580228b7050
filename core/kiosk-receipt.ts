/**
 * The bridge's receipt to a kiosk (`{counter}/{terminal}/receipt`, QoS 1,
 * retained, published by the ward's bridge only): which of the kiosk's own
 * seqs are in the journal. A broker's PUBACK only says the broker has the
 * vote (Mosquitto PUBACKs a vote no session is subscribed to yet, and
 * drops it); the kiosk forgets a vote only once a receipt names its seq
 * (docs/ARCHITECTURE.md, "Kiosk votes go through the journal too").
 *
 * Journaled seqs are sent as inclusive ranges, ascending and disjoint,
 * the newest `MAX_RECEIPT_RANGES` of them: a gap (a vote still on its way,
 * or lost and being sent again) is visible as such, so a later vote's
 * receipt never covers an earlier one that is missing. Pure: shared by the
 * bridge (which folds seqs in with `addSeq`) and the kiosk (`receiptCovers`).
 */
import { idAt } from './ids.ts';
import { arrayAt, decodeWith, intIn, itemPath, objectAt, reject, requiredField, versionOne } from './json-input.ts';
import type { InputResult } from './json-input.ts';
import type { TerminalPath } from './path.ts';
import { MAX_EPOCH_MS } from './time.ts';
import { MAX_SEQ } from './vote.ts';

/** An inclusive range of seqs, `[from, to]` with `from <= to`. */
export type SeqRange = readonly [from: number, to: number];

/** Most ranges a receipt carries (the newest); gaps below them stay unconfirmed and are sent again. */
export const MAX_RECEIPT_RANGES = 64;

/** Longest receipt accepted as JSON text (64 ranges of two 10-digit seqs, with room to spare). */
export const RECEIPT_MAX_CHARS = 4096;

/** The receipt payload. */
export interface KioskReceipt extends TerminalPath {
  readonly v: 1;
  /** The kiosk's journaled seqs (votes and rejected votes alike), ascending disjoint inclusive ranges. */
  readonly journaled: readonly SeqRange[];
  /** Epoch ms the bridge made it. */
  readonly at: number;
}

function readReceipt(root: unknown): KioskReceipt {
  const o = objectAt(root, undefined);
  const v = versionOne(o);
  const place = {
    district: idAt(requiredField(o, 'district', 'district'), 'district'),
    ward: idAt(requiredField(o, 'ward', 'ward'), 'ward'),
    counter: idAt(requiredField(o, 'counter', 'counter'), 'counter'),
    terminal: idAt(requiredField(o, 'terminal', 'terminal'), 'terminal'),
  };
  const journaled = seqRangesAt(requiredField(o, 'journaled', 'journaled'), 'journaled');
  return { v, ...place, journaled, at: intIn(requiredField(o, 'at', 'at'), 'at', 0, MAX_EPOCH_MS) };
}

/**
 * Reads a receipt's ranges at `field`: at most `MAX_RECEIPT_RANGES` pairs
 * `[from, to]` of seqs, ascending and disjoint. Throws the json-input
 * rejection (for `decodeWith`), naming the item.
 */
export function seqRangesAt(value: unknown, field: string): SeqRange[] {
  const ranges: SeqRange[] = [];
  arrayAt(value, field, MAX_RECEIPT_RANGES).forEach((item, i) => {
    const at = itemPath(field, i);
    const pair = arrayAt(item, at, 2);
    if (pair.length !== 2) reject('bad-type', `${at} must be [from, to]`, at);
    const from = intIn(pair[0], itemPath(at, 0), 1, MAX_SEQ);
    const to = intIn(pair[1], itemPath(at, 1), from, MAX_SEQ);
    const before = ranges.at(-1);
    // Ascending with a gap between ranges: adjacent ranges would be one.
    if (before !== undefined && from <= before[1] + 1) reject('bad-order', `${at} must start above ${before[1] + 1}`, at);
    ranges.push([from, to]);
  });
  return ranges;
}

/** Validates a receipt payload (JSON text or value); never throws. */
export function parseReceipt(input: unknown): InputResult<KioskReceipt> {
  return decodeWith(input, RECEIPT_MAX_CHARS, readReceipt);
}

/** True when one of `ranges` holds `seq`. */
export function receiptCovers(ranges: readonly SeqRange[], seq: number): boolean {
  for (const [from, to] of ranges) if (seq >= from && seq <= to) return true;
  return false;
}

/** The highest seq in `ranges` (0 when empty). */
export function receiptTop(ranges: readonly SeqRange[]): number {
  return ranges.at(-1)?.[1] ?? 0;
}

/**
 * `ranges` with `seq` added (ascending, disjoint, adjacent ranges joined),
 * keeping the newest `keep` ranges. Returns the same array when `seq` is
 * already in it.
 */
export function addSeq(ranges: readonly SeqRange[], seq: number, keep: number = MAX_RECEIPT_RANGES): readonly SeqRange[] {
  if (receiptCovers(ranges, seq)) return ranges;
  const out: SeqRange[] = [];
  let merged: [number, number] = [seq, seq];
  let placed = false;
  for (const r of ranges) {
    if (r[1] + 1 < merged[0]) out.push(r);
    else if (r[0] - 1 > merged[1]) {
      if (!placed) out.push(merged);
      placed = true;
      out.push(r);
    } else merged = [Math.min(r[0], merged[0]), Math.max(r[1], merged[1])];
  }
  if (!placed) out.push(merged);
  return out.length > keep ? out.slice(out.length - keep) : out;
}

/** Ranges from ascending seqs (e.g. a journal query), the newest `keep`. */
export function rangesOf(seqs: Iterable<number>, keep: number = MAX_RECEIPT_RANGES): readonly SeqRange[] {
  let ranges: readonly SeqRange[] = [];
  for (const s of seqs) ranges = addSeq(ranges, s, Number.MAX_SAFE_INTEGER);
  return ranges.length > keep ? ranges.slice(ranges.length - keep) : ranges;
}
