/**
 * The kiosk's durable outbox: the seam between the citizen's tap and MQTT.
 * A tap is stored (with a fresh seq) BEFORE the thank-you screen appears;
 * the publisher sends stored votes oldest first and marks one `sent` on
 * PUBACK (a client's own stores are not a durability layer:
 * mqttjs/MQTT.js#2015, mcollina/mqtt-level-store#19); a vote is `done` (and
 * may be pruned) only once the bridge's receipt says it is journaled: a
 * broker's PUBACK is not the bridge's (Mosquitto acknowledges a vote no
 * session has subscribed to yet, and keeps it for no one). A sent vote no
 * receipt confirms is sent again (`afterReceipt`, the receipt's re-check
 * `afterRecheck` once a vote's grace has passed, `resendDue`): the bridge
 * dedupes by vote id. The rules here are pure; the re-check's timer is
 * the link's (runtime/broker-link.ts). The IndexedDB adapter is idb-outbox.ts; unit tests
 * inject a fake of this interface.
 */
import type { LevelKey, SeqRange, Tally, TerminalPath, Vote } from '../../../core/index.ts';
import { parseVote, receiptCovers, receiptTop, voteId } from '../../../core/index.ts';
import type { TapRecord } from '../terminal/terminal-machine.ts';

/**
 * Row states: `draft` waits for its reasons, `ready` waits to be sent (or
 * sent again), `sent` was PUBACKed and waits for the bridge's receipt,
 * `done` is journaled (a receipt named it).
 */
export type RowState = 'draft' | 'ready' | 'sent' | 'done';

/** One stored vote. */
export interface OutboxRow {
  /** The primary key: the vote's seq. */
  readonly seq: number;
  readonly state: RowState;
  readonly vote: Vote;
  /** Drafts: when to finalise it without reasons if nobody else does (a killed tab). */
  readonly draftUntil?: number;
  /** Epoch ms of the receipt that confirmed it. */
  readonly doneAt?: number;
  /** Epoch ms of the latest PUBACK (`sent` rows, and `ready` ones being sent again). */
  readonly sentAt?: number;
  /** How many times a PUBACK came for it: the resend backoff grows with it. */
  readonly tries?: number;
}

/**
 * What a tap gives the outbox: the terminal machine's record of it, where
 * the terminal sits, and the reasons once chosen; the outbox adds seq, id,
 * receivedAt and source.
 */
export interface NewVote extends TerminalPath, TapRecord {
  readonly reasons?: readonly string[];
}

/** Counts for the staff page. */
export interface OutboxStats {
  /** Stored, not yet journaled by the bridge (drafts and sent ones included). */
  readonly pending: number;
  /** PUBACKed by the broker, waiting for the bridge's receipt. */
  readonly unconfirmed: number;
  readonly drafts: number;
  /** Highest seq ever given out. */
  readonly highWater: number;
  /** Receipt time of the newest journaled vote, if any is kept. */
  readonly lastDoneAt?: number;
}

/** The outbox. Every method is atomic (one transaction). */
export interface Outbox {
  /**
   * Takes the next seq (persisted high-water mark + 1, never reused) and
   * stores the vote in ONE transaction. Resolves once committed: only then
   * may the citizen be thanked. Kept to the minimum (the tally is folded
   * afterwards by `fold`), because the citizen waits for it.
   */
  record(input: NewVote, now: number): Promise<Vote>;
  /** Adds reasons to a draft and makes it ready; false if it is no longer a draft. */
  finalize(seq: number, reasons: readonly string[]): Promise<boolean>;
  /** Finalises (without reasons) every draft whose `draftUntil` has passed; returns how many. */
  finalizeExpired(now: number): Promise<number>;
  /**
   * Folds every stored vote not yet folded into its monthly tally, in seq
   * order, stopping at the first draft; a persisted pointer makes each vote
   * count exactly once however often this runs. `levels` seeds a new month.
   */
  fold(levels: readonly LevelKey[]): Promise<void>;
  /**
   * Ready votes in seq order, folded ones only (so a published vote is
   * already in the published tally), hence never past the oldest draft.
   * The caller publishes them: the highest is remembered as sent for
   * `applyReceipt` (a receipt may overtake its PUBACK).
   */
  pending(limit: number): Promise<Vote[]>;
  /**
   * A `ready` vote was PUBACKed: it becomes `sent` (or `done` at once when
   * the last accepted receipt already names it), and the highest sent seq
   * is raised.
   */
  markSent(seq: number, now: number): Promise<void>;
  /**
   * Applies the bridge's receipt: `sent` votes it names become `done`; the
   * others sent more than `GAP_GRACE_MS` ago go back to `ready` (the bridge
   * is there and has not journaled them). A receipt naming a seq above the
   * highest one handed out to be published (`pending`) or PUBACKed is not
   * the bridge's word about our votes (a forged or foreign receipt, or our
   * storage was wiped): ignored whole. An accepted receipt is kept: a vote
   * it names whose PUBACK comes later is `done` at once. The outcome's
   * `recheckAt` says when to re-apply it (`recheckReceipt`).
   */
  applyReceipt(journaled: readonly SeqRange[], now: number): Promise<ReceiptOutcome>;
  /**
   * Re-applies the last accepted receipt now (the caller's timer, at an
   * outcome's `recheckAt`), to the `sent` votes PUBACKed no later than it
   * was accepted (`afterRecheck`): one it left out only because it was
   * inside its grace is sent again now that the grace has passed. A vote
   * PUBACKed after it (such as the one this re-check sent again) waits for
   * the next receipt, or the timed resend.
   */
  recheckReceipt(now: number): Promise<ReceiptOutcome>;
  /** Sends again (back to `ready`) every `sent` vote whose `resendDue` has passed; returns how many. */
  requeueUnconfirmed(now: number): Promise<number>;
  /** The stored tally of a counter-month, if any. */
  tally(counter: string, month: string): Promise<Tally | undefined>;
  /**
   * Merges a retained tally from the broker (core mergeTally) and raises
   * the seq high-water mark to its seq, so a kiosk whose storage was wiped
   * does not reuse seqs the broker has seen. Returns the merged tally.
   */
  mergeRemoteTally(remote: Tally): Promise<Tally>;
  /** Deletes journaled (`done`) votes confirmed before `before`; returns how many. */
  prune(before: number): Promise<number>;
  stats(): Promise<OutboxStats>;
  /** Small persisted values (last config, session, install id). */
  getMeta<T>(key: string): Promise<T | undefined>;
  setMeta(key: string, value: unknown): Promise<void>;
  close(): void;
}

/** What a receipt did to the outbox. */
export type ReceiptOutcome =
  | {
      readonly ok: true;
      readonly done: number;
      readonly resend: number;
      /**
       * Set when the receipt left `sent` votes out only because they were
       * PUBACKed less than `GAP_GRACE_MS` before it: the earliest end of
       * such a grace, when `recheckReceipt` should run (no later receipt
       * need ever come for a vote the bridge never received).
       */
      readonly recheckAt?: number;
    }
  /**
   * Not applied: `receipt-early` names a seq given to a vote but not sent
   * since this outbox was opened (a receipt from before a reload overtook
   * the resend; the next one applies), `receipt-ahead` one this kiosk never
   * gave out (forged, or its storage was wiped).
   */
  | { readonly ok: false; readonly code: 'receipt-early' | 'receipt-ahead'; readonly message: string };

/** A sent vote no receipt confirmed is first sent again after this long (ms), then after twice as long each time. */
export const RESEND_FIRST_MS = 30_000;
/** Longest wait between two sends of an unconfirmed vote (ms). */
export const RESEND_MAX_MS = 30 * 60_000;
/**
 * A receipt that does not name a vote PUBACKed this long ago (ms) sends it
 * again: the bridge publishes a receipt after each commit and on each
 * connect, well within this after the vote reached it.
 */
export const GAP_GRACE_MS = 5_000;

/** When an unconfirmed (`sent`) row is due to be sent again. */
export function resendDue(row: OutboxRow): number {
  const tries = Math.max(1, row.tries ?? 1);
  return (row.sentAt ?? 0) + Math.min(RESEND_MAX_MS, RESEND_FIRST_MS * 2 ** Math.min(tries - 1, 16));
}

/** Why a receipt is not to be applied (its highest seq is above the highest sent), or undefined. */
export function receiptProblem(
  journaled: readonly SeqRange[],
  sentHigh: number,
  highWater: number,
): Extract<ReceiptOutcome, { ok: false }> | undefined {
  const top = receiptTop(journaled);
  if (top <= sentHigh) return undefined;
  const code = top <= highWater ? 'receipt-early' : 'receipt-ahead';
  return {
    ok: false,
    code,
    message: `the receipt names seq ${top}, above the highest vote this kiosk sent (${sentHigh}${code === 'receipt-ahead' ? `; it never handed out more than ${highWater}` : ''}): ignored`,
  };
}

/** The row after a (valid) receipt: `done` if named, `ready` if sent `GAP_GRACE_MS` ago and not named, else as it was. */
export function afterReceipt(row: OutboxRow, journaled: readonly SeqRange[], now: number): OutboxRow {
  if (row.state !== 'sent') return row;
  if (receiptCovers(journaled, row.seq)) return { seq: row.seq, state: 'done', vote: row.vote, doneAt: now };
  if (now - (row.sentAt ?? 0) >= GAP_GRACE_MS) return { ...row, state: 'ready' };
  return row;
}

/**
 * The end of the grace of a `sent` row a receipt (accepted at `acceptedAt`)
 * leaves out while it is still inside it (PUBACKed less than `GAP_GRACE_MS`
 * before `now`), else undefined: when the receipt can judge it
 * (`recheckReceipt`). A row PUBACKed after the receipt is not its to judge.
 */
export function graceEnd(row: OutboxRow, journaled: readonly SeqRange[], now: number, acceptedAt = now): number | undefined {
  if (row.state !== 'sent' || (row.sentAt ?? 0) > acceptedAt || receiptCovers(journaled, row.seq)) return undefined;
  const end = (row.sentAt ?? 0) + GAP_GRACE_MS;
  return end > now ? end : undefined;
}

/** The earlier of two optional instants. */
export function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/**
 * The row after the last accepted receipt (accepted at `acceptedAt`) is
 * applied again at `now` (`recheckReceipt`): as `afterReceipt`, but only for
 * a row PUBACKed no later than the receipt was accepted. A receipt says
 * nothing of a vote PUBACKed after it, so one the re-check sent again is
 * not sent again by the same receipt: this path sends a vote again at most
 * once per receipt, and the timed resend (`resendDue`) still backs off.
 */
export function afterRecheck(row: OutboxRow, journaled: readonly SeqRange[], acceptedAt: number, now: number): OutboxRow {
  if (row.state !== 'sent' || (row.sentAt ?? 0) > acceptedAt) return row;
  return afterReceipt(row, journaled, now);
}

/** The row after its PUBACK (`lastReceipt`: the latest receipt applied, which may already name it). */
export function afterPuback(row: OutboxRow, lastReceipt: readonly SeqRange[], now: number): OutboxRow {
  if (row.state !== 'ready') return row;
  if (receiptCovers(lastReceipt, row.seq)) return { seq: row.seq, state: 'done', vote: row.vote, doneAt: now };
  return { ...row, state: 'sent', sentAt: now, tries: (row.tries ?? 0) + 1 };
}

/**
 * Builds the vote payload with core's field order and validates it with
 * core `parseVote`: a vote the core would refuse is never stored (a
 * programmer error, thrown with the validator's message).
 */
export function buildVote(input: NewVote, seq: number, receivedAt: number): Vote {
  const vote: Vote = {
    v: 1,
    id: voteId(input.terminal, seq),
    district: input.district,
    ward: input.ward,
    counter: input.counter,
    terminal: input.terminal,
    seq,
    level: input.level,
    pressedAt: input.pressedAt,
    receivedAt,
    source: 'touch',
    ...(input.reasons !== undefined && input.reasons.length > 0 ? { reasons: [...input.reasons] } : {}),
    ...(input.officer === undefined ? {} : { officer: input.officer }),
    ...(input.ticket === undefined ? {} : { ticket: input.ticket }),
    ...(input.dossier === undefined ? {} : { dossier: input.dossier, stage: input.stage ?? 'tiep-nhan' }),
    ...(input.filtered === undefined ? {} : { filtered: input.filtered }),
  };
  const checked = parseVote(vote);
  if (!checked.ok) throw new TypeError(`vote ${vote.id} is invalid: ${checked.message}`);
  return checked.value;
}

/** The vote with reasons added (core order kept by re-validating). */
export function withReasons(vote: Vote, reasons: readonly string[]): Vote {
  if (reasons.length === 0) return vote;
  const checked = parseVote({ ...vote, reasons: [...reasons] });
  if (!checked.ok) throw new TypeError(`reasons for ${vote.id} are invalid: ${checked.message}`);
  return checked.value;
}
