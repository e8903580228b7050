/**
 * An in-memory Outbox for unit tests (the IndexedDB adapter has its own
 * tests in idb-outbox.test.ts). Its row transitions are outbox.ts's pure
 * rules, the same the IndexedDB adapter applies.
 */
import type { LevelKey, SeqRange, Tally, Vote } from '../../../core/index.ts';
import {
  afterPuback,
  afterRecheck,
  buildVote,
  earliest,
  graceEnd,
  receiptProblem,
  resendDue,
  withReasons,
} from '../../../kiosk/src/outbox/outbox.ts';
import type { NewVote, Outbox, OutboxRow, OutboxStats, ReceiptOutcome } from '../../../kiosk/src/outbox/outbox.ts';

/** The fake, with its rows exposed and an optional failure switch. */
export class MemoryOutbox implements Outbox {
  rows = new Map<number, OutboxRow>();
  meta = new Map<string, unknown>();
  hwm = 0;
  /** When set, `record` rejects with it (a full or broken disk). */
  failRecord: Error | undefined;
  /** Called inside `record` before it resolves (to observe ordering). */
  onRecord: ((v: Vote) => void) | undefined;

  async record(input: NewVote, now: number): Promise<Vote> {
    if (this.failRecord) throw this.failRecord;
    const seq = ++this.hwm;
    const vote = buildVote(input, seq, now);
    this.rows.set(seq, input.draft ? { seq, state: 'draft', vote, draftUntil: input.draftUntil ?? 0 } : { seq, state: 'ready', vote });
    this.onRecord?.(vote);
    return vote;
  }
  async finalize(seq: number, reasons: readonly string[]): Promise<boolean> {
    const row = this.rows.get(seq);
    if (row?.state !== 'draft') return false;
    this.rows.set(seq, { seq, state: 'ready', vote: withReasons(row.vote, reasons) });
    return true;
  }
  async finalizeExpired(now: number): Promise<number> {
    let n = 0;
    for (const row of this.rows.values())
      if (row.state === 'draft' && (row.draftUntil ?? 0) <= now && (await this.finalize(row.seq, []))) n++;
    return n;
  }
  async fold(_levels: readonly LevelKey[]): Promise<void> {}
  async pending(limit: number): Promise<Vote[]> {
    const out: Vote[] = [];
    for (const row of [...this.rows.values()].sort((a, b) => a.seq - b.seq)) {
      if (row.state === 'draft') break;
      if (row.state === 'ready') {
        out.push(row.vote);
        this.offeredHigh = Math.max(this.offeredHigh, row.seq);
      }
      if (out.length >= limit) break;
    }
    return out;
  }
  sentHigh = 0;
  /** Highest seq handed out by pending() (the IndexedDB adapter keeps it in memory too). */
  offeredHigh = 0;
  receipt: readonly SeqRange[] = [];
  async markSent(seq: number, now: number): Promise<void> {
    const row = this.rows.get(seq);
    if (row?.state !== 'ready') return;
    this.rows.set(seq, afterPuback(row, this.receipt, now));
    this.sentHigh = Math.max(this.sentHigh, seq);
  }
  /** When the last receipt was accepted (the IndexedDB adapter's `receiptAt`). */
  receiptAt = Number.NEGATIVE_INFINITY;
  async applyReceipt(journaled: readonly SeqRange[], now: number): Promise<ReceiptOutcome> {
    const problem = receiptProblem(journaled, Math.max(this.sentHigh, this.offeredHigh), this.hwm);
    if (problem !== undefined) return problem;
    this.receipt = journaled;
    this.receiptAt = now;
    return this.#judge(now);
  }
  async recheckReceipt(now: number): Promise<ReceiptOutcome> {
    return this.#judge(now);
  }
  #judge(now: number): ReceiptOutcome {
    let done = 0;
    let resend = 0;
    let recheckAt: number | undefined;
    for (const row of [...this.rows.values()]) {
      recheckAt = earliest(recheckAt, graceEnd(row, this.receipt, now, this.receiptAt));
      const next = afterRecheck(row, this.receipt, this.receiptAt, now);
      if (next === row) continue;
      this.rows.set(row.seq, next);
      if (next.state === 'done') done++;
      else resend++;
    }
    return { ok: true, done, resend, ...(recheckAt === undefined ? {} : { recheckAt }) };
  }
  async requeueUnconfirmed(now: number): Promise<number> {
    let n = 0;
    for (const row of [...this.rows.values()]) {
      if (row.state === 'sent' && resendDue(row) <= now) {
        this.rows.set(row.seq, { ...row, state: 'ready' });
        n++;
      }
    }
    return n;
  }
  async tally(): Promise<Tally | undefined> {
    return undefined;
  }
  async mergeRemoteTally(remote: Tally): Promise<Tally> {
    this.hwm = Math.max(this.hwm, remote.seq);
    return remote;
  }
  async prune(): Promise<number> {
    return 0;
  }
  async stats(): Promise<OutboxStats> {
    const rows = [...this.rows.values()];
    return {
      pending: rows.filter((r) => r.state !== 'done').length,
      drafts: rows.filter((r) => r.state === 'draft').length,
      unconfirmed: rows.filter((r) => r.state === 'sent').length,
      highWater: this.hwm,
    };
  }
  async getMeta<T>(key: string): Promise<T | undefined> {
    return this.meta.get(key) as T | undefined;
  }
  async setMeta(key: string, value: unknown): Promise<void> {
    this.meta.set(key, value);
  }
  close(): void {}
  state(seq: number): string | undefined {
    return this.rows.get(seq)?.state;
  }
}
