/**
 * The journal's monthly tallies. A tally is a pure fold of the stored
 * votes, so it need not be written in every vote's commit: the book keeps
 * tallies in memory, folds each committed vote, and writes the changed ones
 * about once a second together with the id of the last vote they include.
 * After a crash, `recover` folds the votes stored after that id again
 * (applyVote ignores a vote already folded, so this is idempotent), which
 * keeps the durable commit of a vote small: one row, no tally rewrite.
 *
 * A kiosk's votes keep the kiosk's own seqs and may reach the bridge out of
 * order (a publish window, a retry after reconnect), and a supervisor may
 * revoke votes: then the terminal-month is folded again from its stored
 * rows (`rebuild`), in seq order, leaving revoked votes out.
 */
import type Database from 'better-sqlite3';
import { emptyTally, parseTally } from '../../core/tally.ts';
import type { Tally } from '../../core/tally.ts';
import { TallyBuilder } from '../../core/tally-builder.ts';
import type { TerminalPath } from '../../core/path.ts';
import type { LevelKey } from '../../core/scale.ts';
import { localHourKeys, localMidnight, localParts } from '../../core/time.ts';
import type { RevocationLog, TerminalMonth } from './revocation-log.ts';
import { parseVote, type Vote } from '../../core/vote.ts';

function keyOf(path: TerminalPath, month: string): string {
  return `${path.counter}/${path.terminal}/${month}`;
}

function pathOf(p: TerminalPath): TerminalPath {
  return { district: p.district, ward: p.ward, counter: p.counter, terminal: p.terminal };
}

/** The journal's `uid` of rows whose seq is the terminal's own (kiosks): `touch:<terminal>`. */
export const OWN_SEQ_UID_PREFIX = 'touch:';

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
    private readonly revocations: RevocationLog,
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
    // Kiosk rows (uid "touch:…") may be out of seq order, and a revoked row
    // must not count: their terminal-months are folded again from the rows.
    const again = new Map<string, TerminalMonth>();
    const revoked = this.revocations.revokedAfter(this.through);
    const votes = this.db.prepare('SELECT id, uid, payload FROM votes WHERE id > ? ORDER BY id').iterate(this.through) as IterableIterator<{
      id: number;
      uid: string;
      payload: string;
    }>;
    for (const v of votes) {
      const vote = parseVote(v.payload);
      if (vote.ok) {
        this.fold(vote.value, v.id);
        const month = localParts(vote.value.pressedAt).monthKey;
        if (v.uid.startsWith(OWN_SEQ_UID_PREFIX) || revoked.has(v.id))
          again.set(keyOf(vote.value, month), { ...pathOf(vote.value), month });
      }
      folded += 1;
    }
    for (const tm of again.values()) this.rebuild(tm, tm.month);
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

  /**
   * Folds a committed vote (journal row `rowid`) into its terminal-month
   * tally. `fresh`: the row was just stored, so a seq at or below the
   * tally's is a late kiosk vote, not a replay: the month is folded again.
   */
  fold(vote: Vote, rowid: number, fresh = false): void {
    const month = localHourKeys(vote.pressedAt).monthKey;
    const key = keyOf(vote, month);
    let builder = this.builder(vote, month);
    if (builder === undefined) {
      builder = new TallyBuilder(emptyTally(vote, month, this.levels));
      this.tallies.set(key, builder);
    }
    if (!builder.add(vote) && fresh) this.rebuild(vote, month);
    this.dirty.add(key);
    this.through = Math.max(this.through, rowid);
  }

  /**
   * Folds one terminal-month again from its stored rows, in seq order,
   * without revoked votes. The result keeps the highest seq of ALL its rows
   * (revoked ones too: every press stays below seq, core parseTally) and
   * an `updatedAt` no older than the latest revocation, so the new copy wins
   * every consumer's merge over the copies before it (core compareTallies).
   */
  rebuild(path: TerminalPath, month: string): Tally {
    const from = localMidnight(`${month}-01`);
    const next = localParts(from + 32 * 86_400_000).monthKey;
    const to = localMidnight(`${next}-01`);
    const revoked = this.revocations.revokedAt(path.terminal, from, to);
    const rows = this.db
      .prepare('SELECT id, payload FROM votes WHERE terminal = ? AND pressed_at >= ? AND pressed_at < ? ORDER BY seq')
      .iterate(path.terminal, from, to) as IterableIterator<{ id: number; payload: string }>;
    const builder = new TallyBuilder(emptyTally(path, month, this.levels));
    let seq = 0;
    let updatedAt = 0;
    for (const row of rows) {
      const vote = parseVote(row.payload);
      if (!vote.ok || vote.value.counter !== path.counter) continue;
      seq = Math.max(seq, vote.value.seq);
      const revokedAt = revoked.get(row.id);
      if (revokedAt === undefined) builder.add(vote.value);
      else updatedAt = Math.max(updatedAt, revokedAt, vote.value.receivedAt);
    }
    const folded = builder.toTally();
    const tally: Tally = { ...folded, seq: Math.max(seq, folded.seq), updatedAt: Math.max(updatedAt, folded.updatedAt) };
    const key = keyOf(path, month);
    this.tallies.set(key, new TallyBuilder(tally));
    this.dirty.add(key);
    return tally;
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
      this.db
        .prepare("INSERT INTO meta (key, value) VALUES ('tallies_through', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .run(String(this.through));
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
