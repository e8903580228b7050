/**
 * The seam between a serial protocol session and the rest of the bridge:
 * everything a `TerminalSession` needs is passed in, so unit tests drive a
 * session with a fake port and fake storage, and the bridge wires the real
 * journal, config and counter state.
 */
import type { ConfigMessage, HelloMessage, VoteMessage } from '../../firmware-protocol/src/message.ts';
import type { PlacedTerminal } from '../config/hailong-config.ts';
import type { VoteSink } from './vote-pipeline.ts';

/**
 * Why a HELLO was refused: the device is not (or not here) one of the
 * office's terminals, or (`uid-conflict`) its uid is live on another port.
 */
export type RefusalCode = 'unknown-uid' | 'wrong-port' | 'wrong-uid' | 'uid-conflict';

/** The outcome of identifying a HELLO. */
export type Identification =
  | { readonly ok: true; readonly terminal: PlacedTerminal }
  | { readonly ok: false; readonly code: RefusalCode; readonly message: string };

/** What a session calls out to. */
export interface SessionContext {
  /** The port this session runs on (path as configured or found). */
  readonly portPath: string;
  /** Writes bytes to the port (a closed port drops them). */
  write(bytes: Uint8Array): void;
  /** Matches a HELLO's uid to a configured terminal, honouring port pins. */
  identify(hello: HelloMessage, portPath: string): Identification;
  /** The CONFIG to send a terminal after WELCOME (and when settings change). */
  configFor(terminal: PlacedTerminal, hello: HelloMessage): ConfigMessage;
  /** Remaining ms of the counter's open gated window at `now` (0 = closed). */
  openWindowMs(terminal: PlacedTerminal, now: number): number;
  /**
   * The highest device seq stored for `uid` (0 = none), sent in WELCOME so a
   * box whose EEPROM was wiped continues above it (PROTOCOL.md §7.6).
   */
  highWaterMark(uid: string): number;
  /**
   * Hands a decoded VOTE to the vote pipeline (vote-pipeline.ts); its answer
   * comes back through `sink.settle` after its batch committed (never
   * before: durable before ACK).
   */
  submitVote(sink: VoteSink, terminal: PlacedTerminal, uid: string, vote: VoteMessage, receivedAt: number): void;
  /** Milliseconds since the epoch. */
  now(): number;
}
