/**
 * How a serial box's vote reaches the journal: early duplicates (a resend
 * must not consume a gated window again), seq jumps and buttons beyond the
 * scale stored as rejected, the rating rules (rating/vote-intake.ts), and a
 * journal that throws answered as a failed store. Separate from
 * ward-bridge.ts because it is the box vote path's one concept, while the
 * bridge only wires sessions to it.
 */
import type { Logger } from 'pino';
import type { VoteMessage } from '../../firmware-protocol/src/message.ts';
import type { HailongConfig, PlacedTerminal } from '../config/hailong-config.ts';
import type { Journal } from '../journal/journal.ts';
import { MAX_SEQ_JUMP, type RejectionReason } from '../journal/rejected-votes.ts';
import type { AppendOutcome } from '../journal/vote-input.ts';
import type { CooldownGuard } from '../rating/cooldown-guard.ts';
import type { CounterState } from '../rating/counter-state.ts';
import { voteInputOf } from '../rating/vote-intake.ts';

/** What `BoxVoteStore` reads and writes; the bridge owns each of them. */
export interface BoxVoteStoreOptions {
  readonly config: HailongConfig;
  readonly journal: Journal;
  readonly counters: CounterState;
  readonly cooldown: CooldownGuard;
  readonly log: Logger;
  /** Port problems by code, shared with the bridge status (`storage-threw`, `seq-regression` are counted here). */
  readonly problemCounts: Map<string, number>;
}

/** The serial boxes' vote path into the journal. */
export class BoxVoteStore {
  /** Resends answered DUP before reaching the journal (the journal counts its own). */
  private earlyDuplicates = 0;
  /** Rejected votes per terminal and reason, to log the first and every 100th. */
  private readonly rejectLogs = new Map<string, number>();

  constructor(private readonly options: BoxVoteStoreOptions) {}

  /** Resends answered DUP before reaching the journal, for the bridge status. */
  get duplicates(): number {
    return this.earlyDuplicates;
  }

  /**
   * Stores a vote; never rejects. A SQLite error thrown by the journal (disk
   * I/O, corruption) is logged loudly and counted (`storage-threw` in the
   * bridge status), and answered as a failed store: the box is NAKed and
   * keeps the vote to resend it.
   */
  async store(terminal: PlacedTerminal, uid: string, vote: VoteMessage, receivedAt: number): Promise<AppendOutcome> {
    try {
      return await this.storeOrThrow(terminal, uid, vote, receivedAt);
    } catch (error) {
      const { problemCounts } = this.options;
      const n = (problemCounts.get('storage-threw') ?? 0) + 1;
      problemCounts.set('storage-threw', n);
      this.options.log.error({ terminal: terminal.id, uid, seq: vote.seq, err: error, count: n }, 'VOTE NOT STORED: the journal threw; the terminal keeps the vote and resends it');
      return { status: 'failed', code: 'storage', message: `the journal threw: ${(error as Error).message}` };
    }
  }

  private async storeOrThrow(terminal: PlacedTerminal, uid: string, vote: VoteMessage, receivedAt: number): Promise<AppendOutcome> {
    const { journal, config } = this.options;
    if (!journal.isOpen) return { status: 'failed', code: 'closed', message: 'journal is not open' };
    // A resend of a stored vote must not consume a gated window again.
    const hwm = journal.highWaterMark(uid);
    if (vote.seq <= hwm) {
      this.earlyDuplicates += 1;
      this.checkResend(terminal, uid, vote, hwm);
      return { status: 'duplicate', hwm };
    }
    // A seq far above the mark would turn every later genuine vote into a DUP (PROTOCOL.md §7.1).
    if (hwm > 0 && vote.seq - hwm > MAX_SEQ_JUMP) {
      const message = `box ${uid} (${terminal.id}) sent seq ${vote.seq}, more than ${MAX_SEQ_JUMP} above its highest stored seq ${hwm}: stored as rejected and not counted, so it cannot make the box's later votes duplicates (a foreign box with this uid, or a corrupted seq counter)`;
      return this.reject(terminal, uid, vote, receivedAt, 'seq-jump', message, { highWaterMark: hwm });
    }
    const input = voteInputOf(config, config.scale, this.options.counters, terminal, uid, vote, receivedAt, this.options.cooldown);
    if ('code' in input) {
      const message = `box ${uid} (${terminal.id}): ${input.message}; stored as rejected and not counted (PROTOCOL.md §7.3)`;
      return this.reject(terminal, uid, vote, receivedAt, 'button-beyond-scale', message, { levels: config.scale.levels.length });
    }
    const outcome = await journal.append(input);
    if (outcome.status === 'failed' && input.filtered === undefined) this.options.counters.release(terminal.counter.id, input.pressedAt);
    if (outcome.status === 'failed') this.options.log.error({ terminal: terminal.id, code: outcome.code, error: outcome.message }, 'VOTE NOT STORED: journal write failed, the terminal keeps the vote and resends it');
    return outcome;
  }

  /** Stores a vote as rejected (ACKed, never counted), logged loudly: first of each terminal and reason, then every 100th. */
  private reject(
    terminal: PlacedTerminal,
    uid: string,
    vote: VoteMessage,
    receivedAt: number,
    reason: RejectionReason,
    message: string,
    extra: Record<string, unknown>,
  ): AppendOutcome {
    const { log } = this.options;
    const outcome = this.options.journal.reject({
      uid,
      deviceSeq: vote.seq,
      terminal: terminal.id,
      reason,
      receivedAt,
      detail: { button: vote.button, reason: vote.reason, ageMs: vote.ageMs, flags: vote.flags, ...extra },
    });
    if (outcome.status === 'failed') {
      log.error({ terminal: terminal.id, code: outcome.code, error: outcome.message }, 'VOTE NOT STORED: journal write failed, the terminal keeps the vote and resends it');
      return outcome;
    }
    const key = `${terminal.id}/${reason}`;
    const n = (this.rejectLogs.get(key) ?? 0) + 1;
    this.rejectLogs.set(key, n);
    if (outcome.status === 'rejected' && (n === 1 || n % 100 === 0)) log.error({ terminal: terminal.id, uid, seq: vote.seq, button: vote.button, reason, count: n }, message);
    return { status: 'rejected', code: reason, message, duplicate: outcome.status === 'duplicate' };
  }

  /**
   * A resend carries the button of the stored vote. A different button (or
   * a seq never stored) means the box numbers its presses again from an
   * old seq (EEPROM wiped, e.g. re-flashed without EESAVE): its new votes
   * are answered DUP and lost. Say so loudly, with a visible counter.
   */
  private checkResend(terminal: PlacedTerminal, uid: string, vote: VoteMessage, hwm: number): void {
    const stored = this.options.journal.storedVote(uid, vote.seq);
    const level = this.options.config.scale.levels[vote.button - 1]?.key;
    if (stored !== undefined && stored.level === level) return;
    const { problemCounts } = this.options;
    const n = (problemCounts.get('seq-regression') ?? 0) + 1;
    problemCounts.set('seq-regression', n);
    if (n === 1 || n % 100 === 0) {
      this.options.log.error(
        { terminal: terminal.id, uid, seq: vote.seq, highWaterMark: hwm, count: n },
        `box ${uid} sent seq ${vote.seq}, already used by another press (highest stored ${hwm}): its seq went backwards (EEPROM erased?). Its new presses are being taken as resends and LOST unless its firmware continues above WELCOME's mark (PROTOCOL.md §7.6, firmware 1.1); re-flash with EESAVE or give the box a new uid (PROTOCOL.md §7.1)`,
      );
    }
  }
}
