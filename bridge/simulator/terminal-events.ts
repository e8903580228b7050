/**
 * The typed event map of a VirtualTerminal, and the result of a press.
 * Listeners run synchronously inside the terminal; a listener may press,
 * reboot or stop the terminal.
 */
import type { DecodeError, Message } from '../../firmware-protocol/src/index.ts';
import type { StoredConfig } from './terminal-store.ts';

/**
 * Session phase: `off` (powered down), `hello` (HELLO every 2 s, no votes
 * sent), `session` (welcomed: votes flow), `refused` (the bridge refused the
 * version: no votes, slow HELLO; PROTOCOL.md §6.2).
 */
export type TerminalPhase = 'off' | 'hello' | 'session' | 'refused';

/** Why the phase changed. */
export type PhaseCause = 'power-on' | 'power-off' | 'welcome' | 'link-lost' | 'nak-hello' | 'nak-version' | 'welcome-version';

/** A press that became a stored vote. */
export interface PressAccepted {
  readonly ok: true;
  /** The vote's sequence number. */
  readonly seq: number;
  /** Flag letters (`''`, `C`, `G`, `CG`). */
  readonly flags: string;
  readonly button: number;
  readonly reason: number;
}

/** Why a press did not become a vote. */
export type PressRefusalCode =
  /** §7.4: the buffer holds `capacity` unacknowledged votes; no seq was used. */
  | 'buffer-full'
  /** §5.7: the button is above CONFIG `buttons`; no seq, no feedback. */
  | 'inactive-button'
  /** The terminal is off (between stop() and start()). */
  | 'powered-off'
  /** The store could not persist the vote, so it must not be thanked or sent. */
  | 'storage-failed';

/** A press that was refused, with a sentence for logs. */
export interface PressRefused {
  readonly ok: false;
  readonly code: PressRefusalCode;
  readonly message: string;
}

/** What `press()` returns. */
export type PressResult = PressAccepted | PressRefused;

/** What triggered a VOTE transmission. */
export type SendCause = 'first' | 'timeout' | 'nak' | 'session';

/** What the terminal did about a NAK. */
export type NakAction = 'resend-now' | 'backoff' | 'hello' | 'stop-voting' | 'ignored';

/** Typed events of a VirtualTerminal. */
export type VirtualTerminalEvents = {
  /** The session phase changed. */
  state: [{ readonly phase: TerminalPhase; readonly previous: TerminalPhase; readonly cause: PhaseCause }];
  /** A press became a stored vote (sent now, or queued). */
  pressed: [PressAccepted & { readonly pending: number }];
  /** A press was refused. */
  refused: [PressRefused & { readonly button: number }];
  /** A VOTE frame was written; `attempt` counts from 1; `ageMs` null = unknown (rebooted since the press). */
  'vote-sent': [{ readonly seq: number; readonly attempt: number; readonly ageMs: number | null; readonly cause: SendCause }];
  /**
   * A vote in flight was acknowledged (any status completes it, §7.2), once per vote: a cumulative
   * ACK (§7.7) emits one for each vote it completes, oldest first. `status` is the ACK's own for the
   * vote it names; the votes it covers below that report `OK` (their own status is not on the wire).
   */
  acked: [{ readonly seq: number; readonly status: string; readonly attempts: number; readonly pending: number }];
  /** A NAK arrived, and what the terminal did. */
  nak: [{ readonly seq: number; readonly reason: string; readonly action: NakAction }];
  /**
   * WELCOME's mark was at or above the terminal's next seq (its store was wiped): the pending
   * votes were renumbered above it, durably, before any was sent (PROTOCOL.md §7.6).
   */
  renumbered: [{ readonly mark: number; readonly from: readonly number[]; readonly to: readonly number[] }];
  /** A CONFIG was applied. */
  config: [StoredConfig];
  /** The gated window opened or closed by an OPEN message. */
  window: [{ readonly open: boolean; readonly windowMs: number }];
  /** A valid frame arrived (any direction's type). */
  'frame-in': [Message];
  /** A frame was written. */
  'frame-out': [Message];
  /** A line failed to decode; it was ignored (§9.3) and counted. */
  'frame-error': [DecodeError];
  /** 15 s (linkLostMs) without a valid frame from the bridge. */
  'link-lost': [];
  /** The last pending vote was acknowledged. */
  drained: [];
  /** The transport reported the cable up or down (informative). */
  link: [{ readonly up: boolean }];
};

/** Counters since the terminal object was created (they survive reboots: they are the simulator's, not the box's). */
export interface VirtualTerminalStats {
  /** Presses that became votes. */
  readonly presses: number;
  /** Refused presses by code. */
  readonly refused: Readonly<Record<PressRefusalCode, number>>;
  /** VOTE frames written (first sends and resends). */
  readonly votesSent: number;
  /** VOTE frames that were resends. */
  readonly resends: number;
  /** Votes completed by an ACK. */
  readonly acked: number;
  /** ACKs with status DUP among them. */
  readonly dupAcks: number;
  /** ACKs ignored (not for the in-flight seq). */
  readonly ignoredAcks: number;
  /** NAKs received. */
  readonly naks: number;
  readonly hellos: number;
  readonly pongs: number;
  readonly framesIn: number;
  readonly framesOut: number;
  /** Valid frames of the terminal's own direction (HELLO, VOTE, EVENT) received and ignored. */
  readonly ignoredFrames: number;
  /** Lines that failed to decode, in total and by code. */
  readonly decodeErrors: number;
  readonly decodeErrorsByCode: Readonly<Record<string, number>>;
  /** Times the link was declared lost. */
  readonly linkLost: number;
  /** Saves to the store that failed. */
  readonly storeErrors: number;
}

/** Press options. */
export interface PressOptions {
  /**
   * Follow-up reason code, 0..99 (0 = none). Button boxes send 0; a
   * touchscreen sends the reason chosen after a low rating (§5.3).
   * @default 0
   */
  reason?: number;
}
