/**
 * Bad MQTT input is ignored and COUNTED, never allowed to crash the app or
 * skew a figure (invariant 2). This keeps the counts by error code and the
 * last few rejections, for the diagnostics panel people can see.
 */

/** One rejected message, for display. */
export interface Rejection {
  readonly at: number;
  readonly topic: string;
  readonly code: string;
  readonly message: string;
}

/** How many recent rejections are kept for display. */
export const RECENT_REJECTIONS = 20;

/** Counts of rejected messages by code, plus the most recent ones. */
export class RejectLog {
  #total = 0;
  readonly #byCode = new Map<string, number>();
  readonly #recent: Rejection[] = [];

  /** Records one rejection. */
  record(rejection: Rejection): void {
    this.#total += 1;
    this.#byCode.set(rejection.code, (this.#byCode.get(rejection.code) ?? 0) + 1);
    this.#recent.unshift({ ...rejection, topic: rejection.topic.slice(0, 200), message: rejection.message.slice(0, 300) });
    if (this.#recent.length > RECENT_REJECTIONS) this.#recent.pop();
  }

  /** Every rejection so far. */
  get total(): number {
    return this.#total;
  }

  /** Counts by code, sorted by code. */
  byCode(): [string, number][] {
    return [...this.#byCode.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  /** The most recent rejections, newest first. */
  recent(): readonly Rejection[] {
    return this.#recent;
  }
}
