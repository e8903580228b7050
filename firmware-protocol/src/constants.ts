/**
 * Every constant of the hailong terminal serial protocol v1, in one place so
 * that the TypeScript codec, the conformance vectors and the C codec agree.
 */

/** Protocol version spoken by this codec (HELLO/WELCOME `proto`). */
export const PROTOCOL_VERSION = 1;

/** Maximum frame length in bytes, from `$` through the last CRC digit (CRLF not counted). */
export const MAX_FRAME = 120;

/** Byte that starts every frame: `$`. */
export const START = 0x24;

/** Byte that separates TYPE and fields: `,`. */
export const SEPARATOR = 0x2c;

/** Byte that ends the CRC-covered body and introduces the CRC: `*`. */
export const CRC_DELIMITER = 0x2a;

/** Carriage return: optional on input before LF; senders always send it. */
export const CR = 0x0d;

/** Line feed: the byte that actually ends a line on input. */
export const LF = 0x0a;

/** Line terminator written by every sender. */
export const CRLF = '\r\n';

/** Lowest byte allowed inside a frame (`!`; space is deliberately excluded). */
export const MIN_FRAME_BYTE = 0x21;

/** Highest byte allowed inside a frame (`~`). */
export const MAX_FRAME_BYTE = 0x7e;

/** CRC-16/CCITT-FALSE generator polynomial. */
export const CRC_POLY = 0x1021;

/** CRC-16/CCITT-FALSE initial register value. */
export const CRC_INIT = 0xffff;

/** CRC-16/CCITT-FALSE check value: the CRC of the ASCII bytes "123456789". */
export const CRC_CHECK = 0x29b1;

/** Number of uppercase hex digits after `*`. */
export const CRC_DIGITS = 4;

/** Largest value any numeric field can carry on the wire (2^32 - 1). */
export const MAX_NUMBER = 4294967295;

/** Most decimal digits a numeric field may have. */
export const MAX_NUMBER_DIGITS = 10;

/** Shortest TYPE: `[A-Z][A-Z0-9]{1,9}`. */
export const TYPE_MIN_LENGTH = 2;

/** Longest TYPE: `[A-Z][A-Z0-9]{1,9}`. */
export const TYPE_MAX_LENGTH = 10;

/** VOTE `ageMs` wire value meaning "unknown" (the terminal rebooted since the press); decodes to `null`. */
export const AGE_UNKNOWN = 4294967295;

/** Wire value of an empty VOTE `flags` set; decodes to `''`. */
export const FLAGS_NONE = '-';

/** VOTE flag letter: pressed inside the cooldown. */
export const FLAG_COOLDOWN = 'C';

/** VOTE flag letter: pressed while the gated window was closed. */
export const FLAG_GATED = 'G';

/** Largest send window on the wire (HELLO/WELCOME `inFlight`, PROTOCOL.md §7.7). */
export const MAX_IN_FLIGHT = 64;

/** Send window of a session without `inFlight`: stop-and-wait (§7.2). */
export const DEFAULT_IN_FLIGHT = 1;

/** The reference bridge's largest granted send window (§7.7: 16 VOTEs are ~40 ms of wire at 115200 baud). */
export const BRIDGE_MAX_IN_FLIGHT = 16;

/** Reference firmware vote buffer size (EEPROM slots); informative, not enforced by the codec. */
export const TERMINAL_BUFFER_VOTES = 64;

/** ACK status: the vote was stored now. */
export const ACK_OK = 'OK';

/** ACK status: the vote was already stored earlier (idempotent resend). */
export const ACK_DUP = 'DUP';

/** ACK status: stored as rejected, never counted (button beyond the scale, seq jump; PROTOCOL.md §5.4). */
export const ACK_REJECT = 'REJECT';

/** NAK reasons the bridge sends; other well-formed codes are possible and decode fine. */
export const NAK_REASONS = ['CRC', 'FORMAT', 'RANGE', 'HELLO', 'TYPE', 'VERSION', 'STORAGE', 'BUSY', 'UID'] as const;

/** A NAK reason defined by protocol v1. */
export type NakReason = (typeof NAK_REASONS)[number];

/** EVENT codes defined by v1; other well-formed codes are possible and decode fine. */
export const EVENT_CODES = ['BOOT', 'STUCK', 'LOWV', 'FUSE', 'FULL'] as const;

/** EVENT BOOT values: the reset cause. */
export const BOOT_CAUSES = ['POWERON', 'EXTERNAL', 'BROWNOUT', 'WATCHDOG', 'SOFTWARE'] as const;

/** CONFIG `mode` values. */
export const MODES = ['OPEN', 'GATED'] as const;

/** Frame-level error codes, in the order they are checked. */
export const FRAME_ERROR_CODES = [
  'too-long',
  'missing-start',
  'bad-char',
  'missing-crc',
  'bad-hex',
  'bad-crc',
  'bad-type',
  'empty-field',
] as const;

/** Message-level error codes (the frame itself was valid), in the order they are checked. */
export const MESSAGE_ERROR_CODES = ['unknown-type', 'missing-field', 'bad-number', 'out-of-range', 'bad-token', 'bad-enum'] as const;

/** Stream-level error codes, produced only by the incremental FrameDecoder. */
export const STREAM_ERROR_CODES = ['truncated'] as const;

/** Every error code, exact strings shared by the TS and C codecs, in check order. */
export const ERROR_CODES = [...FRAME_ERROR_CODES, ...MESSAGE_ERROR_CODES, ...STREAM_ERROR_CODES] as const;

/** A protocol error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * NAK reason the bridge sends for a VOTE (or unreadable) frame that failed
 * with each code; `null` = never NAKed (unknown types are ignored so that a
 * newer terminal keeps working with an older bridge).
 */
export const NAK_REASON_BY_ERROR: Readonly<Record<ErrorCode, NakReason | null>> = {
  'too-long': 'FORMAT',
  'missing-start': 'FORMAT',
  'bad-char': 'FORMAT',
  'missing-crc': 'FORMAT',
  'bad-hex': 'FORMAT',
  'bad-crc': 'CRC',
  'bad-type': 'FORMAT',
  'empty-field': 'FORMAT',
  'unknown-type': null,
  'missing-field': 'FORMAT',
  'bad-number': 'FORMAT',
  'out-of-range': 'RANGE',
  'bad-token': 'FORMAT',
  'bad-enum': 'FORMAT',
  truncated: 'FORMAT',
};
