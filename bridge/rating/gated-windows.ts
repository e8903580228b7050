/**
 * Gated-window coordination across a counter's boxes: a `served` event
 * opens the rating window of every box at its counter, and one counted
 * vote (from a box or a kiosk) closes the others: one service, one vote.
 * Separate from ward-bridge.ts so the rule is in one place for all three
 * triggers.
 */
import type { TerminalSession } from '../serial/terminal-session.ts';

/**
 * Opens (`windowMs` > 0) or closes (0) the window of every session at
 * `counterId`, by the terminal id that session speaks for; `voted` (the
 * session whose vote counted) and its terminal are left alone.
 */
export function setCounterWindows(
  owners: ReadonlyMap<string, TerminalSession>,
  counterId: string | undefined,
  windowMs: number,
  voted?: TerminalSession,
): void {
  for (const [id, session] of owners) {
    if (voted !== undefined && (session === voted || id === voted.identified?.id)) continue;
    if (session.identified?.counter.id === counterId) session.openWindow(windowMs);
  }
}
