/**
 * Work that must not delay the frame a citizen waits for: the kiosk thanks
 * the citizen first, then folds the tally and flushes the outbox (MQTT.js
 * encodes and sends on the main thread). The budget is tap → thank-you
 * painted ≤ 100 ms (bench/kiosk-tap.bench.ts).
 */

/**
 * Runs `job` after the next frame is painted (the task after its
 * requestAnimationFrame), or after 100 ms where no frame comes (a hidden
 * tab gets none; tests without a DOM). Runs it once either way.
 */
export function afterPaint(job: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    job();
  };
  globalThis.requestAnimationFrame?.(() => setTimeout(once, 0));
  setTimeout(once, 100);
}
