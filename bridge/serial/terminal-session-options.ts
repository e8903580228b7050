/**
 * The options of a port's protocol session (terminal-session.ts): its
 * PROTOCOL.md §6.3 timings, the rate of NAKs for noise and the largest send
 * window it grants (§7.7), resolved and checked once.
 */
import { BRIDGE_MAX_IN_FLIGHT, MAX_IN_FLIGHT } from '../../firmware-protocol/src/constants.ts';

/** Options of `TerminalSession`. */
export interface TerminalSessionOptions {
  /**
   * How often the bridge PINGs an identified terminal (PROTOCOL.md §6.3).
   * @default 5000
   */
  readonly pingIntervalMs?: number;
  /**
   * Silence after which the terminal is offline (PROTOCOL.md §6.3).
   * @default 15000
   */
  readonly offlineAfterMs?: number;
  /**
   * Most NAKs for unreadable frames per second: a port full of noise must
   * not turn into a flood of replies.
   * @default 10
   */
  readonly maxNoiseNaksPerSecond?: number;
  /**
   * Largest send window granted to a terminal that asks for one in HELLO (PROTOCOL.md §7.7);
   * 1 keeps every box at stop-and-wait.
   * @default 16
   */
  readonly maxInFlight?: number;
}

/** `TerminalSessionOptions` with every default applied. */
export type ResolvedSessionOptions = Readonly<Required<TerminalSessionOptions>>;

/** Resolves `TerminalSessionOptions` once; throws a TypeError naming the option that is not a positive integer or is above the protocol's window. */
export function resolveSessionOptions(options: TerminalSessionOptions = {}): ResolvedSessionOptions {
  const o = {
    pingIntervalMs: options.pingIntervalMs ?? 5000,
    offlineAfterMs: options.offlineAfterMs ?? 15_000,
    maxNoiseNaksPerSecond: options.maxNoiseNaksPerSecond ?? 10,
    maxInFlight: options.maxInFlight ?? BRIDGE_MAX_IN_FLIGHT,
  };
  for (const [name, value] of Object.entries(o)) {
    if (!Number.isInteger(value) || value <= 0) throw new TypeError(`"${name}" must be a positive integer`);
  }
  if (o.maxInFlight > MAX_IN_FLIGHT) throw new TypeError(`"maxInFlight" must be at most ${MAX_IN_FLIGHT} (PROTOCOL.md §7.7)`);
  return Object.freeze(o);
}
