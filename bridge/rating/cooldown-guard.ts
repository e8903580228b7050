/**
 * The bridge's own cooldown check, behind the terminal's. A terminal flags
 * a press inside the cooldown itself (flag C, PROTOCOL.md §6.5); this guard
 * catches the presses of a box that does not (a third-party or buggy
 * firmware), so one citizen cannot vote many times in a row whatever box
 * they press. It errs towards counting: the press times it compares are
 * estimates (receive time − ageMs), so a margin is allowed, and presses of
 * unknown time are never flagged by it.
 */

/** Presses closer than cooldown minus this margin are flagged (ms): covers transmission jitter. */
export const COOLDOWN_MARGIN_MS = 250;

/** Remembers each terminal's last counted press. */
export class CooldownGuard {
  private readonly last = new Map<string, number>();

  /** True when a press at `pressedAt` came too soon after the terminal's last counted one. */
  tooSoon(terminal: string, pressedAt: number, cooldownMs: number): boolean {
    const last = this.last.get(terminal);
    if (last === undefined || cooldownMs <= COOLDOWN_MARGIN_MS) return false;
    const gap = pressedAt - last;
    return gap >= 0 && gap < cooldownMs - COOLDOWN_MARGIN_MS;
  }

  /** A counted (unfiltered) vote of `terminal` pressed at `pressedAt` was stored. */
  counted(terminal: string, pressedAt: number): void {
    this.last.set(terminal, Math.max(this.last.get(terminal) ?? 0, pressedAt));
  }
}
