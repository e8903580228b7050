/**
 * The kiosk's problem counters and log (invariant 2: a clear message naming
 * what was wrong plus a visible counter): counted by code in the snapshot,
 * published in the retained status, listed on the staff page.
 *
 * Separate from kiosk-runtime.ts because it is the snapshot's bookkeeping,
 * not the runtime's sequencing.
 */
import type { KioskSnapshot } from './kiosk-snapshot.ts';

/** Problem messages kept for the staff page, newest first. */
const PROBLEM_LOG_SIZE = 20;

/** The snapshot patch counting one more `code` problem, with `detail` logged at `now`; also warns on the console. */
export function problemPatch(
  snapshot: KioskSnapshot,
  code: string,
  detail: string,
  now: number,
): Pick<KioskSnapshot, 'problems' | 'problemLog'> {
  // Codes become MQTT status keys: keep them short and plain.
  const key = code.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 32) || 'problem';
  const problems = { ...snapshot.problems, [key]: (snapshot.problems[key] ?? 0) + 1 };
  const problemLog = [`${new Date(now).toISOString()} ${key}: ${detail}`, ...snapshot.problemLog].slice(0, PROBLEM_LOG_SIZE);
  console.warn(`hailong-kiosk: ${key}: ${detail}`);
  return { problems, problemLog };
}
