/**
 * The hub's receipt to a ward (`hailong/v1/{parent}/_archived/{unit}/{terminal}`,
 * QoS 1, retained, published by the hub only): which of the terminal's
 * vote seqs the hub's archive holds. A broker's PUBACK to the ward only
 * says the broker has the vote; Mosquitto or a NATS cluster can still lose
 * it before the hub archives it (docs/PROVINCE.md, "Receipts close the
 * window"). The ward marks a forwarded vote `archived` once a receipt names
 * its seq, and forwards it again when none does after a grace.
 *
 * The same ranges as the kiosk receipt (core/kiosk-receipt.ts): a ward's
 * vote seqs are the bridge's own, contiguous per terminal, so the archive
 * of a terminal is one range unless a vote is missing. At most the newest
 * `MAX_RECEIPT_RANGES`; `complete` says whether older ones were left out
 * (a seq below the first range is then unknown, not missing). Pure.
 */
import { idAt } from './ids.ts';
import { booleanAt, decodeWith, intIn, objectAt, requiredField, versionOne } from './json-input.ts';
import type { InputResult } from './json-input.ts';
import { receiptCovers, seqRangesAt, type SeqRange } from './kiosk-receipt.ts';
import type { WardPath } from './path.ts';
import { MAX_EPOCH_MS } from './time.ts';

/** Where an archive receipt belongs: a unit (`ward`) of a parent (`district`) and one of its terminals. */
export interface ArchiveReceiptPath extends WardPath {
  readonly terminal: string;
}

/** The archive receipt payload. */
export interface ArchiveReceipt extends ArchiveReceiptPath {
  readonly v: 1;
  /** The terminal's archived seqs, ascending disjoint inclusive ranges (the newest `MAX_RECEIPT_RANGES`). */
  readonly archived: readonly SeqRange[];
  /** False when older ranges were left out: a seq below `archived[0]` may be archived or not. */
  readonly complete: boolean;
  /** Epoch ms the hub made it. */
  readonly at: number;
}

/** Longest archive receipt accepted as JSON text (64 ranges of two 10-digit seqs, with room to spare). */
export const ARCHIVE_RECEIPT_MAX_CHARS = 4096;

function readArchiveReceipt(root: unknown): ArchiveReceipt {
  const o = objectAt(root, undefined);
  const v = versionOne(o);
  const district = idAt(requiredField(o, 'district', 'district'), 'district');
  const ward = idAt(requiredField(o, 'ward', 'ward'), 'ward');
  const terminal = idAt(requiredField(o, 'terminal', 'terminal'), 'terminal');
  const archived = seqRangesAt(requiredField(o, 'archived', 'archived'), 'archived');
  const complete = booleanAt(requiredField(o, 'complete', 'complete'), 'complete');
  return { v, district, ward, terminal, archived, complete, at: intIn(requiredField(o, 'at', 'at'), 'at', 0, MAX_EPOCH_MS) };
}

/** Validates an archive receipt payload (JSON text or value); never throws. */
export function parseArchiveReceipt(input: unknown): InputResult<ArchiveReceipt> {
  return decodeWith(input, ARCHIVE_RECEIPT_MAX_CHARS, readArchiveReceipt);
}

/**
 * What a receipt says about `seq`: `archived`, `missing` (the hub does not
 * hold it), or `unknown` (below the ranges of an incomplete receipt).
 */
export function archivedState(receipt: Pick<ArchiveReceipt, 'archived' | 'complete'>, seq: number): 'archived' | 'missing' | 'unknown' {
  if (receiptCovers(receipt.archived, seq)) return 'archived';
  const first = receipt.archived[0];
  if (!receipt.complete && (first === undefined || seq < first[0])) return 'unknown';
  return 'missing';
}
