/**
 * The journal's monthly tallies. A tally is a pure fold of the stored
 * votes, so it need not be written in every vote's commit: the book keeps
 * tallies in memory, folds each committed vote, and writes the changed ones
 * about once a second together with the id of the last vote they include.
 * After a crash, `recover` folds the votes stored after that id again
 * (applyVote ignores a vote already folded, so this is idempotent), which
 * keeps the durable commit of a vote small: one row, no tally rewrite.
 */
import type Database from 'better-sqlite3';
import { emptyTally, parseTally } from '../../core/tally.ts';
import type { Tally } from '../../core/tally.ts';
import { TallyBuilder } from '../../core/tally-builder.ts';
import type { TerminalPath } from '../../core/path.ts';
import type { LevelKey } from '../../core/scale.ts';
import { localMidnight, localParts } from '../../core/time.ts';
import { parseVote, type Vote } from '../../core/vote.ts';

function keyOf(path: TerminalPath, month: string): string {
  return `${path.counter}/${path.terminal}/${month}`;
}

/** Tallies in memory, persisted in batches. */
export class TallyBook {
  /** Mutable builders (core/tally-builder.ts): counting in place makes no garbage per vote. */
  private readonly tallies = new Map<string, TallyBuilder>();
  private readonly dirty = new Set<string>();
  private through = 0;
  private readonly get: Database.Statement;
  private readonly upsert: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly levels: readonly LevelKey[],
  ) {
    this.get = db.prepare('SELECT payload FROM tallies WHERE counter = ? AND terminal = ? AND month = ?');
    this.upsert = db.prepare(
      `INSERT INTO tallies (counter, terminal, month, seq, payload) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (counter, terminal, month) DO UPDATE SET seq = excluded.seq, payload = excluded.payload`,
    );
  }

  /** Folds the votes stored after the last persisted tally state (crash recovery), then persists. */
  recover(): number {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'tallies_through'").get() as { value: string } | undefined;
    this.through = row === undefined ? 0 : Number(row.value);
    let folded = 0;
    const votes = this.db.prepare('SELECT id, payload FROM votes WHERE id > ? ORDER BY id').iterate(this.through) as IterableIterator<{ id: number; payload: string }>;
    for (const v of votes) {
      const vote = parseVote(v.payload);
      if (vote.ok) this.fold(vote.value, v.id);
      folded += 1;
    }
    this.persist();
    return folded;
  }

  private builder(path: TerminalPath, month: string): TallyBuilder | undefined {
    const key = keyOf(path, month);
    const held = this.tallies.get(key);
    if (held !== undefined) return held;
    const row = this.get.get(path.counter, path.terminal, month) as { payload: string } | undefined;
    if (row === undefined) return undefined;
    const parsed = parseTally(row.payload);
    if (!parsed.ok) return undefined;
    const builder = new TallyBuilder(parsed.value);
    this.tallies.set(key, builder);
    return builder;
  }

  /** The tally of a terminal-month: from memory, else from the database. */
  tallyOf(path: TerminalPath, month: string): Tally | undefined {
    return this.builder(path, month)?.toTally();
  }

  /** Folds a committed vote (journal row `rowid`) into its terminal-month tally. */
  fold(vote: Vote, rowid: number): void {
    const month = localParts(vote.pressedAt).monthKey;
    const key = keyOf(vote, month);
    let builder = this.builder(vote, month);
    if (builder === undefined) {
      builder = new TallyBuilder(emptyTally(vote, month, this.levels));
      this.tallies.set(key, builder);
    }
    builder.add(vote);
    this.dirty.add(key);
    this.through = Math.max(this.through, rowid);
  }

  /** Writes the changed tallies and the last folded vote id in one transaction. */
  persist(): void {
    if (this.dirty.size === 0) return;
    const keys = [...this.dirty];
    this.db.transaction(() => {
      for (const key of keys) {
        const t = (this.tallies.get(key) as TallyBuilder).toTally();
        this.upsert.run(t.counter, t.terminal, t.month, t.seq, JSON.stringify(t));
      }
      this.db.prepare("INSERT INTO meta (key, value) VALUES ('tallies_through', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(this.through));
    })();
    for (const key of keys) this.dirty.delete(key);
    this.evictOld();
  }

  /**
   * Drops saved builders of months before the previous one: votes rarely
   * arrive for them (a box back from a long outage), and then they are
   * loaded again. Without this, a bridge running for years would keep every
   * terminal-month it ever touched in memory.
   */
  private evictOld(): void {
    const month = localParts(Date.now()).monthKey;
    const previous = localParts(localMidnight(`${month}-01`) - 1).monthKey;
    for (const key of this.tallies.keys()) {
      if (!this.dirty.has(key) && key.slice(-7) < previous) this.tallies.delete(key);
    }
  }

  /** Every tally: the database's, with the newer in-memory ones in their place. */
  all(): Tally[] {
    const out = new Map<string, Tally>();
    const rows = this.db.prepare('SELECT payload FROM tallies ORDER BY month, counter, terminal').all() as { payload: string }[];
    for (const row of rows) {
      const parsed = parseTally(row.payload);
      if (parsed.ok) out.set(keyOf(parsed.value, parsed.value.month), parsed.value);
    }
    for (const [key, b] of this.tallies) out.set(key, b.toTally());
    return [...out.values()];
  }
}
