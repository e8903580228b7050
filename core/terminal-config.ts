/**
 * Per-terminal configuration, retained on `…/{terminal}/config`: the kiosk
 * reads it directly and the bridge translates it into the serial CONFIG
 * message for button boxes. Ranges match the serial protocol's CONFIG.
 */
import { idListAt } from './ids.ts';
import { decodeWith, enumAt, intIn, objectAt, requiredField, versionOne } from './json-input.ts';
import type { InputResult } from './json-input.ts';
import { DEFAULT_SCALE, builtinScale, readScale } from './scale.ts';
import type { Scale } from './scale.ts';

/** `open`: every press is a vote; `gated`: only presses shortly after a `_served` event. */
export type RatingMode = 'open' | 'gated';

/** The config payload (v1). */
export interface TerminalConfig {
  readonly v: 1;
  /** A built-in scale id (`scale-3`) — keeps the retained message small — or a full scale. */
  readonly scale: string | Scale;
  /** Presses this soon after a vote are flagged `cooldown` (0..600000 ms). */
  readonly cooldownMs: number;
  readonly mode: RatingMode;
  /** Gated mode: how long a `_served` event keeps rating open (1000..600000 ms). */
  readonly windowMs: number;
  /** Reason ids offered after a low rating, in display order (at most 32). */
  readonly reasons: readonly string[];
}

/** Allowed values of `mode`. */
export const RATING_MODES: readonly RatingMode[] = ['open', 'gated'];

/** Most reasons a config may offer. */
export const MAX_CONFIG_REASONS = 32;

/** Longest config accepted as JSON text (a full 5-level scale with labels fits easily). */
export const CONFIG_MAX_CHARS = 8192;

/** What a terminal uses before any config arrives: official scale, open mode, 30 s to rate after service. */
export const DEFAULT_TERMINAL_CONFIG: TerminalConfig = Object.freeze({
  v: 1,
  scale: DEFAULT_SCALE.id,
  cooldownMs: 3000,
  mode: 'open',
  windowMs: 30_000,
  reasons: Object.freeze([]),
});

/** The scale a config names (built-in ids resolve to the built-in scale). */
export function configScale(config: TerminalConfig): Scale {
  if (typeof config.scale !== 'string') return config.scale;
  const found = builtinScale(config.scale);
  if (found === undefined) throw new RangeError(`config.scale ${config.scale} is not a built-in scale`);
  return found;
}

function readConfigScale(value: unknown): string | Scale {
  // Ids stay ids (small retained payload, round-trips unchanged); a bare
  // level count becomes its id; objects are validated in full.
  const scale = readScale(value, 'scale');
  return typeof value === 'object' ? scale : scale.id;
}

function readConfig(root: unknown): TerminalConfig {
  const o = objectAt(root, undefined);
  return {
    v: versionOne(o),
    scale: readConfigScale(requiredField(o, 'scale', 'scale')),
    cooldownMs: intIn(requiredField(o, 'cooldownMs', 'cooldownMs'), 'cooldownMs', 0, 600_000),
    mode: enumAt(requiredField(o, 'mode', 'mode'), 'mode', RATING_MODES),
    windowMs: intIn(requiredField(o, 'windowMs', 'windowMs'), 'windowMs', 1000, 600_000),
    reasons: idListAt(requiredField(o, 'reasons', 'reasons'), 'reasons', MAX_CONFIG_REASONS),
  };
}

/** Validates a terminal config payload (JSON text or value); never throws. */
export function parseTerminalConfig(input: unknown): InputResult<TerminalConfig> {
  return decodeWith(input, CONFIG_MAX_CHARS, readConfig);
}
