/**
 * Closes the gap between the hub broker's PUBACK and the hub's archive.
 * With Mosquitto or a NATS cluster between ward and hub, a PUBACK only says
 * the broker has the vote, and a broker can still lose it before the hub
 * archives it (docs/PROVINCE.md, "Receipts close the window"). The hub
 * publishes per terminal a retained receipt of the seqs its archive holds
 * (core/archive-receipt.ts); this feature reads them from the hub link and:
 *
 * - marks the forwarded rows they name `archived` (journal column);
 * - forwards again (`forwarded = 0`, the vote forwarder picks them up) a row
 *   the broker acknowledged at least `graceMs` ago that no receipt names,
 *   provided a LIVE receipt (not a retained one replayed on subscribing)
 *   arrived after the row's PUBACK: the hub has then been up and archiving
 *   since, so the row is lost, not late. A ward behind a hub that publishes
 *   no receipts (an older hailong) or a hub that is down never forwards
 *   anything again. The hub archives by vote id: a copy it has is a duplicate.
 *
 * A seq below the ranges of an incomplete receipt (more than 64 gaps) cannot
 * be told; such a row is marked `archived = 2` and left alone. So is a row
 * sent again `maxResends` times without the archive ever naming it (the hub
 * refuses it, e.g. a payload it cannot validate, and keeps it in its
 * `refused` table): logged as an error, it is not sent for ever.
 */
import type { Logger } from 'pino';
import { archivedState, type ArchiveReceipt } from '../../core/archive-receipt.ts';
import type { WardPath } from '../../core/path.ts';
import { subscriptionFor } from '../../core/topic.ts';
import { parseMessage } from '../../core/topic-payload.ts';
import type { Journal } from '../journal/journal.ts';
import type { UpstreamChannel } from './upstream-channel.ts';

/** Options of `ArchiveWatch`. */
export interface ArchiveWatchOptions {
  /**
   * How long after the broker's PUBACK a vote may stay unnamed by the hub's
   * receipts before it is forwarded again (ms). Long enough for a hub that
   * drains a backlog from its broker; a re-sent vote is only a duplicate.
   * @default 60000
   */
  readonly graceMs?: number;
  /** How often the journal is looked at for votes to forward again (ms). @default 5000 */
  readonly sweepMs?: number;
  /** Most rows looked at per sweep. @default 2000 */
  readonly sweepLimit?: number;
  /**
   * Most times one vote is forwarded again (since the bridge started) before
   * the watch gives up on it (`archived = 2`, logged as an error).
   * @default 5
   */
  readonly maxResends?: number;
  /** Clock. @default Date.now */
  readonly now?: () => number;
}

/** What the watch reports (in `_bridge/status`). */
export interface ArchiveWatchStats {
  /** Rows acknowledged by the broker that no receipt named yet (as of the last sweep). */
  readonly unarchived: number;
  /** Rows forwarded again since start. */
  readonly reforwarded: number;
  /** Epoch ms (ward clock) of the last live receipt, 0 before the first. */
  readonly lastLiveReceiptAt: number;
}

type Resolved = Readonly<Required<Omit<ArchiveWatchOptions, 'now'>>> & { readonly now: () => number };

/** Reads the hub's archive receipts and forwards again what the hub's broker lost. */
export class ArchiveWatch {
  readonly options: Resolved;
  readonly #receipts = new Map<string, ArchiveReceipt>();
  /** Times each row was forwarded again since start. */
  readonly #resends = new Map<number, number>();
  #liveAt = 0;
  #reforwarded = 0;
  #unarchived = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  readonly #onConnect = () => this.#subscribe();
  readonly #onMessage = (topic: string, payload: string, retained: boolean) => this.received(topic, payload, retained);

  constructor(
    private readonly journal: Journal,
    private readonly channel: UpstreamChannel,
    private readonly ward: WardPath,
    private readonly log: Logger,
    /** Told after rows were set back to unforwarded (the forwarder reads from its start again). */
    private readonly onReforward: () => void,
    options: ArchiveWatchOptions = {},
  ) {
    this.options = Object.freeze({
      graceMs: options.graceMs ?? 60_000,
      sweepMs: options.sweepMs ?? 5000,
      sweepLimit: options.sweepLimit ?? 2000,
      maxResends: options.maxResends ?? 5,
      now: options.now ?? Date.now,
    });
  }

  /** Subscribes to the receipts (now if connected, and at every connect) and starts sweeping. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.channel.on('connect', this.#onConnect);
    this.channel.on('message', this.#onMessage);
    if (this.channel.connected) this.#subscribe();
    this.#timer = setInterval(() => this.sweep(), this.options.sweepMs);
    this.#timer.unref();
  }

  /** Stops reading receipts and sweeping. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.channel.off('connect', this.#onConnect);
    this.channel.off('message', this.#onMessage);
    clearInterval(this.#timer);
  }

  /** Counters for `_bridge/status`. */
  stats(): ArchiveWatchStats {
    return { unarchived: this.#unarchived, reforwarded: this.#reforwarded, lastLiveReceiptAt: this.#liveAt };
  }

  #subscribe(): void {
    this.channel.subscribe?.(subscriptionFor('archived', this.ward));
  }

  /** One message from the hub link; anything but this ward's receipt is ignored. Never throws. */
  received(topic: string, payload: string, retained: boolean): void {
    const m = parseMessage(topic, payload);
    if (!m.ok) {
      if (topic.includes('/_archived/'))
        this.log.warn({ topic, code: m.code, err: m.message }, 'ignored a bad archive receipt from the hub');
      return;
    }
    if (m.value.kind !== 'archived') return;
    const r = m.value.payload;
    if (r.district !== this.ward.district || r.ward !== this.ward.ward) return;
    this.#receipts.set(r.terminal, r);
    if (!retained) this.#liveAt = this.options.now();
    if (!this.journal.isOpen) return;
    try {
      this.journal.forwardQueue.markArchived(r.terminal, r.archived);
    } catch (error) {
      this.log.error({ err: (error as Error).message }, 'could not mark votes archived; the next receipt or sweep does');
    }
  }

  /**
   * Marks what the receipts name and forwards again what they should name
   * and do not (see the module comment). Returns how many rows were set back.
   */
  sweep(): number {
    if (!this.journal.isOpen) return 0;
    const queue = this.journal.forwardQueue;
    try {
      let reforwarded = 0;
      if (this.#liveAt > 0) {
        // Acknowledged at least graceMs ago, and before the last live receipt.
        const before = Math.min(this.options.now() - this.options.graceMs, this.#liveAt - 1);
        const rows = queue.unarchived(before, this.options.sweepLimit);
        const archived: number[] = [];
        const unknown: number[] = [];
        const lost: number[] = [];
        for (const row of rows) {
          const receipt = this.#receipts.get(row.terminal);
          // No receipt at all for the terminal: the hub archived none of its votes.
          const state = receipt === undefined ? 'missing' : archivedState(receipt, row.seq);
          if (state === 'archived') archived.push(row.rowid);
          else if (state === 'unknown') unknown.push(row.rowid);
          else if ((this.#resends.get(row.rowid) ?? 0) >= this.options.maxResends) {
            unknown.push(row.rowid);
            this.#resends.delete(row.rowid);
            this.log.error(
              { vote: `${row.terminal}:${row.seq}`, resends: this.options.maxResends },
              `the hub never archived vote ${row.terminal}:${row.seq} though it was sent ${this.options.maxResends} more times: see the hub's refused messages (GET /hub/status); not sent again`,
            );
          } else {
            lost.push(row.rowid);
            this.#resends.set(row.rowid, (this.#resends.get(row.rowid) ?? 0) + 1);
          }
        }
        queue.markArchivedRows(archived);
        queue.markUnconfirmable(unknown);
        reforwarded = queue.reforward(lost);
        if (reforwarded > 0) {
          this.#reforwarded += reforwarded;
          const example = rows.find((r) => r.rowid === lost[0]);
          this.log.warn(
            {
              votes: reforwarded,
              total: this.#reforwarded,
              graceMs: this.options.graceMs,
              example: example && `${example.terminal}:${example.seq}`,
            },
            `${reforwarded} votes the hub's broker acknowledged never reached the hub's archive: forwarding them again (the hub keeps each vote once)`,
          );
          this.onReforward();
        }
      }
      this.#unarchived = queue.unarchivedCount();
      return reforwarded;
    } catch (error) {
      this.log.error({ err: (error as Error).message }, 'could not look for votes the hub never archived; retrying');
      return 0;
    }
  }
}
