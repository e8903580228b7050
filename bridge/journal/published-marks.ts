/**
 * The outbox's published marks waiting to be written: rows the broker
 * PUBACKed ride in the next commit (a vote batch's, so under load they cost
 * no fsync of their own) or, when no batch comes, in a commit of their own
 * within `flushMs`. A mark lost in a crash only sends that vote again, which
 * consumers absorb by its id (docs/ARCHITECTURE.md, the box vote path); a
 * vote is never skipped. The journal (journal.ts) writes them.
 */

/** Rowids to mark published, and the timer that makes sure they are written. */
export class PublishedMarks {
  private pending: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  /**
   * `flush` commits the waiting marks (the journal's empty batch); `canArm`
   * says whether a timer may be armed now (false while the journal is closed).
   */
  constructor(
    private readonly flushMs: number,
    private readonly canArm: () => boolean,
    private readonly flush: () => void,
  ) {}

  /** Rows the broker PUBACKed: written with the next commit, or within `flushMs`. */
  defer(rowids: readonly number[]): void {
    for (const id of rowids) this.pending.push(id);
    this.arm();
  }

  /** The marks for the commit being built; the timer is not needed until more come. */
  take(): number[] {
    const marks = this.pending;
    this.pending = [];
    this.disarm();
    return marks;
  }

  /** The commit that took `marks` failed: they wait for the next one. */
  putBack(marks: readonly number[]): void {
    this.pending.push(...marks);
    if (marks.length > 0) this.arm();
  }

  /** Stops the timer (the journal closes; its last flush took the marks). */
  disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer !== undefined || !this.canArm()) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending.length > 0) this.flush();
    }, this.flushMs);
    this.timer.unref();
  }
}
