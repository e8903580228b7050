/**
 * A fake clock for deterministic tests and replays: time moves only when
 * `advance` is called, timers fire in due order, and the I/O that a timer
 * starts (stream-pair deliveries, Node stream events) is let run between
 * timers, so a whole protocol exchange completes at the instant it would on
 * a fast link.
 */
import type { Clock, ClockTimer } from './clock.ts';

interface Pending {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/** Lets every queued microtask, `process.nextTick` and already-due immediate run. */
export function flushIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A Clock whose time is advanced explicitly. */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, Pending>();

  /** Starts at `startMs` (default 0; any value works, only differences matter). */
  constructor(startMs = 0) {
    this.time = startMs;
  }

  /** Current fake time. */
  now(): number {
    return this.time;
  }

  /** Schedules `fn` at now + `ms` (negative or NaN delays count as 0). */
  setTimer(fn: () => void, ms: number): ClockTimer {
    const id = this.nextId++;
    const delay = ms > 0 ? ms : 0;
    this.timers.set(id, { id, at: this.time + delay, fn });
    return { cancel: () => void this.timers.delete(id) };
  }

  /** Timers scheduled and not yet run or cancelled. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Lets pending I/O run without moving time (two rounds: a reply to a reply). */
  async flush(): Promise<void> {
    await flushIo();
    await flushIo();
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in order
   * (equal times in scheduling order) and flushing I/O after each one, so
   * timers scheduled by the I/O also fire if they fall inside the span.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`"ms" must be a number >= 0, got ${String(ms)}`);
    const target = this.time + ms;
    await this.flush();
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.at > target) break;
      this.timers.delete(next.id);
      this.time = next.at;
      next.fn();
      await this.flush();
    }
    this.time = target;
  }

  /** Advances to the next timer only (if any) and runs it; returns false when none is pending. */
  async step(): Promise<boolean> {
    const next = this.earliest();
    if (next === undefined) return false;
    await this.advance(next.at - this.time);
    return true;
  }

  private earliest(): Pending | undefined {
    let best: Pending | undefined;
    for (const t of this.timers.values()) {
      if (best === undefined || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t;
    }
    return best;
  }
}
