/** The terminal machine's settings from the retained config and the kiosk's own options. */
import { DEFAULT_SCALE, DEFAULT_TERMINAL_CONFIG, STANDARD_REASON_IDS, configScale } from '../../../core/index.ts';
import type { Scale, TerminalConfig } from '../../../core/index.ts';
import type { KioskOptions } from '../identity/kiosk-options.ts';
import { DEFAULT_TIMINGS } from '../terminal/terminal-machine.ts';
import type { TerminalSettings } from '../terminal/terminal-machine.ts';

/**
 * Settings for `config` (undefined before any config arrived: terminal
 * defaults, and the standard reasons; a config's reason list is used as is,
 * so an empty one turns the follow-up off).
 */
export function settingsFrom(config: TerminalConfig | undefined, options: KioskOptions): TerminalSettings {
  const c = config ?? DEFAULT_TERMINAL_CONFIG;
  let scale: Scale = DEFAULT_SCALE;
  try {
    scale = configScale(c);
  } catch {
    // A validated config always names a known scale; keep the default otherwise.
  }
  return {
    scale,
    cooldownMs: c.cooldownMs,
    mode: c.mode,
    windowMs: c.windowMs,
    // Before any config arrives the kiosk offers the standard reasons; a config's list is used as is.
    reasons: config === undefined ? STANDARD_REASON_IDS : config.reasons,
    reasonTimeoutMs: options.reasonTimeoutMs,
    thanksMs: options.thanksMs,
    reasonArmMs: DEFAULT_TIMINGS.reasonArmMs,
    noticeMs: DEFAULT_TIMINGS.noticeMs,
  };
}
