/**
 * The "EEPROM" of a virtual terminal: what survives a power cycle. PROTOCOL.md
 * §7.1 requires the vote and its seq to be persisted before the VOTE is first
 * sent and the seq never to be reused; §5.7 says the last CONFIG SHOULD be
 * kept; §7.4 that the refused-press count SHOULD be kept. Press times are
 * deliberately not stored (§12: RAM only), which is why a vote sent after a
 * reboot carries ageMs "unknown".
 */
import { err, ok, type Result } from '../../core/result.ts';
import type { ConfigMessage } from '../../firmware-protocol/src/index.ts';

/** One stored, not yet acknowledged vote. */
export interface StoredVote {
  /** Sequence number, 1..4294967295. */
  readonly seq: number;
  /** Button pressed, 1..9. */
  readonly button: number;
  /** Reason code, 0..99. */
  readonly reason: number;
  /** Flag letters (`''`, `C`, `G`, `CG`). */
  readonly flags: string;
}

/** The last CONFIG applied, without its `type`. */
export type StoredConfig = Omit<ConfigMessage, 'type'>;

/** Everything a terminal persists, as one snapshot written atomically. */
export interface TerminalSnapshot {
  /** Format version of the snapshot. */
  readonly version: 1;
  /** Highest seq ever given to a press (0 on a brand-new terminal). */
  readonly lastSeq: number;
  /** Unacknowledged votes, oldest (lowest seq) first. */
  readonly pending: readonly StoredVote[];
  /** Last CONFIG received, or null for factory defaults. */
  readonly config: StoredConfig | null;
  /** Presses refused because the buffer was full and not yet reported by EVENT FULL. */
  readonly refused: number;
}

/** Why a stored snapshot could not be read. */
export type StoreErrorCode = 'corrupt-store' | 'store-unreadable';

/**
 * Non-volatile storage of one terminal. Synchronous on purpose: a press is
 * persisted before its VOTE leaves (§7.1), so `save` must have completed
 * when it returns; it throws when the write failed (the press is refused).
 */
export interface TerminalStore {
  /** The stored snapshot, `ok(undefined)` for a blank store; an Err for an unreadable one. */
  load(): Result<TerminalSnapshot | undefined, StoreErrorCode>;
  /** Replaces the snapshot; throws when it could not be written. */
  save(snapshot: TerminalSnapshot): void;
}

/** The default store: keeps the snapshot in memory, so it survives `reboot()` but not the process. */
export class MemoryTerminalStore implements TerminalStore {
  private snapshot: TerminalSnapshot | undefined;

  /** Starts blank, or from `initial` (e.g. to simulate a terminal with votes already waiting). */
  constructor(initial?: TerminalSnapshot) {
    this.snapshot = initial === undefined ? undefined : freezeSnapshot(initial);
  }

  load(): Result<TerminalSnapshot | undefined, StoreErrorCode> {
    return ok(this.snapshot);
  }

  save(snapshot: TerminalSnapshot): void {
    // Frozen copies: the terminal's RAM state and its "EEPROM" never share objects.
    this.snapshot = freezeSnapshot(snapshot);
  }
}

function freezeSnapshot(s: TerminalSnapshot): TerminalSnapshot {
  return Object.freeze({
    version: 1,
    lastSeq: s.lastSeq,
    pending: Object.freeze(s.pending.map((v) => Object.freeze({ seq: v.seq, button: v.button, reason: v.reason, flags: v.flags }))),
    config: s.config === null ? null : Object.freeze({ ...s.config }),
    refused: s.refused,
  });
}

const FLAGS_RE = /^[A-Z]{0,8}$/;
const MAX_U32 = 4294967295;

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * Checks an untrusted value (a parsed JSON file) as a snapshot. Never throws;
 * the error names the first bad field.
 */
export function parseSnapshot(value: unknown): Result<TerminalSnapshot, 'corrupt-store'> {
  const bad = (field: string, why: string) => err('corrupt-store' as const, `${field} ${why}`, field);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('snapshot', 'must be an object');
  const o = value as Record<string, unknown>;
  if (o.version !== 1) return bad('version', 'must be 1');
  if (!isInt(o.lastSeq, 0, MAX_U32)) return bad('lastSeq', 'must be an integer 0..4294967295');
  if (!isInt(o.refused, 0, Number.MAX_SAFE_INTEGER)) return bad('refused', 'must be an integer >= 0');
  if (!Array.isArray(o.pending)) return bad('pending', 'must be an array');
  const pending: StoredVote[] = [];
  let prev = 0;
  for (const [i, item] of o.pending.entries()) {
    const v = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const f = `pending[${i}]`;
    if (!isInt(v.seq, prev + 1, o.lastSeq))
      return bad(`${f}.seq`, `must be an integer above the previous seq and <= lastSeq (${o.lastSeq})`);
    if (!isInt(v.button, 1, 9)) return bad(`${f}.button`, 'must be an integer 1..9');
    if (!isInt(v.reason, 0, 99)) return bad(`${f}.reason`, 'must be an integer 0..99');
    if (typeof v.flags !== 'string' || !FLAGS_RE.test(v.flags)) return bad(`${f}.flags`, 'must be 0..8 letters A-Z');
    pending.push({ seq: v.seq, button: v.button, reason: v.reason, flags: v.flags });
    prev = v.seq;
  }
  let config: StoredConfig | null = null;
  if (o.config !== null) {
    const c = (typeof o.config === 'object' && o.config !== null ? o.config : {}) as Record<string, unknown>;
    if (!isInt(c.buttons, 2, 9)) return bad('config.buttons', 'must be an integer 2..9');
    if (!isInt(c.cooldownMs, 0, 600000)) return bad('config.cooldownMs', 'must be an integer 0..600000');
    if (c.mode !== 'OPEN' && c.mode !== 'GATED') return bad('config.mode', 'must be "OPEN" or "GATED"');
    if (!isInt(c.windowMs, 1000, 600000)) return bad('config.windowMs', 'must be an integer 1000..600000');
    if (typeof c.leds !== 'boolean') return bad('config.leds', 'must be a boolean');
    if (typeof c.buzzer !== 'boolean') return bad('config.buzzer', 'must be a boolean');
    config = { buttons: c.buttons, cooldownMs: c.cooldownMs, mode: c.mode, windowMs: c.windowMs, leds: c.leds, buzzer: c.buzzer };
  }
  return ok(freezeSnapshot({ version: 1, lastSeq: o.lastSeq, pending, config, refused: o.refused }));
}
