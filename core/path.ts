/**
 * Where a vote comes from: district → ward → counter → terminal. Counter
 * ids are unique within a ward, ward ids within a district, so a place is
 * always named by its full path, written `d/w/c/t` in group keys.
 */
import { requireId } from './ids.ts';

/** A district and a ward: the scope of one bridge. */
export interface WardPath {
  readonly district: string;
  readonly ward: string;
}

/** A service counter (quầy) in a ward office. */
export interface CounterPath extends WardPath {
  readonly counter: string;
}

/** One rating terminal (button box or kiosk) at a counter. */
export interface TerminalPath extends CounterPath {
  readonly terminal: string;
}

/** `d/w/c/t`: the group key of a terminal. */
export function terminalKey(p: TerminalPath): string {
  return `${p.district}/${p.ward}/${p.counter}/${p.terminal}`;
}

/** `d/w/c`: the group key of a counter. */
export function counterKey(p: CounterPath): string {
  return `${p.district}/${p.ward}/${p.counter}`;
}

/** `d/w`: the group key of a ward. */
export function wardKey(p: WardPath): string {
  return `${p.district}/${p.ward}`;
}

/** True when both name the same terminal. */
export function sameTerminal(a: TerminalPath, b: TerminalPath): boolean {
  return a.terminal === b.terminal && a.counter === b.counter && a.ward === b.ward && a.district === b.district;
}

/** Copies only the four path fields (dropping anything else the object carries). */
export function terminalPathOf(p: TerminalPath): TerminalPath {
  return { district: p.district, ward: p.ward, counter: p.counter, terminal: p.terminal };
}

/** Asserts a terminal path passed by a programmer; throws naming `argument.field`. */
export function requireTerminalPath(p: TerminalPath, argument: string): TerminalPath {
  if (typeof p !== 'object' || p === null) throw new TypeError(`${argument} must be a terminal path object`);
  return {
    district: requireId(p.district, `${argument}.district`),
    ward: requireId(p.ward, `${argument}.ward`),
    counter: requireId(p.counter, `${argument}.counter`),
    terminal: requireId(p.terminal, `${argument}.terminal`),
  };
}
