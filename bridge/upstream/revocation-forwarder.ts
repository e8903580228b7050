/**
 * Forwards the journal's revocations (`hailong revoke`) to the hub at QoS 1
 * on `hailong/v1/{district}/{ward}/_revocation` (core/revocation.ts), so the
 * hub's archive, export and reports leave out the same votes as the ward's;
 * a second instance (`mark: 'published'`) publishes them on the ward's own
 * broker the same way, for its subscribers, as votes have two marks.
 * The journal is the outbox, as for votes (vote-forwarder.ts): a revocation
 * is marked forwarded (`revocations.forwarded`) only once the hub has
 * PUBACKed every part of it, so after an outage, a refused login or a
 * restart (even `kill -9` between the revocation and its forwarding) it is
 * sent again from the journal; the hub stores parts and revoked vote ids
 * idempotently, so a resend is never counted twice.
 *
 * Revocations are rare (a supervisor's decision): they go out one at a
 * time, oldest first, polled like the votes, so a revocation written by
 * another process (the `hailong revoke` command) is found without anyone
 * calling the forwarder.
 */
import type { Logger } from 'pino';
import type { WardPath } from '../../core/path.ts';
import { revocationMessages } from '../../core/revocation.ts';
import { publicationFor, type Publication } from '../../core/topic-payload.ts';
import type { Journal } from '../journal/journal.ts';
import type { Revocation, RevocationMark } from '../journal/revocation-log.ts';
import type { UpstreamChannel } from './upstream-channel.ts';

/** Options of `RevocationForwarder`. */
export interface RevocationForwarderOptions {
  /**
   * The journal mark this forwarder sets: `forwarded` towards the hub,
   * `published` on the ward's own broker (the same class publishes there).
   * @default 'forwarded'
   */
  readonly mark?: RevocationMark;
  /** Who acknowledges, in log lines. @default 'the hub' */
  readonly destination?: string;
  /** How often the journal is polled for new revocations (ms). @default 1000 */
  readonly pollMs?: number;
  /** Longest wait for the hub's PUBACKs of one revocation before it is sent again (ms). @default 30000 */
  readonly ackTimeoutMs?: number;
}

/** What the revocation forwarder reports. */
export interface RevocationForwarderStats {
  /** Revocations the hub has not acknowledged (as of the last poll). */
  readonly backlog: number;
  /** Revocations acknowledged by the hub since start. */
  readonly forwarded: number;
}

type Resolved = Readonly<Required<RevocationForwarderOptions>>;

/** The revocation-forwarding part of the upstream feature. */
export class RevocationForwarder {
  readonly options: Resolved;
  private running = false;
  /** Bumped on every (re)connect: a revocation in flight on a dead connection is sent again. */
  private generation = 0;
  private busy = false;
  private forwarded = 0;
  /** Journal revocations that cannot make a valid message (see `partsOf`). */
  private readonly unsendable = new Set<number>();
  private backlog = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly onConnect = () => {
    this.generation += 1;
    this.busy = false;
    void this.pump();
  };

  constructor(
    private readonly journal: Journal,
    private readonly channel: UpstreamChannel,
    private readonly ward: WardPath,
    private readonly log: Logger,
    options: RevocationForwarderOptions = {},
  ) {
    this.options = Object.freeze({
      mark: options.mark ?? 'forwarded',
      destination: options.destination ?? 'the hub',
      pollMs: options.pollMs ?? 1000,
      ackTimeoutMs: options.ackTimeoutMs ?? 30_000,
    });
  }

  /** Starts forwarding (now if connected, else at the next connect). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.channel.on('connect', this.onConnect);
    this.backlog = this.readBacklog();
    if (this.backlog > 0)
      this.log.info({ revocations: this.backlog }, `${this.backlog} revocations not yet acknowledged by ${this.options.destination}`);
    this.pollTimer = setInterval(() => this.poll(), this.options.pollMs);
    this.pollTimer.unref();
    if (this.channel.connected) void this.pump();
  }

  /** Stops forwarding; a revocation in flight stays unmarked (sent again at the next start). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.channel.off('connect', this.onConnect);
    clearInterval(this.pollTimer);
  }

  /** Counters for the log and `_bridge/status`. */
  stats(): RevocationForwarderStats {
    return { backlog: this.backlog, forwarded: this.forwarded };
  }

  /** Refreshes the backlog (shown in `_bridge/status` while the hub is away too) and sends what is new. */
  private poll(): void {
    try {
      if (!this.busy) this.backlog = this.readBacklog();
    } catch {
      // The journal is closing: keep the last figure.
    }
    void this.pump();
  }

  private readBacklog(): number {
    return this.journal.isOpen ? this.journal.revocationTable.backlog(this.options.mark) : 0;
  }

  /** Sends the oldest unforwarded revocations, one at a time, until none is left or the line drops. */
  private async pump(): Promise<void> {
    if (this.busy || !this.running || !this.channel.connected || !this.journal.isOpen) return;
    this.busy = true;
    const generation = this.generation;
    try {
      this.backlog = this.readBacklog();
      while (this.running && this.channel.connected && generation === this.generation && this.journal.isOpen) {
        const next = this.journal.revocationTable
          .unsent(this.options.mark, this.unsendable.size + 1)
          .find((r) => !this.unsendable.has(r.id));
        if (next === undefined) break;
        const parts = this.partsOf(next);
        if (parts === undefined) continue;
        const acked = await this.withTimeout(Promise.all(parts.map((p) => this.channel.publish(p.topic, p.payload, p.retain))));
        // A PUBACK of a dead connection is still the hub's receipt, but what was not acked is
        // sent again on the new one: simpler to send all of it again (the hub stores by id).
        if (!acked || generation !== this.generation || !this.journal.isOpen) break;
        this.journal.revocationTable.setMark(this.options.mark, next.id);
        this.forwarded += 1;
        this.backlog = Math.max(0, this.backlog - 1);
        this.log.info(
          { revocation: next.id, terminal: next.terminal, votes: next.votes.length, parts: parts.length },
          `revocation #${next.id} (${next.votes.length} votes of ${next.terminal}) is on ${this.options.destination}`,
        );
      }
    } catch (error) {
      // A failed publish (the line dropped) or the journal closing: retried at the next poll or connect.
      this.log.debug({ error: (error as Error).message }, 'revocation not forwarded yet; retrying');
    } finally {
      if (generation === this.generation) this.busy = false;
    }
  }

  /**
   * The publications of one revocation, or undefined for a journal row that
   * cannot make a valid message (a terminal id no longer valid, a hand-edited
   * file): logged once as an error and passed over, so it never blocks the
   * revocations after it; it stays unmarked and in the backlog, for someone to see.
   */
  private partsOf(r: Revocation): Publication<'revocation'>[] | undefined {
    try {
      return revocationMessages(this.ward, r).map((m) => publicationFor('revocation', this.ward, m));
    } catch (error) {
      this.unsendable.add(r.id);
      this.log.error(
        { revocation: r.id, terminal: r.terminal, error: (error as Error).message },
        `revocation #${r.id} in the journal cannot be sent to ${this.options.destination}; the next ones go on`,
      );
      return undefined;
    }
  }

  /** True when `p` resolved within `ackTimeoutMs`; false when it timed out (a hung line). */
  private async withTimeout(p: Promise<unknown>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.ackTimeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([p.then(() => true as const), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
