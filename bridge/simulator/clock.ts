/**
 * The clock seam of the simulator: every time reading and timer of a virtual
 * terminal or a simulation goes through a `Clock`, so unit tests can drive
 * protocol timings (2 s HELLO, 1..30 s backoff, 15 s link loss) in fake time
 * (ManualClock) while demos and benchmarks run on the system clock.
 */

/** A scheduled callback that can be cancelled. */
export interface ClockTimer {
  /** Cancels the callback; harmless after it ran or was cancelled. */
  cancel(): void;
}

/** Time source and one-shot timers. */
export interface Clock {
  /** Milliseconds on a clock that only moves forward in practice (differences are what matter). */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimer(fn: () => void, ms: number): ClockTimer;
}

/**
 * The system clock. It looks `setTimeout` and `Date.now` up at call time, not
 * import time, so vitest's fake timers (`vi.useFakeTimers()`) also drive it.
 * `Date.now` rather than `performance.now` for the same reason: vitest fakes
 * `Date` by default; a wall-clock jump only skews a simulated `ageMs`.
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimer(fn: () => void, ms: number): ClockTimer {
    const handle = globalThis.setTimeout(fn, Math.max(0, ms));
    return { cancel: () => globalThis.clearTimeout(handle) };
  },
});
