/**
 * The appends of the journal's other writers (kiosks, QR votes, the demo's
 * history) waiting for the next group commit: everything appended in one
 * event-loop turn joins one transaction, one fsync (`Journal.commitBatch`,
 * docs/ARCHITECTURE.md "The box vote path"). Each append's promise settles
 * only after that commit, with its outcome.
 */
import type { AppendOutcome, VoteInput } from './vote-input.ts';

/** One queued append and how to settle it. */
export interface PendingAppend {
  readonly input: VoteInput;
  readonly resolve: (outcome: AppendOutcome) => void;
}

/** Appends queued until the commit the queue schedules for the turn after the first. */
export class AppendQueue {
  private queue: PendingAppend[] = [];
  private scheduled = false;

  /** `commit` runs the group commit (which `take()`s the queue). */
  constructor(private readonly commit: () => void) {}

  /** Queues `input`; the first append of a turn schedules the commit for the next (`setImmediate`). */
  append(input: VoteInput): Promise<AppendOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ input, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        // Everything that arrives in this event-loop turn joins one commit.
        setImmediate(() => this.commit());
      }
    });
  }

  /** The appends for the commit being built; the next append schedules a commit again. */
  take(): PendingAppend[] {
    this.scheduled = false;
    const queued = this.queue;
    this.queue = [];
    return queued;
  }
}
