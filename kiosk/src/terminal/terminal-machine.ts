/**
 * The kiosk's rating logic as a PURE state machine: what the citizen sees
 * (rate → reasons → thank-you → idle), the cooldown and the gated window of
 * the terminal protocol (PROTOCOL.md §6.4, §6.5), and the records the
 * runtime must store. No I/O and no clock: every input carries `now`, so
 * tests drive it with fake time.
 *
 * Every tap on a level becomes exactly one record (filtered ones too): the
 * kiosk behaves like a button box, whose every press takes a seq (§7.1).
 */
import type { DossierStage, FilterReason, LevelKey, Scale } from '../../../core/index.ts';

/** Settings the machine runs with: the terminal config plus kiosk timings. */
export interface TerminalSettings {
  readonly scale: Scale;
  /** Presses this soon after the last unflagged press are flagged `cooldown` (0 = off). */
  readonly cooldownMs: number;
  readonly mode: 'open' | 'gated';
  /** Gated mode: how long `_served` opens rating. */
  readonly windowMs: number;
  /** Reason ids offered after an unsatisfied level (empty = no follow-up). */
  readonly reasons: readonly string[];
  /** How long the follow-up question waits before the vote is sent without reasons. */
  readonly reasonTimeoutMs: number;
  /** How long the thank-you screen stays before the idle reset. */
  readonly thanksMs: number;
  /** Taps on the follow-up ignored this long after it appears: the second half of a double tap is not a reason. */
  readonly reasonArmMs: number;
  /** How long a "not open yet" / "already recorded" notice stays. */
  readonly noticeMs: number;
}

/** Kiosk defaults for the timings (the rest comes from the terminal config). */
export const DEFAULT_TIMINGS = Object.freeze({
  reasonTimeoutMs: 20_000,
  thanksMs: 4000,
  reasonArmMs: 400,
  noticeMs: 3000,
});

/** Most reasons one vote may carry (core MAX_REASONS). */
const MAX_CHOSEN = 8;

/** How long a scanned dossier code waits for its vote before it is dropped (the citizen walked away). */
export const SCAN_HOLD_MS = 120_000;

/** A dossier code read from the receipt (issue 15). */
export interface Scanned {
  readonly dossier: string;
  readonly stage: DossierStage;
  readonly until: number;
}

/** The gated rating window. */
export interface Gate {
  /** Epoch ms when the window closes; 0 = closed. */
  readonly until: number;
  readonly ticket?: string;
  readonly officer?: string;
}

/** What the citizen sees. */
export type Screen =
  | { readonly kind: 'rate' }
  | {
      readonly kind: 'reasons';
      readonly level: LevelKey;
      /** The draft record awaiting its reasons (its seq, once stored). */
      readonly draft: number;
      readonly chosen: readonly string[];
      readonly armedAt: number;
      readonly until: number;
    }
  | { readonly kind: 'thanks'; readonly level: LevelKey; readonly until: number };

/** A short notice over the current screen. */
export interface Notice {
  readonly kind: 'gated' | 'recorded';
  readonly until: number;
}

/** The machine's state. */
export interface TerminalState {
  readonly settings: TerminalSettings;
  readonly screen: Screen;
  readonly gate: Gate;
  /** Time of the last press without a cooldown flag, or undefined (§6.5). */
  readonly lastUnflaggedAt?: number;
  /** A dossier code read from the citizen's receipt (scanner or camera), held for the next counted vote. */
  readonly scanned?: Scanned;
  readonly notice?: Notice;
}

/** A record the runtime must store durably BEFORE it shows the next state. */
export interface TapRecord {
  readonly level: LevelKey;
  readonly pressedAt: number;
  readonly filtered?: FilterReason;
  readonly ticket?: string;
  readonly officer?: string;
  /** The dossier this vote rates (a code scanned from the receipt). */
  readonly dossier?: string;
  readonly stage?: DossierStage;
  /** True: the vote waits for its reasons (stored as a draft, finalised later). */
  readonly draft: boolean;
  /** Draft only: when the runtime must finalise it even if the screen is gone (a killed tab). */
  readonly draftUntil?: number;
}

/** Side effects the runtime performs, in order. */
export type Effect =
  | { readonly type: 'record'; readonly record: TapRecord }
  | { readonly type: 'finalize'; readonly draft: number; readonly reasons: readonly string[] };

/** A transition: the next state plus effects to perform before showing it. */
export interface Step {
  readonly state: TerminalState;
  readonly effects: readonly Effect[];
}

/** The initial state. */
export function initialState(settings: TerminalSettings): TerminalState {
  return { settings, screen: { kind: 'rate' }, gate: { until: 0 } };
}

/** True when gated rating is open at `now` (always true in open mode). */
export function gateOpen(state: TerminalState, now: number): boolean {
  return state.settings.mode === 'open' || state.gate.until > now;
}

function unchanged(state: TerminalState): Step {
  return { state, effects: [] };
}

function isUnsatisfied(settings: TerminalSettings, level: LevelKey): boolean {
  return settings.scale.levels.find((l) => l.key === level)?.satisfied === false;
}

/**
 * A tap on a level button. Decides the filter flag (cooldown first, as a
 * misuse flag outranks the gate, then gated), consumes the gated window for
 * a counted vote, and moves to the follow-up or the thank-you screen.
 * A tap during the follow-up first finalises the pending vote with the
 * reasons chosen so far. A level not in the scale is a programmer error.
 */
export function tap(state: TerminalState, level: LevelKey, now: number): Step {
  const s = state.settings;
  if (!s.scale.levels.some((l) => l.key === level)) throw new RangeError(`level ${level} is not in scale ${s.scale.id}`);
  const effects: Effect[] = [];
  let current = state;
  if (current.screen.kind === 'reasons') {
    effects.push({ type: 'finalize', draft: current.screen.draft, reasons: current.screen.chosen });
    current = { ...current, screen: { kind: 'rate' } };
  }
  const inCooldown = s.cooldownMs > 0 && current.lastUnflaggedAt !== undefined && now - current.lastUnflaggedAt < s.cooldownMs;
  const open = gateOpen(current, now);
  const filtered: FilterReason | undefined = inCooldown ? 'cooldown' : open ? undefined : 'gated';
  const gate = current.gate;
  const base = {
    level,
    pressedAt: now,
    ...(gate.ticket !== undefined && s.mode === 'gated' && open ? { ticket: gate.ticket } : {}),
    ...(gate.officer !== undefined && s.mode === 'gated' && open ? { officer: gate.officer } : {}),
  };
  // The scanned code goes with the vote that counts, and only that one.
  const scanned = current.scanned !== undefined && current.scanned.until > now ? current.scanned : undefined;
  const rated = scanned === undefined ? base : { ...base, dossier: scanned.dossier, stage: scanned.stage };
  const lastUnflaggedAt = inCooldown ? current.lastUnflaggedAt : now;
  if (filtered !== undefined) {
    effects.push({ type: 'record', record: { ...base, filtered, draft: false } });
    const notice: Notice = { kind: filtered === 'gated' ? 'gated' : 'recorded', until: now + s.noticeMs };
    return { state: { ...current, ...(lastUnflaggedAt === undefined ? {} : { lastUnflaggedAt }), notice }, effects };
  }
  // A counted vote in gated mode closes the window (§6.4): one service, one vote.
  const nextGate: Gate = s.mode === 'gated' ? { until: 0 } : gate;
  const askReasons = s.reasons.length > 0 && isUnsatisfied(s, level);
  if (askReasons) {
    const until = now + s.reasonTimeoutMs;
    effects.push({ type: 'record', record: { ...rated, draft: true, draftUntil: until } });
    return {
      state: {
        settings: s,
        gate: nextGate,
        lastUnflaggedAt: now,
        // `draft` is filled in by `draftStored` once the outbox has given it a seq.
        screen: { kind: 'reasons', level, draft: 0, chosen: [], armedAt: now + s.reasonArmMs, until },
      },
      effects,
    };
  }
  effects.push({ type: 'record', record: { ...rated, draft: false } });
  return {
    state: { settings: s, gate: nextGate, lastUnflaggedAt: now, screen: { kind: 'thanks', level, until: now + s.thanksMs } },
    effects,
  };
}

/** Tells the machine the seq the outbox gave the draft awaiting reasons. */
export function draftStored(state: TerminalState, seq: number): TerminalState {
  if (state.screen.kind !== 'reasons') return state;
  return { ...state, screen: { ...state.screen, draft: seq } };
}

/** Toggles a reason on the follow-up screen (ignored before it is armed, or past 8 reasons). */
export function toggleReason(state: TerminalState, reason: string, now: number): Step {
  const screen = state.screen;
  if (screen.kind !== 'reasons' || now < screen.armedAt || !state.settings.reasons.includes(reason)) return unchanged(state);
  const has = screen.chosen.includes(reason);
  if (!has && screen.chosen.length >= MAX_CHOSEN) return unchanged(state);
  const chosen = has ? screen.chosen.filter((r) => r !== reason) : [...screen.chosen, reason];
  return { state: { ...state, screen: { ...screen, chosen } }, effects: [] };
}

/** "Gửi" (send) or "Bỏ qua" (skip, `skip: true`) on the follow-up: finalise the vote and thank. */
export function finishReasons(state: TerminalState, now: number, skip = false): Step {
  const screen = state.screen;
  if (screen.kind !== 'reasons' || now < screen.armedAt) return unchanged(state);
  return {
    state: { ...state, screen: { kind: 'thanks', level: screen.level, until: now + state.settings.thanksMs } },
    effects: [{ type: 'finalize', draft: screen.draft, reasons: skip ? [] : screen.chosen }],
  };
}

/** `_served`: in gated mode, opens (or restarts) the window for `windowMs` (§6.4). Ignored in open mode. */
export function served(state: TerminalState, now: number, event: { ticket?: string; officer?: string } = {}): TerminalState {
  if (state.settings.mode !== 'gated') return state;
  const gate: Gate = {
    until: now + state.settings.windowMs,
    ...(event.ticket === undefined ? {} : { ticket: event.ticket }),
    ...(event.officer === undefined ? {} : { officer: event.officer }),
  };
  const { notice: _dropped, ...rest } = state;
  return { ...rest, gate };
}

/**
 * A dossier code read from the receipt (a USB scanner typing it, or the
 * camera): held for the next counted vote, for SCAN_HOLD_MS. A new scan
 * replaces the previous one; an empty code clears it.
 */
export function scan(state: TerminalState, now: number, dossier: string | undefined, stage: DossierStage): TerminalState {
  const { scanned: _old, ...rest } = state;
  return dossier === undefined ? rest : { ...rest, scanned: { dossier, stage, until: now + SCAN_HOLD_MS } };
}

/** Applies new settings (a config arrived). Switching to gated starts with the window closed (§6.4). */
export function configure(state: TerminalState, settings: TerminalSettings): TerminalState {
  const gate = settings.mode === 'gated' && state.settings.mode !== 'gated' ? { until: 0 } : state.gate;
  return { ...state, settings, gate };
}

/**
 * Time passes: the follow-up times out (the vote is sent with the reasons
 * chosen so far: it counts either way), the thank-you screen resets, the
 * window and notices expire.
 */
export function tick(state: TerminalState, now: number): Step {
  let next = state;
  const effects: Effect[] = [];
  const screen = state.screen;
  if (screen.kind === 'reasons' && now >= screen.until) {
    effects.push({ type: 'finalize', draft: screen.draft, reasons: screen.chosen });
    next = { ...next, screen: { kind: 'thanks', level: screen.level, until: now + state.settings.thanksMs } };
  } else if (screen.kind === 'thanks' && now >= screen.until) {
    next = { ...next, screen: { kind: 'rate' } };
  }
  if (next.gate.until !== 0 && now >= next.gate.until) next = { ...next, gate: { until: 0 } };
  if (next.scanned !== undefined && now >= next.scanned.until) {
    const { scanned: _expired, ...rest } = next;
    next = rest;
  }
  if (next.notice !== undefined && now >= next.notice.until) {
    const { notice: _expired, ...rest } = next;
    next = rest;
  }
  return next === state ? unchanged(state) : { state: next, effects };
}

/** The next time `tick` has something to do, or undefined (for a single timer instead of polling). */
export function nextDeadline(state: TerminalState): number | undefined {
  const times: number[] = [];
  if (state.screen.kind !== 'rate') times.push(state.screen.until);
  if (state.gate.until !== 0) times.push(state.gate.until);
  if (state.notice !== undefined) times.push(state.notice.until);
  if (state.scanned !== undefined) times.push(state.scanned.until);
  return times.length === 0 ? undefined : Math.min(...times);
}
