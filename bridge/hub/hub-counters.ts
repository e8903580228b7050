/**
 * The hub's visible counters (invariant 2: bad input gets a counter people
 * see): per unit, messages accepted and refused by code, and a progress line
 * in the log (votes archived, votes/s, duplicates, refusals).
 */
import type { Logger } from '../logger.ts';
import type { ArchiveStats } from './hub-archive.ts';
import type { IngestDecision } from './hub-ingest.ts';

/** One unit's counters. */
export interface UnitCounters {
  accepted: number;
  /** Refused messages by code (`bad-json`, `topic-mismatch`, `unknown-unit`, …). */
  refused: Record<string, number>;
}

/** Counts what the ingest decided and logs progress. */
export class HubCounters {
  readonly #units = new Map<string, UnitCounters>();
  #lastVotes = 0;
  #lastAt = Date.now();
  readonly #warned = new Set<string>();

  constructor(readonly log: Logger) {}

  /** Counts one decision; the first refusal of each (unit, code) is logged with its message. */
  count(decision: IngestDecision): void {
    const unit = decision.record?.unit ?? '';
    let c = this.#units.get(unit);
    if (c === undefined) {
      c = { accepted: 0, refused: {} };
      this.#units.set(unit, c);
    }
    if (decision.accept) {
      c.accepted++;
      return;
    }
    c.refused[decision.code] = (c.refused[decision.code] ?? 0) + 1;
    const key = `${unit}\u0000${decision.code}`;
    if (!this.#warned.has(key) && this.#warned.size < 1000) {
      this.#warned.add(key);
      this.log.warn(
        { unit, code: decision.code, topic: decision.record.topic.slice(0, 300) },
        `refused a message from unit ${unit || '?'} (${decision.code}): ${decision.message.slice(0, 300)}; counted, kept in the archive's refused table`,
      );
    }
  }

  /** Every unit's counters (a copy). */
  snapshot(): Record<string, UnitCounters> {
    return Object.fromEntries([...this.#units].map(([u, c]) => [u, { accepted: c.accepted, refused: { ...c.refused } }]));
  }

  /** Total refusals across units. */
  refusedTotal(): number {
    let n = 0;
    for (const c of this.#units.values()) for (const v of Object.values(c.refused)) n += v;
    return n;
  }

  /** Logs one progress line: votes archived since the last line and the rate. */
  logProgress(stats: ArchiveStats): void {
    const now = Date.now();
    const fresh = stats.votesStored - this.#lastVotes;
    const rate = Math.round((fresh * 1000) / Math.max(1, now - this.#lastAt));
    this.#lastVotes = stats.votesStored;
    this.#lastAt = now;
    if (fresh === 0 && stats.refused === 0) return;
    this.log.info(
      {
        archive: stats,
        votesPerSecond: rate,
        refusedByUnit: Object.fromEntries(
          [...this.#units].filter(([, c]) => Object.keys(c.refused).length > 0).map(([u, c]) => [u, c.refused]),
        ),
      },
      `hub archive: +${fresh} votes (${rate}/s), ${stats.votesStored} since start, ${stats.duplicates} duplicates ignored, ${stats.refused} refused`,
    );
  }
}
