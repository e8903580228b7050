/**
 * The mutable counters behind `VirtualTerminal.stats`: the same fields as
 * the public `VirtualTerminalStats`, writable, and a snapshot that copies
 * them out so callers never hold the live records.
 */
import type { PressRefusalCode, VirtualTerminalStats } from './terminal-events.ts';

/** `VirtualTerminalStats` with writable fields and records. */
export type TerminalCounters = { -readonly [K in keyof VirtualTerminalStats]: VirtualTerminalStats[K] } & {
  refused: Record<PressRefusalCode, number>;
  decodeErrorsByCode: Record<string, number>;
};

/** Counters at zero. */
export function newCounters(): TerminalCounters {
  return {
    presses: 0,
    refused: { 'buffer-full': 0, 'inactive-button': 0, 'powered-off': 0, 'storage-failed': 0 },
    votesSent: 0,
    resends: 0,
    acked: 0,
    dupAcks: 0,
    ignoredAcks: 0,
    naks: 0,
    hellos: 0,
    pongs: 0,
    framesIn: 0,
    framesOut: 0,
    ignoredFrames: 0,
    decodeErrors: 0,
    decodeErrorsByCode: {},
    linkLost: 0,
    storeErrors: 0,
  };
}

/** A copy of the counters as the public, read-only stats. */
export function statsOf(c: TerminalCounters): VirtualTerminalStats {
  return { ...c, refused: { ...c.refused }, decodeErrorsByCode: { ...c.decodeErrorsByCode } };
}
