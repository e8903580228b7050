/**
 * How one port's VOTEs reach storage under the send window (PROTOCOL.md
 * §7.7): in the terminal's order only (ReceiveWindow), a VOTE overtaken by a
 * lost one dropped unanswered, and storage taken in groups: every VOTE that
 * arrives while a group is open (the same event-loop turn, so the journal
 * commits it in one transaction) joins it, and the next group starts only
 * once the previous one has settled. So when a vote fails to store, no later
 * vote of its session is stored past it: the window rewinds to it and the
 * votes queued after it are dropped, to come back by go-back-N. With W = 1
 * (every 1.0 box) each group holds one vote and nothing changes.
 */
import type { VoteMessage } from '../../firmware-protocol/src/message.ts';
import { ReceiveWindow } from '../../firmware-protocol/src/receive-window.ts';
import type { AppendOutcome } from '../journal/vote-input.ts';

/** One VOTE on its way to storage. */
interface Entry {
  readonly vote: VoteMessage;
  readonly receivedAt: number;
  /** The session whose window it belongs to (a join moves it to the current one). */
  session: number;
  /** Further copies of this VOTE that arrived while it was being stored. */
  repeats: number;
}

/** Votes stored together: open (taking votes) during the turn it started in. */
interface Group {
  readonly entries: Entry[];
  readonly outcomes: Promise<AppendOutcome>[];
  open: boolean;
}

/** A vote of a settled group, in arrival order. */
export interface IntakeResult {
  readonly vote: VoteMessage;
  readonly outcome: AppendOutcome;
  /** Copies that joined it while it was stored (a 1.0 box gets one ACK per copy). */
  readonly repeats: number;
}

/** What an offered VOTE became: `taken` (to storage), `joined` (already on its way), `out-of-order` (dropped). */
export type OfferOutcome = 'taken' | 'joined' | 'out-of-order';

/** Callbacks of a VoteWindowIntake: the session's storage and its answer to a settled group. */
export interface VoteWindowIntakeOptions {
  /** Stores one vote; must never reject (a thrown error is answered as a failed store). */
  readonly store: (vote: VoteMessage, receivedAt: number) => Promise<AppendOutcome>;
  /** A group settled: answer it (ACK/NAK) and report what was stored. */
  readonly settled: (results: readonly IntakeResult[], inFlight: number) => void;
}

/** In-order, grouped intake of one port's VOTEs. */
export class VoteWindowIntake {
  private window = new ReceiveWindow();
  private session = 0;
  /** Votes on their way (queued or in a group), by seq: a resend joins instead of storing twice. */
  private readonly pending = new Map<number, Entry>();
  /** Votes waiting for the group in storage to settle. */
  private queued: Entry[] = [];
  private group: Group | null = null;

  constructor(private readonly o: VoteWindowIntakeOptions) {}

  /** W of the current session. */
  get inFlight(): number {
    return this.window.inFlight;
  }

  /** A WELCOME was sent: a new window of `inFlight`; votes queued for the old one are dropped (they are resent). */
  startSession(inFlight: number): void {
    this.session++;
    this.window = new ReceiveWindow(inFlight);
    this.dropQueued(() => true);
  }

  /** The port closed: nothing more is taken; a group already in storage still settles. */
  close(): void {
    this.session++;
    this.dropQueued(() => true);
  }

  /** A decodable VOTE from the identified terminal. */
  offer(vote: VoteMessage, receivedAt: number): OfferOutcome {
    const position = this.window.position(vote.seq);
    if (position === 'ahead') return 'out-of-order';
    if (position === 'in-order') this.window.handled(vote.seq);
    const known = this.pending.get(vote.seq);
    if (known !== undefined) {
      known.repeats++;
      // If it fails now, it is this session's window that must wait for it.
      known.session = this.session;
      return 'joined';
    }
    const entry: Entry = { vote, receivedAt, session: this.session, repeats: 0 };
    this.pending.set(vote.seq, entry);
    if (this.group === null || this.group.open) this.submit(entry);
    else this.queued.push(entry);
    return 'taken';
  }

  private submit(entry: Entry): void {
    let group = this.group;
    if (group === null) {
      const g: Group = { entries: [], outcomes: [], open: true };
      group = this.group = g;
      // Everything offered in this turn joins the group; then it waits for its outcomes.
      queueMicrotask(() => {
        g.open = false;
        void Promise.all(g.outcomes).then((outcomes) => this.finish(g.entries, outcomes));
      });
    }
    group.entries.push(entry);
    group.outcomes.push(this.safeStore(entry));
  }

  private safeStore(entry: Entry): Promise<AppendOutcome> {
    const failure = (error: unknown): AppendOutcome => ({
      status: 'failed',
      code: 'storage',
      message: `storing the vote threw: ${String((error as Error)?.message ?? error)}`,
    });
    try {
      return this.o.store(entry.vote, entry.receivedAt).then(undefined, failure);
    } catch (error) {
      return Promise.resolve(failure(error));
    }
  }

  private finish(entries: readonly Entry[], outcomes: readonly AppendOutcome[]): void {
    this.group = null;
    const results: IntakeResult[] = entries.map((e, i) => ({ vote: e.vote, outcome: outcomes[i]!, repeats: e.repeats }));
    for (const e of entries) this.pending.delete(e.vote.seq);
    // The first vote of the current session that did not store: the window waits for it again.
    const failedAt = entries.findIndex((e, i) => e.session === this.session && outcomes[i]!.status === 'failed');
    if (failedAt >= 0) {
      const seq = entries[failedAt]!.vote.seq;
      this.window.rewind(seq);
      this.dropQueued((e) => e.session === this.session && e.vote.seq > seq);
    }
    this.o.settled(results, this.window.inFlight);
    const next = this.queued;
    this.queued = [];
    for (const e of next) this.submit(e);
  }

  private dropQueued(drop: (e: Entry) => boolean): void {
    this.queued = this.queued.filter((e) => {
      if (!drop(e)) return true;
      this.pending.delete(e.vote.seq);
      return false;
    });
  }
}
