/**
 * A terminal's link watchdog (PROTOCOL.md §6.3): every valid frame from the
 * bridge feeds it; `linkLostMs` (15 s by default) without one calls `onLost`,
 * which sends the terminal back to the HELLO phase.
 */
import type { Clock, ClockTimer } from './clock.ts';

/** One-shot timer re-armed by each frame from the bridge. */
export class LinkWatchdog {
  private timer: ClockTimer | null = null;

  /** Assigns only; the first `feed()` arms it. */
  constructor(
    private readonly clock: Clock,
    private readonly linkLostMs: number,
    private readonly onLost: () => void,
  ) {}

  /** A frame proved the link: `linkLostMs` start again. */
  feed(): void {
    this.timer?.cancel();
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.onLost();
    }, this.linkLostMs);
  }

  /** Disarms it; harmless when disarmed. */
  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}
