/**
 * The intake of the serial boxes' votes (the second step of
 * vote-pipeline.ts): the ONE place that decides whether a VOTE is new, a
 * resend, or one the office cannot count, before anything is written.
 *
 * - a seq in the batch being built is the same vote sent again (a resend,
 *   or a window sent again after a lost ACK): it joins that vote and gets
 *   its answer;
 * - a seq at or below the device's mark (the journal's committed mark, or
 *   a vote of this batch) is a duplicate, answered DUP without a write, so a
 *   resend never uses up a gated window again;
 * - a seq far above the mark, or a button beyond the scale, is kept as
 *   rejected (ACKed, never counted, PROTOCOL.md §7.3); its resend is
 *   answered REJECT from the journal, without a write;
 * - a vote of a device whose earlier vote failed in this batch (the intake
 *   threw) fails too: stored past it, it would raise the mark above it;
 * - anything else goes through the rating rules (rating/vote-intake.ts) and
 *   into the batch.
 *
 * After the commit, `settle` turns the journal's outcomes into the answers
 * the sessions write, gives a gated window back when its vote failed to be
 * stored, and logs rejections (first of each terminal and reason, then every
 * 100th).
 */
import type { Logger } from 'pino';
import type { VoteMessage } from '../../firmware-protocol/src/message.ts';
import type { HailongConfig, PlacedTerminal } from '../config/hailong-config.ts';
import type { Journal } from '../journal/journal.ts';
import { MAX_SEQ_JUMP, type RejectionReason } from '../journal/rejected-votes.ts';
import type { AppendOutcome, BatchEntry, BatchOutcome, VoteInput } from '../journal/vote-input.ts';
import { COOLDOWN_MARGIN_MS, type CooldownGuard } from '../rating/cooldown-guard.ts';
import type { CounterState } from '../rating/counter-state.ts';
import { voteInputOf } from '../rating/vote-intake.ts';

/** What `BoxVoteIntake` reads and writes; the bridge owns each of them. */
export interface BoxVoteIntakeOptions {
  readonly config: HailongConfig;
  readonly journal: Journal;
  readonly counters: CounterState;
  readonly cooldown: CooldownGuard;
  readonly log: Logger;
  /** Port problems by code, shared with the bridge status (`storage-threw`, `seq-regression` are counted here). */
  readonly problemCounts: Map<string, number>;
}

/** A vote the batch will commit: its journal entry, and the message of a rejection. */
export interface IntakeEntry {
  readonly entry: BatchEntry;
  readonly terminal: PlacedTerminal;
  readonly rejection?: { readonly reason: RejectionReason; readonly message: string; readonly vote: VoteMessage };
}

/** What the intake decided for one VOTE. */
export type IntakeVerdict =
  /** Decided without a write: a duplicate, or a journal that cannot take it. */
  | { readonly kind: 'answer'; readonly outcome: AppendOutcome }
  /** To be committed in this batch. */
  | { readonly kind: 'commit'; readonly commit: IntakeEntry }
  /** The same vote (uid, seq) is already in this batch: it gets that vote's answer. */
  | { readonly kind: 'join' };

/** The serial boxes' intake: the duplicate check, rejections and the rating rules. */
export class BoxVoteIntake {
  /** Resends answered DUP without a write (the journal counts its own). */
  private earlyDuplicates = 0;
  /** Rejected votes per terminal and reason, to log the first and every 100th. */
  private readonly rejectLogs = new Map<string, number>();
  /** Device seqs of the batch being built, by uid. */
  private readonly batchSeqs = new Map<string, Set<number>>();
  /** The highest new seq of the batch being built, by uid (the mark once it commits). */
  private readonly batchMarks = new Map<string, number>();
  /** Counted presses of the batch being built, by terminal: the cooldown sees them before they commit. */
  private readonly batchPresses = new Map<string, number>();
  /** Devices with a vote that failed in the batch being built: none of their later votes may be stored past it. */
  private readonly batchFailed = new Set<string>();
  private readonly cooldownView: Pick<CooldownGuard, 'tooSoon'>;

  constructor(private readonly options: BoxVoteIntakeOptions) {
    this.cooldownView = {
      tooSoon: (terminal, pressedAt, cooldownMs) => {
        if (options.cooldown.tooSoon(terminal, pressedAt, cooldownMs)) return true;
        const last = this.batchPresses.get(terminal);
        if (last === undefined || cooldownMs <= COOLDOWN_MARGIN_MS) return false;
        const gap = pressedAt - last;
        return gap >= 0 && gap < cooldownMs - COOLDOWN_MARGIN_MS;
      },
    };
  }

  /** Resends answered DUP without a write, for the bridge status. */
  get duplicates(): number {
    return this.earlyDuplicates;
  }

  /** Decides what happens to a VOTE of `uid` at `terminal`. Never throws. */
  judge(terminal: PlacedTerminal, uid: string, vote: VoteMessage, receivedAt: number): IntakeVerdict {
    try {
      return this.judgeOrThrow(terminal, uid, vote, receivedAt);
    } catch (error) {
      this.batchFailed.add(uid);
      return { kind: 'answer', outcome: this.threw(terminal, uid, vote.seq, error) };
    }
  }

  private judgeOrThrow(terminal: PlacedTerminal, uid: string, vote: VoteMessage, receivedAt: number): IntakeVerdict {
    const { journal, config } = this.options;
    if (!journal.isOpen) return { kind: 'answer', outcome: { status: 'failed', code: 'closed', message: 'journal is not open' } };
    const inBatch = this.batchSeqs.get(uid);
    if (inBatch?.has(vote.seq) === true) return { kind: 'join' };
    const committed = journal.highWaterMark(uid);
    const hwm = Math.max(committed, this.batchMarks.get(uid) ?? 0);
    if (vote.seq <= hwm) {
      this.earlyDuplicates += 1;
      if (vote.seq <= committed) this.checkResend(terminal, uid, vote, committed);
      return { kind: 'answer', outcome: { status: 'duplicate', hwm } };
    }
    // Storing a later vote past one that failed would raise the mark above it, and its resend would
    // be answered DUP and lost (PROTOCOL.md §7.7): it fails too, and the box resends both in order.
    if (this.batchFailed.has(uid)) {
      return {
        kind: 'answer',
        outcome: { status: 'failed', code: 'storage', message: `an earlier vote of box ${uid} in this batch was not stored` },
      };
    }
    // A seq far above the mark would turn every later genuine vote into a DUP (PROTOCOL.md §7.1).
    if (hwm > 0 && vote.seq - hwm > MAX_SEQ_JUMP) {
      const message =
        `box ${uid} (${terminal.id}) sent seq ${vote.seq}, more than ${MAX_SEQ_JUMP} above its highest stored seq ${hwm}:` +
        " stored as rejected and not counted, so it cannot make the box's later votes duplicates" +
        ' (a foreign box with this uid, or a corrupted seq counter)';
      return this.rejected(terminal, uid, vote, receivedAt, 'seq-jump', message, { highWaterMark: hwm });
    }
    const input = voteInputOf(config, config.scale, this.options.counters, terminal, uid, vote, receivedAt, this.cooldownView);
    if ('code' in input) {
      const message = `box ${uid} (${terminal.id}): ${input.message}; stored as rejected and not counted (PROTOCOL.md §7.3)`;
      return this.rejected(terminal, uid, vote, receivedAt, 'button-beyond-scale', message, { levels: config.scale.levels.length });
    }
    this.take(uid, vote.seq);
    this.batchMarks.set(uid, vote.seq);
    if (input.filtered === undefined && input.timeUncertain !== true) {
      this.batchPresses.set(terminal.id, Math.max(this.batchPresses.get(terminal.id) ?? 0, input.pressedAt));
    }
    return { kind: 'commit', commit: { entry: { kind: 'vote', input }, terminal } };
  }

  private take(uid: string, seq: number): void {
    let seqs = this.batchSeqs.get(uid);
    if (seqs === undefined) {
      seqs = new Set();
      this.batchSeqs.set(uid, seqs);
    }
    seqs.add(seq);
  }

  private rejected(
    terminal: PlacedTerminal,
    uid: string,
    vote: VoteMessage,
    receivedAt: number,
    reason: RejectionReason,
    message: string,
    extra: Record<string, unknown>,
  ): IntakeVerdict {
    // A resend of a vote already stored as rejected (its ACK REJECT lost, or still on its way) is
    // durable: answered REJECT without a write, like a DUP, so a failing commit cannot NAK it and
    // make a send window wait for a vote the box has completed (PROTOCOL.md §7.7).
    const earlier = this.options.journal.rejection(uid, vote.seq);
    if (earlier !== undefined) {
      return {
        kind: 'answer',
        outcome: {
          status: 'rejected',
          code: earlier,
          message: `box ${uid} (${terminal.id}) sent seq ${vote.seq} again: stored as rejected before (${earlier})`,
          duplicate: true,
        },
      };
    }
    this.take(uid, vote.seq);
    const detail = { button: vote.button, reason: vote.reason, ageMs: vote.ageMs, flags: vote.flags, ...extra };
    return {
      kind: 'commit',
      commit: {
        entry: { kind: 'rejected', input: { uid, deviceSeq: vote.seq, terminal: terminal.id, reason, receivedAt, detail } },
        terminal,
        rejection: { reason, message, vote },
      },
    };
  }

  /**
   * The batch was committed (or failed as a whole): forget it, and turn each
   * journal outcome into the answer for its box. A vote that failed gives
   * its gated window back, so its resend counts; a counted vote that was
   * stored moves the terminal's cooldown.
   */
  settle(commits: readonly IntakeEntry[], outcomes: readonly BatchOutcome[]): AppendOutcome[] {
    this.batchSeqs.clear();
    this.batchMarks.clear();
    this.batchPresses.clear();
    this.batchFailed.clear();
    return commits.map((c, i) => {
      const outcome = outcomes[i] ?? { status: 'failed', code: 'storage', message: 'the journal gave no outcome' };
      if (c.entry.kind === 'vote') return this.settleVote(c.entry.input, c.terminal, outcome as AppendOutcome);
      return this.settleRejected(c, outcome);
    });
  }

  private settleVote(input: VoteInput, terminal: PlacedTerminal, outcome: AppendOutcome): AppendOutcome {
    if (outcome.status === 'failed') {
      if (input.filtered === undefined) this.options.counters.release(terminal.counter.id, input.pressedAt);
      this.options.log.error(
        { terminal: terminal.id, code: outcome.code, error: outcome.message },
        'VOTE NOT STORED: journal write failed, the terminal keeps the vote and resends it',
      );
    } else if (outcome.status === 'stored' && input.filtered === undefined && input.timeUncertain !== true) {
      this.options.cooldown.counted(terminal.id, input.pressedAt);
    }
    return outcome;
  }

  private settleRejected(c: IntakeEntry, outcome: BatchOutcome): AppendOutcome {
    const { log } = this.options;
    const rejection = c.rejection;
    if (outcome.status === 'failed' || rejection === undefined) {
      const failed =
        outcome.status === 'failed' ? outcome : { status: 'failed' as const, code: 'storage', message: 'no rejection to settle' };
      log.error(
        { terminal: c.terminal.id, code: failed.code, error: failed.message },
        'VOTE NOT STORED: journal write failed, the terminal keeps the vote and resends it',
      );
      return failed;
    }
    const key = `${c.terminal.id}/${rejection.reason}`;
    const n = (this.rejectLogs.get(key) ?? 0) + 1;
    this.rejectLogs.set(key, n);
    const { vote } = rejection;
    if (outcome.status === 'rejected' && (n === 1 || n % 100 === 0)) {
      log.error({ terminal: c.terminal.id, seq: vote.seq, button: vote.button, reason: rejection.reason, count: n }, rejection.message);
    }
    return { status: 'rejected', code: rejection.reason, message: rejection.message, duplicate: outcome.status === 'duplicate' };
  }

  /**
   * A SQLite error thrown instead of returned (disk I/O, corruption) is
   * logged loudly and counted (`storage-threw` in the bridge status), and
   * answered as a failed store: the box is NAKed and keeps the vote.
   */
  threw(terminal: PlacedTerminal, uid: string, seq: number, error: unknown): AppendOutcome {
    const { problemCounts } = this.options;
    const n = (problemCounts.get('storage-threw') ?? 0) + 1;
    problemCounts.set('storage-threw', n);
    this.options.log.error(
      { terminal: terminal.id, uid, seq, err: error, count: n },
      'VOTE NOT STORED: the journal threw; the terminal keeps the vote and resends it',
    );
    return { status: 'failed', code: 'storage', message: `the journal threw: ${(error as Error).message}` };
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
        `box ${uid} sent seq ${vote.seq}, already used by another press (highest stored ${hwm}): its seq went backwards (EEPROM erased?).` +
          " Its new presses are being taken as resends and LOST unless its firmware continues above WELCOME's mark" +
          ' (PROTOCOL.md §7.6, firmware 1.1); re-flash with EESAVE or give the box a new uid (PROTOCOL.md §7.1)',
      );
    }
  }
}
