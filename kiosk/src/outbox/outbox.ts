/**
 * The kiosk's durable outbox: the seam between the citizen's tap and MQTT.
 * A tap is stored (with a fresh seq) BEFORE the thank-you screen appears;
 * the publisher sends stored votes oldest first and marks one done only on
 * PUBACK (a client's own stores are not a durability layer:
 * mqttjs/MQTT.js#2015, mcollina/mqtt-level-store#19). The IndexedDB adapter is idb-outbox.ts; unit tests
 * inject a fake of this interface.
 */
import type { LevelKey, Tally, TerminalPath, Vote } from '../../../core/index.ts';
import { parseVote, voteId } from '../../../core/index.ts';
import type { TapRecord } from '../terminal/terminal-machine.ts';

/** Row states: `draft` waits for its reasons, `ready` waits for PUBACK, `done` was acknowledged. */
export type RowState = 'draft' | 'ready' | 'done';

/** One stored vote. */
export interface OutboxRow {
  /** The primary key: the vote's seq. */
  readonly seq: number;
  readonly state: RowState;
  readonly vote: Vote;
  /** Drafts: when to finalise it without reasons if nobody else does (a killed tab). */
  readonly draftUntil?: number;
  /** Epoch ms of the PUBACK. */
  readonly doneAt?: number;
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
  /** Stored, not yet acknowledged (drafts included). */
  readonly pending: number;
  readonly drafts: number;
  /** Highest seq ever given out. */
  readonly highWater: number;
  /** PUBACK time of the newest acknowledged vote, if any is kept. */
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
   */
  pending(limit: number): Promise<Vote[]>;
  /** Marks a vote acknowledged (call ONLY after PUBACK). */
  markDone(seq: number, now: number): Promise<void>;
  /** The stored tally of a counter-month, if any. */
  tally(counter: string, month: string): Promise<Tally | undefined>;
  /**
   * Merges a retained tally from the broker (core mergeTally) and raises
   * the seq high-water mark to its seq, so a kiosk whose storage was wiped
   * does not reuse seqs the broker has seen. Returns the merged tally.
   */
  mergeRemoteTally(remote: Tally): Promise<Tally>;
  /** Deletes acknowledged votes acknowledged before `before`; returns how many. */
  prune(before: number): Promise<number>;
  stats(): Promise<OutboxStats>;
  /** Small persisted values (last config, session, install id). */
  getMeta<T>(key: string): Promise<T | undefined>;
  setMeta(key: string, value: unknown): Promise<void>;
  close(): void;
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
