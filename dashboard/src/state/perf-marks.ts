/**
 * Performance measures of the live path (`?perf=1`), read by the benches
 * (bench/hub-dashboard-cold-load.bench.ts): `hailong:message` spans from the
 * first handler of a task to the end of its render, and
 * `hailong:first-live-figure` marks the first tally on screen. Kept apart
 * from app-state.ts because it is instrumentation, not state: it never
 * changes what the dashboard shows.
 */

/** Records the measures of applied messages. */
export type PerfMarks = ReturnType<typeof createPerfMarks>;

/** Creates the recorder; with `enabled` false only the first-live-figure mark is set. */
export function createPerfMarks(enabled: boolean) {
  // Messages that arrive in one task (the bridge's vote and tally usually
  // share a WebSocket frame) are rendered in one microtask, so they are
  // measured together, from the first handler to the end of the render.
  let pending: { t0: number; kinds: string[] } | undefined;
  let firstLiveMarked = false;
  return {
    /** The start time of a message's handling (0 when not measuring). */
    start(): number {
      return enabled ? performance.now() : 0;
    },

    /** Records a handled message of `kind` (a topic kind, or `rejected`) that started at `t0`. */
    handled(t0: number, kind: string): void {
      if (enabled) {
        if (pending !== undefined) pending.kinds.push(kind);
        else {
          const m = (pending = { t0, kinds: [kind] });
          // Preact re-renders in a microtask and @preact/signals writes bound
          // text and attributes in a microtask queued from a microtask; this
          // two-step queue runs after both, when the DOM shows the new figures.
          queueMicrotask(() =>
            queueMicrotask(() => {
              pending = undefined;
              performance.measure('hailong:message', { start: m.t0, end: performance.now(), detail: m.kinds.join('+') });
            }),
          );
        }
      }
      if (!firstLiveMarked && kind === 'tally') {
        firstLiveMarked = true;
        queueMicrotask(() => queueMicrotask(() => performance.mark('hailong:first-live-figure')));
      }
    },
  };
}
