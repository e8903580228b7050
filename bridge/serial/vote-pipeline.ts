/**
 * The serial boxes' vote path as one pipeline, read top-down:
 *
 *   1. decode   — each port's TerminalSession decodes its frames and hands
 *                 every VOTE to `submit` (terminal-session.ts);
 *   2. intake   — BoxVoteIntake decides at once: new, a resend of a vote
 *                 in this batch (joins it), a duplicate (DUP), or rejected;
 *                 the one owner of the duplicate check (box-vote-intake.ts);
 *   3. journal  — every vote that arrived from ANY port since the last
 *                 batch is committed in ONE SQLite transaction, one fsync
 *                 (synchronous=FULL: durable before ACK, docs/ARCHITECTURE.md);
 *                 votes that arrive while it commits join the next batch;
 *   4. outbox   — the stored votes go to the broker at QoS 1 from memory
 *                 (mqtt/outbox-publisher.ts), only after that fsync;
 *   5. ACK      — each port gets its answers for the batch in one write,
 *                 only after that fsync (`VoteSink.settle`), and then the
 *                 counter's rating state learns of the votes (`onStored`).
 *
 * A batch starts in the event-loop turn after the first vote of it arrived
 * (setImmediate), so everything read from the ports in that turn joins it;
 * the commit itself runs on the main thread: the profile (issue 14) shows
 * the fsync wait, not CPU, is what a commit costs, and it is what lets the
 * next batch grow.
 */
import type { Logger } from 'pino';
import type { Vote } from '../../core/vote.ts';
import type { VoteMessage } from '../../firmware-protocol/src/message.ts';
import type { PlacedTerminal } from '../config/hailong-config.ts';
import type { Journal } from '../journal/journal.ts';
import type { AppendOutcome, BatchEntry, BatchOutcome } from '../journal/vote-input.ts';
import type { BoxVoteIntake, IntakeEntry, IntakeVerdict } from './box-vote-intake.ts';

/** One vote's answer in a batch. */
export interface VoteAnswer {
  readonly seq: number;
  readonly outcome: AppendOutcome;
}

/** Where a port's answers go: its session, which writes them as ACK/NAK frames. */
export interface VoteSink {
  /** The answers of one batch for this port, in arrival order: written in ONE write. */
  settle(answers: readonly VoteAnswer[]): void;
}

/** What the pipeline reads and calls; `S` is the sinks' type (the bridge's TerminalSession). */
export interface VotePipelineOptions<S extends VoteSink> {
  readonly intake: BoxVoteIntake;
  readonly journal: Journal;
  /** The journal outbox's publisher (`OutboxPublisher.offer`). */
  readonly outbox: { offer(rowid: number, topic: string, payload: string): void };
  /** A vote was stored (after its ACK was written): the counter's rating state (gated windows). */
  readonly onStored?: (vote: Vote, terminal: PlacedTerminal, sink: S) => void;
  readonly log: Logger;
}

interface Item<S> {
  readonly sink: S;
  readonly uid: string;
  readonly seq: number;
  readonly terminal: PlacedTerminal;
  readonly verdict: IntakeVerdict;
}

/** Pipeline counters, for the bench and the bridge status. */
export interface PipelineStats {
  /** Batches run (each at most one commit). */
  readonly batches: number;
  /** VOTE frames taken in. */
  readonly votes: number;
}

/** The box vote path: submit → intake → one commit per batch → outbox → one ACK write per port. */
export class VotePipeline<S extends VoteSink = VoteSink> {
  private items: Item<S>[] = [];
  private scheduled = false;
  private batches = 0;
  private votes = 0;
  private readonly run = () => this.flush();

  constructor(private readonly options: VotePipelineOptions<S>) {}

  /** Takes a decoded VOTE of `uid` at `terminal`; its answer goes to `sink` after the batch commits. Never throws. */
  submit(sink: S, terminal: PlacedTerminal, uid: string, vote: VoteMessage, receivedAt: number): void {
    this.votes += 1;
    this.items.push({ sink, uid, seq: vote.seq, terminal, verdict: this.options.intake.judge(terminal, uid, vote, receivedAt) });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  /** Counters since start. */
  stats(): PipelineStats {
    return { batches: this.batches, votes: this.votes };
  }

  /** Runs the batch built so far, now (the scheduled turn, and a stopping bridge). */
  flush(): void {
    this.scheduled = false;
    const items = this.items;
    this.items = [];
    if (items.length === 0) return;
    this.batches += 1;
    const outcomes = this.commit(items);
    // The publish first: both wait for the same fsync, and handing a vote to
    // the MQTT socket costs less than encoding and writing the batch's ACK
    // frames, which the subscriber would otherwise wait for (issue 14,
    // measured per step with performance.now() marks).
    this.publish(items, outcomes);
    this.acknowledge(items, outcomes);
    this.stored(items, outcomes);
  }

  /** Step 3: one transaction for the batch; each item's answer (a join takes its vote's). */
  private commit(items: readonly Item<S>[]): AppendOutcome[] {
    const { intake, journal } = this.options;
    // Plain loops, no per-item arrays or keys: this runs per vote (issue 14, GC).
    const commits: IntakeEntry[] = [];
    const entries: BatchEntry[] = [];
    let joins = 0;
    for (const item of items) {
      if (item.verdict.kind === 'commit') {
        commits.push(item.verdict.commit);
        entries.push(item.verdict.commit.entry);
      } else if (item.verdict.kind === 'join') joins += 1;
    }
    let results: BatchOutcome[];
    try {
      results = journal.commitBatch(entries);
    } catch (error) {
      // commitBatch returns its failures; a throw is a bug, answered as a failed store.
      const first = items[0] as Item<S>;
      const failed = intake.threw(first.terminal, first.uid, first.seq, error);
      results = commits.map(() => failed);
    }
    const settled = intake.settle(commits, results);
    const outcomes: AppendOutcome[] = new Array(items.length);
    // A resend that joined a vote of this batch gets that vote's answer (keyed only when there is one).
    const byVote = joins > 0 ? new Map<string, AppendOutcome>() : undefined;
    let next = 0;
    items.forEach((item, i) => {
      if (item.verdict.kind === 'answer') outcomes[i] = item.verdict.outcome;
      else if (item.verdict.kind === 'commit') {
        const outcome = settled[next++] as AppendOutcome;
        outcomes[i] = outcome;
        byVote?.set(`${item.uid}\n${item.seq}`, outcome);
      }
    });
    if (byVote !== undefined) {
      items.forEach((item, i) => {
        if (item.verdict.kind === 'join')
          outcomes[i] = byVote.get(`${item.uid}\n${item.seq}`) ?? { status: 'failed', code: 'storage', message: 'a resend joined no vote' };
      });
    }
    return outcomes;
  }

  /** Step 5: each port's answers in one write, after the commit. */
  private acknowledge(items: readonly Item<S>[], outcomes: readonly AppendOutcome[]): void {
    const bySink = new Map<S, VoteAnswer[]>();
    items.forEach((item, i) => {
      let answers = bySink.get(item.sink);
      if (answers === undefined) {
        answers = [];
        bySink.set(item.sink, answers);
      }
      answers.push({ seq: item.seq, outcome: outcomes[i] as AppendOutcome });
    });
    for (const [sink, answers] of bySink) {
      try {
        sink.settle(answers);
      } catch (error) {
        // A port that fails to write must not keep the other ports' ACKs or the outbox waiting.
        this.options.log.error({ err: error }, 'writing a batch of ACKs failed; the box resends and gets DUP');
      }
    }
  }

  /** Step 4: the stored votes to the outbox, once each (not for a resend that joined). */
  private publish(items: readonly Item<S>[], outcomes: readonly AppendOutcome[]): void {
    items.forEach((item, i) => {
      const outcome = outcomes[i] as AppendOutcome;
      if (item.verdict.kind !== 'commit' || outcome.status !== 'stored') return;
      // The vote is on disk even if its port closed during the commit: it goes out now.
      this.options.outbox.offer(outcome.rowid, outcome.topic, outcome.payload);
    });
  }

  /** The counter's rating state learns of the stored votes, after their ACKs (it may write to the port: a window closed). */
  private stored(items: readonly Item<S>[], outcomes: readonly AppendOutcome[]): void {
    const onStored = this.options.onStored;
    if (onStored === undefined) return;
    items.forEach((item, i) => {
      const outcome = outcomes[i] as AppendOutcome;
      if (item.verdict.kind === 'commit' && outcome.status === 'stored') onStored(outcome.vote, item.terminal, item.sink);
    });
  }
}
