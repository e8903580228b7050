/**
 * Turns a VOTE frame into what the journal stores: the press time from the
 * frame's age, the level from the button, the reason id from the office's
 * list, the filter flags (the terminal's C/G, plus the counter's
 * one-vote-per-service rule), and the officer on duty at the press.
 */
import type { LevelKey, Scale } from '../../core/scale.ts';
import type { FilterReason } from '../../core/vote.ts';
import { FLAG_COOLDOWN, FLAG_GATED } from '../../firmware-protocol/src/constants.ts';
import type { VoteMessage } from '../../firmware-protocol/src/message.ts';
import type { HailongConfig, PlacedTerminal } from '../config/hailong-config.ts';
import type { TerminalPath } from '../../core/path.ts';
import type { VoteInput } from '../journal/vote-input.ts';
import type { CounterState } from './counter-state.ts';
import type { CooldownGuard } from './cooldown-guard.ts';

/** A vote the office cannot store as is (the session NAKs it RANGE). */
export interface IntakeRefusal {
  readonly code: 'out-of-range';
  readonly message: string;
}

/** The reason id for a wire reason number (1-based into the office's list). */
export function reasonId(reasons: readonly string[], n: number): string | undefined {
  if (n === 0) return undefined;
  // An index beyond the list still names something, so it is kept, not dropped.
  return reasons[n - 1] ?? `ly-do-${n}`;
}

/** The terminal's own filter flag: cooldown wins over gated (a press has one reason to be left out). */
export function terminalFilter(flags: string): FilterReason | undefined {
  if (flags.includes(FLAG_COOLDOWN)) return 'cooldown';
  if (flags.includes(FLAG_GATED)) return 'gated';
  return undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A terminal's place, built once per terminal and config (it is the same for every vote; read only). */
const paths = new WeakMap<PlacedTerminal, { readonly config: HailongConfig; readonly path: TerminalPath }>();

function pathOf(config: HailongConfig, terminal: PlacedTerminal): TerminalPath {
  const known = paths.get(terminal);
  if (known !== undefined && known.config === config) return known.path;
  const path: TerminalPath = Object.freeze({
    district: config.district.id,
    ward: config.ward.id,
    counter: terminal.counter.id,
    terminal: terminal.id,
  });
  paths.set(terminal, { config, path });
  return path;
}

/** Builds the journal input for a VOTE, or a refusal. */
export function voteInputOf(
  config: HailongConfig,
  scale: Scale,
  counters: CounterState,
  terminal: PlacedTerminal,
  uid: string,
  vote: VoteMessage,
  receivedAt: number,
  cooldown?: Pick<CooldownGuard, 'tooSoon'>,
): VoteInput | IntakeRefusal {
  const level: LevelKey | undefined = scale.levels[vote.button - 1]?.key;
  if (level === undefined) {
    return { code: 'out-of-range', message: `button ${vote.button} is beyond the ${scale.levels.length}-level scale ${scale.id}` };
  }
  const uncertain = vote.ageMs === null;
  const pressedAt = Math.max(0, receivedAt - (vote.ageMs ?? 0));
  let filter = terminalFilter(vote.flags);
  // A box that does not flag its own cooldown presses is caught here; a
  // press flagged this way does not use up a gated window either.
  if (filter === undefined && !uncertain && cooldown?.tooSoon(terminal.id, pressedAt, config.rating.cooldownMs) === true)
    filter = 'cooldown';
  const verdict = counters.judge(terminal.counter.id, terminal.counter.mode === 'gated', pressedAt, filter);
  const reason = reasonId(config.rating.reasons, vote.reason);
  // Optional fields assigned one by one, not spread: this runs per vote,
  // and each `...(x ? {} : {…})` is a garbage object (issue 14: GC was
  // ~15 % of the bridge's CPU per vote).
  const input: Mutable<VoteInput> = {
    uid,
    deviceSeq: vote.seq,
    path: pathOf(config, terminal),
    level,
    pressedAt,
    receivedAt,
    source: 'button',
  };
  if (reason !== undefined) input.reasons = [reason];
  if (verdict.officer !== undefined) input.officer = verdict.officer;
  if (verdict.ticket !== undefined) input.ticket = verdict.ticket;
  if (verdict.dossier !== undefined) {
    input.dossier = verdict.dossier;
    if (verdict.stage !== undefined) input.stage = verdict.stage;
  }
  if (verdict.filtered !== undefined) input.filtered = verdict.filtered;
  if (uncertain) input.timeUncertain = true;
  return input;
}
