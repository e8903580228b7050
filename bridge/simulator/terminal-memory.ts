/**
 * What a virtual terminal keeps across a power cycle, held in RAM and written
 * to its TerminalStore as one snapshot with the pending votes: the last seq
 * used (PROTOCOL.md §7.1: persisted before a VOTE is first sent, never
 * reused), the refused-press count (§7.4) and the last CONFIG (§5.7). Also
 * the §7.6 rule that moves the pending votes above a bridge's mark when the
 * store lost its history. The terminal's session logic is in
 * virtual-terminal.ts; the delivery of the pending votes in vote-outbox.ts.
 */
import { ok, type Result } from '../../core/result.ts';
import { MAX_NUMBER, lostHistory } from '../../firmware-protocol/src/index.ts';
import type { StoreErrorCode, StoredConfig, StoredVote, TerminalSnapshot, TerminalStore } from './terminal-store.ts';

/** The pending votes moved above a mark (§7.6). */
export interface Renumbering {
  /** Their seqs before, oldest first. */
  readonly from: number[];
  /** The votes with their new seqs, in the same order. */
  readonly votes: StoredVote[];
}

/** A terminal's persistent state in RAM and its one-snapshot writes. */
export class TerminalMemory {
  /** Highest seq used so far (0 before the first vote). */
  lastSeq = 0;
  /** Presses refused (buffer full) and not yet reported by EVENT FULL. */
  refused = 0;
  /** The last CONFIG received; null = factory defaults in force. */
  config: StoredConfig | null = null;

  /** `onStoreError` is called for each write that failed (the terminal counts them). */
  constructor(
    private readonly store: TerminalStore,
    private readonly onStoreError: () => void,
  ) {}

  /** Reads the store into RAM and returns the pending votes it holds (none for a blank store). */
  load(): Result<readonly StoredVote[], StoreErrorCode> {
    const loaded = this.store.load();
    if (!loaded.ok) return loaded;
    const s = loaded.value;
    this.lastSeq = s?.lastSeq ?? 0;
    this.refused = s?.refused ?? 0;
    this.config = s?.config ?? null;
    return ok(s?.pending ?? []);
  }

  /**
   * Writes the snapshot with `pending` and `lastSeq` (default: the current
   * one), and takes `lastSeq` only once it is written. False (and reported to
   * `onStoreError`) when the store failed: nothing changes then.
   */
  save(pending: readonly StoredVote[], lastSeq = this.lastSeq): boolean {
    const snapshot: TerminalSnapshot = { version: 1, lastSeq, pending, config: this.config, refused: this.refused };
    try {
      this.store.save(snapshot);
    } catch {
      this.onStoreError();
      return false;
    }
    this.lastSeq = lastSeq;
    return true;
  }

  /**
   * §7.6: an oldest pending vote at or below `mark − Wmax` (Wmax = 1: below the mark), or a next
   * seq at or below the mark, means this store lost its history (wiped): the pending votes would be
   * answered DUP and lost, so they take seqs above the mark, oldest first, persisted (one snapshot
   * write) before any is sent. Pending votes from `mark − Wmax + 1` to the mark are the resends of
   * a window whose ACK was lost and keep their seqs. Undefined when nothing moves or the write failed.
   */
  moveAbove(mark: number, pending: readonly StoredVote[], maxInFlight: number): Renumbering | undefined {
    const oldest = pending[0]?.seq;
    const behind = lostHistory(oldest, this.lastSeq + 1, mark, maxInFlight);
    if (!behind || this.lastSeq + mark >= MAX_NUMBER) return undefined;
    // One shift for all, like the firmware's seq offset: order and gaps kept, the counter moves too.
    const shift = mark + 1 - (oldest ?? this.lastSeq + 1);
    const votes = pending.map((v) => ({ ...v, seq: v.seq + shift }));
    if (!this.save(votes, this.lastSeq + shift)) return undefined;
    return { from: pending.map((v) => v.seq), votes };
  }
}
