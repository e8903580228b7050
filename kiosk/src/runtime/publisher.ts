/**
 * Sends the outbox to the broker: oldest first, a small window of QoS 1
 * publishes in flight, and a row marked `sent` ONLY when its PUBACK arrives
 * (the publish promise resolves); it is `done` only once the bridge's
 * receipt names it (outbox.ts). Anything not acknowledged stays ready and
 * is sent again on the next flush (after a reconnect, a reload, days
 * offline), and so is a sent vote no receipt confirms: the bridge dedupes
 * by vote id, so a duplicate is harmless and a loss is impossible.
 */
import { publicationFor } from '../../../core/index.ts';
import type { Publication, Vote } from '../../../core/index.ts';
import type { Outbox } from '../outbox/outbox.ts';

/** What the publisher needs from the MQTT link. */
export interface PublishLink {
  /** True while connected (publishing is pointless otherwise). */
  readonly online: boolean;
  /** Resolves on PUBACK (QoS 1); rejects if it cannot be acknowledged. */
  publish(p: Publication): Promise<void>;
}

/** Options of `Publisher`. */
export interface PublisherOptions {
  /**
   * Publishes in flight at once.
   * @default 8
   */
  readonly window?: number;
  /**
   * Rows read from the outbox per round.
   * @default 64
   */
  readonly batch?: number;
  /** Called after each round with how many votes were acknowledged. */
  readonly onFlushed?: (acked: number) => void;
  /** Called when a publish fails (the vote stays in the outbox). */
  readonly onError?: (error: unknown) => void;
  /** The clock of the PUBACK times (the resend backoff counts from them). @default Date.now */
  readonly now?: () => number;
}

/** Flushes an outbox through a link. `kick()` whenever there may be work. */
export class Publisher {
  readonly #outbox: Outbox;
  readonly #link: PublishLink;
  readonly #window: number;
  readonly #batch: number;
  readonly #options: PublisherOptions;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(outbox: Outbox, link: PublishLink, options: PublisherOptions = {}) {
    this.#outbox = outbox;
    this.#link = link;
    this.#window = options.window ?? 8;
    this.#batch = options.batch ?? 64;
    if (!Number.isInteger(this.#window) || this.#window < 1) throw new RangeError('"window" must be a positive integer');
    if (!Number.isInteger(this.#batch) || this.#batch < 1) throw new RangeError('"batch" must be a positive integer');
    this.#options = options;
  }

  /** Starts a flush, or asks the running one for another round; resolves when flushing stops. */
  kick(): Promise<void> {
    this.#again = true;
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<void> {
    while (this.#again) {
      this.#again = false;
      for (;;) {
        if (!this.#link.online) return;
        const votes = await this.#outbox.pending(this.#batch);
        if (votes.length === 0) break;
        const { acked, failed } = await this.#send(votes);
        this.#options.onFlushed?.(acked);
        if (failed) return; // wait for the next kick (reconnect, timer): the rows are still ready
      }
    }
  }

  async #send(votes: readonly Vote[]): Promise<{ acked: number; failed: boolean }> {
    let next = 0;
    let acked = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (!failed && next < votes.length) {
        const vote = votes[next++] as Vote;
        try {
          await this.#link.publish(publicationFor('vote', vote, vote));
        } catch (error) {
          failed = true;
          this.#options.onError?.(error);
          return;
        }
        // Only now, with the PUBACK in hand, is the row sent (done: once the bridge's receipt names it).
        await this.#outbox.markSent(vote.seq, (this.#options.now ?? Date.now)());
        acked++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#window, votes.length) }, worker));
    return { acked, failed };
  }
}
