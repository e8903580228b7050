/**
 * The terminal's press rules: anti-misuse cooldown (flag C, PROTOCOL.md §6.5)
 * and the gated rating window (flag G, §6.4). Pure state over an injected
 * `now`, RAM only: after a reboot there is no cooldown reference and the
 * window is closed, as on the reference firmware.
 */
import { FLAG_COOLDOWN, FLAG_GATED } from '../../firmware-protocol/src/index.ts';
import type { StoredConfig } from './terminal-store.ts';

/** Cooldown and gated-window state of one terminal. */
export class PressRules {
  private config: StoredConfig;
  /** Time of the last press without a C flag (the cooldown reference), or null. */
  private lastUnflaggedAt: number | null = null;
  /** GATED mode: the window is open while now < windowUntil; null = closed. */
  private windowUntil: number | null = null;

  /** Starts with `config`; a GATED config starts with the window closed. */
  constructor(config: StoredConfig) {
    this.config = config;
  }

  /** The settings in force. */
  get settings(): StoredConfig {
    return this.config;
  }

  /** Applies a CONFIG: switching to GATED starts with the window closed (§6.4). */
  applyConfig(next: StoredConfig): void {
    if (next.mode !== 'GATED' || this.config.mode !== 'GATED') this.windowUntil = null;
    this.config = next;
  }

  /**
   * Handles OPEN,n: opens (or restarts) the window for n ms, or closes it for
   * n = 0. Returns false when ignored because the terminal is in OPEN mode.
   */
  open(windowMs: number, now: number): boolean {
    if (this.config.mode !== 'GATED') return false;
    this.windowUntil = windowMs > 0 ? now + windowMs : null;
    return true;
  }

  /** True in GATED mode while the window is open. */
  windowOpen(now: number): boolean {
    return this.config.mode === 'GATED' && this.windowUntil !== null && now < this.windowUntil;
  }

  /** The flags a press at `now` would get, alphabetical (`''`, `C`, `G`, `CG`); changes nothing. */
  flagsAt(now: number): string {
    const c = this.config.cooldownMs > 0 && this.lastUnflaggedAt !== null && now - this.lastUnflaggedAt < this.config.cooldownMs;
    const g = this.config.mode === 'GATED' && !this.windowOpen(now);
    return (c ? FLAG_COOLDOWN : '') + (g ? FLAG_GATED : '');
  }

  /**
   * Records a stored press with `flags` (from flagsAt): a press without C is
   * the new cooldown reference, and in an open window it is the one vote the
   * window was opened for, so the window closes (a C press leaves it open).
   */
  commit(now: number, flags: string): void {
    if (flags.includes(FLAG_COOLDOWN)) return;
    this.lastUnflaggedAt = now;
    if (this.windowOpen(now)) this.windowUntil = null;
  }
}
