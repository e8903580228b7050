/**
 * The outbox in IndexedDB (through `idb`). One database per terminal
 * (`hailong-kiosk/{district}/{ward}/{terminal}`: seqs belong to the terminal,
 * not to its counter), with three stores:
 *
 * - `meta`: the seq high-water mark `hwm`, the fold pointer `folded`, the
 *   highest PUBACKed seq `sentHigh`, the last accepted receipt `receipt`
 *   and when it was accepted `receiptAt` (for `recheckReceipt`), and small
 *   persisted values (last config, session, install id);
 * - `votes`: one row per tap, keyed by seq, indexed by state (draft, ready,
 *   sent, done: outbox.ts);
 * - `tallies`: the kiosk's own monthly tallies, keyed `{counter}/{YYYY-MM}`.
 *
 * Why seqs are never reused, even with two tabs of the same kiosk: the
 * high-water mark is read, incremented and written in the SAME readwrite
 * transaction that stores the vote (and nothing else: the citizen waits for
 * that commit; the tally is folded right after, exactly once thanks to the
 * persisted fold pointer). IndexedDB runs readwrite transactions
 * with overlapping scopes one after another, across tabs and connections,
 * so IndexedDB itself is the arbiter; a killed tab aborts its transaction
 * whole (no seq without its vote, no vote without its seq). The mark is
 * never derived from the rows: done rows are pruned, and the mark stays.
 *
 * Why a NEW store starts its mark at the clock in seconds: a wiped device
 * (browser data cleared, a new tablet with the same kiosk identity) that
 * takes votes before it reads the bridge's retained tally would otherwise
 * number from 1 again and reuse ids the bridge has journaled, which it drops
 * as duplicates and its receipt then calls done: lost votes. A terminal
 * presses at most core `MAX_PRESSES_PER_DAY` (20,000) a day, fewer than the
 * 86,400 seconds that pass, so with a sane clock a new store numbers above
 * every seq an earlier store of the terminal handed out: the same rule as a
 * bridge's new journal (bridge/ward-bridge.ts `seqBase`, core/tally-guard.ts
 * `maxSeqBy`). An existing store keeps its numbering.
 */
import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase, IDBPObjectStore, IDBPTransaction } from 'idb';
import { applyVote, emptyTally, localParts, mergeTally } from '../../../core/index.ts';
import type { LevelKey, SeqRange, Tally, TerminalPath, Vote } from '../../../core/index.ts';
import { afterPuback, afterRecheck, buildVote, earliest, graceEnd, receiptProblem, resendDue, withReasons } from './outbox.ts';
import type { NewVote, Outbox, OutboxRow, OutboxStats, ReceiptOutcome } from './outbox.ts';

interface KioskDb extends DBSchema {
  meta: { key: string; value: unknown };
  votes: { key: number; value: OutboxRow; indexes: { state: string } };
  tallies: { key: string; value: Tally };
}

/** Bump when the schema changes; `upgrade` migrates. */
const DB_VERSION = 1;

type WriteTx = IDBPTransaction<KioskDb, ('meta' | 'votes' | 'tallies')[], 'readwrite'>;
type ReceiptTx = IDBPTransaction<KioskDb, ('meta' | 'votes')[], 'readwrite'>;
type VoteStore = IDBPObjectStore<KioskDb, ['votes'], 'votes', 'readwrite'>;

/** Highest clock seq base: leaves room for 10^9 votes below core's MAX_SEQ (uint32), as bridge/journal/journal-options.ts `MAX_SEQ_BASE`. */
export const MAX_OUTBOX_SEQ_BASE = 3_000_000_000;

/** How `openIdbOutbox` numbers a new store. */
export interface IdbOutboxOptions {
  /**
   * `clock`: a new store's high-water mark starts at the clock in seconds
   * (capped at `MAX_OUTBOX_SEQ_BASE`); `zero`: at 0, seqs 1, 2, 3… (tests
   * that assert seqs; a wiped device then reuses seqs).
   * @default 'clock'
   */
  readonly seqBase?: 'clock' | 'zero';
  /**
   * The clock, in ms since the epoch.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** The high-water mark a new store starts at. */
export function newStoreMark(options: IdbOutboxOptions = {}): number {
  if (options.seqBase === 'zero') return 0;
  const seconds = Math.floor((options.now ?? Date.now)() / 1000);
  return Number.isFinite(seconds) ? Math.min(MAX_OUTBOX_SEQ_BASE, Math.max(0, seconds)) : 0;
}

/** The database name of a terminal. */
export function outboxName(p: Pick<TerminalPath, 'district' | 'ward' | 'terminal'>): string {
  return `hailong-kiosk/${p.district}/${p.ward}/${p.terminal}`;
}

function tallyStoreKey(counter: string, month: string): string {
  return `${counter}/${month}`;
}

/** Opens (creating or upgrading) the outbox of a terminal. */
export async function openIdbOutbox(
  p: Pick<TerminalPath, 'district' | 'ward' | 'terminal'>,
  options: IdbOutboxOptions = {},
): Promise<Outbox> {
  const db = await openDB<KioskDb>(outboxName(p), DB_VERSION, {
    upgrade(database, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        database.createObjectStore('meta');
        database.createObjectStore('votes', { keyPath: 'seq' }).createIndex('state', 'state');
        database.createObjectStore('tallies');
        // In the creating transaction: a store never exists without its base (see the header).
        const mark = newStoreMark(options);
        if (mark > 0) void transaction.objectStore('meta').put(mark, 'hwm');
      }
    },
    blocking() {
      // A newer version wants to upgrade (an updated kiosk in another tab): let it.
      db.close();
    },
  });
  return new IdbOutbox(db);
}

class IdbOutbox implements Outbox {
  /**
   * Highest seq `pending()` handed out to be published (in memory): the
   * bridge may journal it, and publish its receipt, before its PUBACK is
   * processed here; the persisted `sentHigh` (PUBACKed) covers a reload.
   */
  #offeredHigh = 0;

  constructor(private readonly db: IDBPDatabase<KioskDb>) {}

  async record(input: NewVote, now: number): Promise<Vote> {
    const tx = this.db.transaction(['meta', 'votes'], 'readwrite');
    const meta = tx.objectStore('meta');
    const hwm = ((await meta.get('hwm')) as number | undefined) ?? 0;
    const seq = hwm + 1;
    let vote: Vote;
    try {
      vote = buildVote(input, seq, now);
    } catch (error) {
      tx.abort();
      await tx.done.catch(() => undefined);
      throw error;
    }
    void meta.put(seq, 'hwm');
    const row: OutboxRow = input.draft
      ? { seq, state: 'draft', vote, ...(input.draftUntil === undefined ? {} : { draftUntil: input.draftUntil }) }
      : { seq, state: 'ready', vote };
    void tx.objectStore('votes').add(row);
    await tx.done;
    return vote;
  }

  async finalize(seq: number, reasons: readonly string[]): Promise<boolean> {
    const tx = this.db.transaction('votes', 'readwrite');
    const done = await this.#finalizeIn(tx.store, seq, reasons);
    await tx.done;
    return done;
  }

  async finalizeExpired(now: number): Promise<number> {
    const tx = this.db.transaction('votes', 'readwrite');
    const drafts = await tx.store.index('state').getAll('draft');
    let n = 0;
    for (const row of drafts) {
      if ((row.draftUntil ?? 0) <= now && (await this.#finalizeIn(tx.store, row.seq, []))) n++;
    }
    await tx.done;
    return n;
  }

  async fold(levels: readonly LevelKey[]): Promise<void> {
    const tx = this.db.transaction(['meta', 'votes', 'tallies'], 'readwrite');
    await this.#fold(tx, levels);
    await tx.done;
  }

  async pending(limit: number): Promise<Vote[]> {
    const tx = this.db.transaction(['meta', 'votes'], 'readonly');
    const folded = ((await tx.objectStore('meta').get('folded')) as number | undefined) ?? 0;
    const rows = await tx.objectStore('votes').index('state').getAll(IDBKeyRange.only('ready'), limit);
    await tx.done;
    // Folding stops at the first draft, so `seq <= folded` also keeps seq order across drafts.
    const votes = rows.filter((r) => r.seq <= folded).map((r) => r.vote);
    for (const v of votes) if (v.seq > this.#offeredHigh) this.#offeredHigh = v.seq;
    return votes;
  }

  async markSent(seq: number, now: number): Promise<void> {
    const tx = this.db.transaction(['meta', 'votes'], 'readwrite');
    const meta = tx.objectStore('meta');
    const row = await tx.objectStore('votes').get(seq);
    if (row !== undefined && row.state === 'ready') {
      const receipt = ((await meta.get('receipt')) as SeqRange[] | undefined) ?? [];
      void tx.objectStore('votes').put(afterPuback(row, receipt, now));
      const sentHigh = Math.max(this.#offeredHigh, ((await meta.get('sentHigh')) as number | undefined) ?? 0);
      if (seq > sentHigh) void meta.put(seq, 'sentHigh');
    }
    await tx.done;
  }

  async applyReceipt(journaled: readonly SeqRange[], now: number): Promise<ReceiptOutcome> {
    const tx = this.db.transaction(['meta', 'votes'], 'readwrite');
    const meta = tx.objectStore('meta');
    const sentHigh = Math.max(this.#offeredHigh, ((await meta.get('sentHigh')) as number | undefined) ?? 0);
    const problem = receiptProblem(journaled, sentHigh, ((await meta.get('hwm')) as number | undefined) ?? 0);
    if (problem !== undefined) {
      await tx.done;
      return problem;
    }
    void meta.put(journaled, 'receipt');
    void meta.put(now, 'receiptAt');
    return this.#judge(tx, journaled, now, now);
  }

  async recheckReceipt(now: number): Promise<ReceiptOutcome> {
    const tx = this.db.transaction(['meta', 'votes'], 'readwrite');
    const meta = tx.objectStore('meta');
    const journaled = ((await meta.get('receipt')) as SeqRange[] | undefined) ?? [];
    // A store from before the re-check has no receiptAt: nothing to re-check (the timed resend covers it).
    const acceptedAt = ((await meta.get('receiptAt')) as number | undefined) ?? Number.NEGATIVE_INFINITY;
    return this.#judge(tx, journaled, acceptedAt, now);
  }

  // Applies a receipt accepted at `acceptedAt` to the sent votes (outbox.ts
  // afterRecheck, which is afterReceipt when acceptedAt = now) and commits.
  async #judge(tx: ReceiptTx, journaled: readonly SeqRange[], acceptedAt: number, now: number): Promise<ReceiptOutcome> {
    let done = 0;
    let resend = 0;
    let recheckAt: number | undefined;
    let cursor = await tx.objectStore('votes').index('state').openCursor('sent');
    while (cursor !== null) {
      const next = afterRecheck(cursor.value, journaled, acceptedAt, now);
      if (next !== cursor.value) {
        void cursor.update(next);
        if (next.state === 'done') done++;
        else resend++;
      }
      recheckAt = earliest(recheckAt, graceEnd(cursor.value, journaled, now, acceptedAt));
      cursor = await cursor.continue();
    }
    await tx.done;
    return { ok: true, done, resend, ...(recheckAt === undefined ? {} : { recheckAt }) };
  }

  async requeueUnconfirmed(now: number): Promise<number> {
    const tx = this.db.transaction('votes', 'readwrite');
    let n = 0;
    let cursor = await tx.store.index('state').openCursor('sent');
    while (cursor !== null) {
      if (resendDue(cursor.value) <= now) {
        void cursor.update({ ...cursor.value, state: 'ready' });
        n++;
      }
      cursor = await cursor.continue();
    }
    await tx.done;
    return n;
  }

  async tally(counter: string, month: string): Promise<Tally | undefined> {
    return this.db.get('tallies', tallyStoreKey(counter, month));
  }

  async mergeRemoteTally(remote: Tally): Promise<Tally> {
    const tx = this.db.transaction(['meta', 'tallies'], 'readwrite');
    const key = tallyStoreKey(remote.counter, remote.month);
    const local = await tx.objectStore('tallies').get(key);
    const merged = local === undefined ? remote : mergeTally(local, remote);
    if (merged !== local) void tx.objectStore('tallies').put(merged, key);
    const meta = tx.objectStore('meta');
    const hwm = ((await meta.get('hwm')) as number | undefined) ?? 0;
    // The broker has seen votes up to remote.seq: never hand those seqs out again.
    if (remote.seq > hwm) void meta.put(remote.seq, 'hwm');
    await tx.done;
    return merged;
  }

  async prune(before: number): Promise<number> {
    const tx = this.db.transaction('votes', 'readwrite');
    let cursor = await tx.store.index('state').openCursor('done');
    let n = 0;
    while (cursor !== null) {
      if ((cursor.value.doneAt ?? 0) < before) {
        void cursor.delete();
        n++;
      }
      cursor = await cursor.continue();
    }
    await tx.done;
    return n;
  }

  async stats(): Promise<OutboxStats> {
    const tx = this.db.transaction(['meta', 'votes'], 'readonly');
    const index = tx.objectStore('votes').index('state');
    const [ready, drafts, sent, hwm, lastDone] = await Promise.all([
      index.count('ready'),
      index.count('draft'),
      index.count('sent'),
      tx.objectStore('meta').get('hwm') as Promise<number | undefined>,
      index.openCursor('done', 'prev'),
    ]);
    await tx.done;
    const lastDoneAt = lastDone?.value.doneAt;
    return {
      pending: ready + drafts + sent,
      drafts,
      unconfirmed: sent,
      highWater: hwm ?? 0,
      ...(lastDoneAt === undefined ? {} : { lastDoneAt }),
    };
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.db.get('meta', key)) as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.db.put('meta', value, key);
  }

  close(): void {
    this.db.close();
  }

  async #finalizeIn(votes: VoteStore, seq: number, reasons: readonly string[]): Promise<boolean> {
    const row = await votes.get(seq);
    if (row === undefined || row.state !== 'draft') return false;
    await votes.put({ seq, state: 'ready', vote: withReasons(row.vote, reasons) });
    return true;
  }

  // Folds every stored vote above the fold pointer into its monthly tally, in
  // seq order (core applyVote needs that), stopping at the first draft: a
  // vote is folded exactly once, and before it can be published.
  async #fold(tx: WriteTx, levels: readonly LevelKey[]): Promise<void> {
    const meta = tx.objectStore('meta');
    const tallies = tx.objectStore('tallies');
    let folded = ((await meta.get('folded')) as number | undefined) ?? 0;
    const touched = new Map<string, Tally>();
    let cursor = await tx.objectStore('votes').openCursor(IDBKeyRange.lowerBound(folded, true));
    while (cursor !== null) {
      const row = cursor.value;
      if (row.state === 'draft') break;
      const v = row.vote;
      const month = localParts(v.pressedAt).monthKey;
      const key = tallyStoreKey(v.counter, month);
      const before = touched.get(key) ?? (await tallies.get(key)) ?? emptyTally(v, month, levels);
      touched.set(key, applyVote(before, v));
      folded = row.seq;
      cursor = await cursor.continue();
    }
    for (const [key, t] of touched) void tallies.put(t, key);
    void meta.put(folded, 'folded');
  }
}
