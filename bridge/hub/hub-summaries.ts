/**
 * The hub's per-unit monthly summaries (core/unit-month.ts): when a unit's
 * tally of a month in the retention window is archived, the hub re-derives
 * that unit-month's summary from the archived tallies and publishes it
 * retained on `hailong/v1/{parent}/{unit}/_summary/{YYYY-MM}`. The parent
 * dashboard's district view folds these (~1 per unit and month) instead of
 * every terminal's tallies, and loads a unit's tallies only on drill-down
 * (docs/ARCHITECTURE.md "The hub"). Updates of one unit-month within
 * `delayMs` are published once: a busy ward sends a tally per vote.
 *
 * Bounded like the tallies: only months of the retention window are
 * derived and retained (`retainMonths`).
 */
import type { Logger } from 'pino';
import { parseTally, type Tally } from '../../core/tally.ts';
import { latestTallies } from '../../core/tally.ts';
import { topicFor } from '../../core/topic.ts';
import { encodePayload } from '../../core/topic-payload.ts';
import { unitMonthOf } from '../../core/unit-month.ts';
import type { HubArchive } from './hub-archive.ts';
import { oldestRetainedMonth } from './hub-ingest.ts';

/** Options of `HubSummaries`. */
export interface HubSummariesOptions {
  /** The parent's id (first topic level). */
  readonly parent: string;
  readonly archive: HubArchive;
  /** Publishes a retained message on the hub's broker. */
  readonly publish: (topic: string, payload: string) => Promise<void>;
  /** Months kept retained, this month included (hub.yaml `retainMonths`). */
  readonly retainMonths: number;
  readonly log: Logger;
  readonly now: () => number;
  /**
   * Wait after a unit-month's first change before publishing its summary (ms).
   * @default 500
   */
  readonly delayMs?: number;
}

/** Derives and publishes the units' monthly summaries. */
export class HubSummaries {
  readonly #dirty = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  /** Summaries published since start. */
  published = 0;

  constructor(readonly options: HubSummariesOptions) {}

  /** Notes that a unit's tally of `month` was archived; its summary follows within `delayMs`. */
  noteTally(unit: string, month: string): void {
    if (month < oldestRetainedMonth(this.options.now(), this.options.retainMonths)) return;
    this.#dirty.add(`${unit}/${month}`);
    this.#timer ??= setTimeout(() => void this.flush(), this.options.delayMs ?? 500);
  }

  /** Publishes the summary of every unit-month of the window that has tallies in the archive (start of the hub). */
  async publishAll(): Promise<void> {
    const oldest = oldestRetainedMonth(this.options.now(), this.options.retainMonths);
    for (const row of this.options.archive.retained()) {
      if (row.kind !== 'tally' || row.month === null || row.month < oldest) continue;
      const unit = row.topic.split('/', 4)[3];
      if (unit !== undefined) this.#dirty.add(`${unit}/${row.month}`);
    }
    await this.flush();
  }

  /** Publishes every pending summary now; resolves when published. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const keys = [...this.#dirty].sort();
    this.#dirty.clear();
    this.#flushing = this.#flushing
      .then(() => this.#publish(keys))
      .catch((error: unknown) => {
        // The archive keeps the tallies: the next tally of the unit-month, or a restart, publishes it again.
        this.options.log.error({ err: error }, 'could not publish unit summaries');
      });
    return this.#flushing;
  }

  /** Stops the timer (pending summaries are derived again from the archive on the next start). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dirty.clear();
  }

  async #publish(keys: readonly string[]): Promise<void> {
    const { parent, archive } = this.options;
    for (const key of keys) {
      const [unit = '', month = ''] = key.split('/');
      const tallies: Tally[] = [];
      // Archived tallies were validated on ingest; parse again, since the archive is a file.
      for (const text of archive.unitTallies(unit, month)) {
        const t = parseTally(text);
        if (t.ok) tallies.push(t.value);
      }
      const summary = unitMonthOf({ district: parent, ward: unit, month }, latestTallies(tallies).values());
      await this.options.publish(topicFor('unit-month', summary), encodePayload('unit-month', summary));
      this.published += 1;
    }
  }
}
