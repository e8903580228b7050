/**
 * Error types of the codec: `DecodeError` results for bad input from the
 * wire (never thrown) and `ProtocolError` for invalid messages handed to the
 * encoder (a programmer error, thrown).
 */

import type { Err, Ok } from '../../core/result.ts';
import type { ErrorCode } from './constants.ts';
import type { Message } from './message.ts';

/** A successfully decoded frame. */
export interface DecodeOk extends Ok<Message> {
  /** The line as received, without terminator (FrameDecoder only; at most MAX_FRAME chars). */
  readonly raw?: string;
}

/**
 * A frame that failed to decode. `field` is the camelCase field name, or
 * `crc`, `type` or `line`. `type` is set once the CRC and TYPE checks passed
 * (so the bridge can decide whether to NAK); `seq` when that type has a `seq`
 * field and it decoded.
 */
export interface DecodeError extends Err<ErrorCode> {
  /** The frame's TYPE, when it was CRC-checked and well-formed. */
  readonly type?: string;
  /** The frame's valid `seq`, for `NAK,<seq>,<reason>`. */
  readonly seq?: number;
  /** The line as received, without terminator (FrameDecoder only; at most MAX_FRAME chars). */
  readonly raw?: string;
}

/** Outcome of decoding one line. */
export type DecodeResult = DecodeOk | DecodeError;

/** Thrown by the encoder for a message that does not satisfy the schema. */
export class ProtocolError extends Error {
  /** Machine-readable reason, one of the protocol error codes. */
  readonly code: ErrorCode;
  /** Offending field (`type` for an unknown message type). */
  readonly field: string;

  /** Creates the error; `message` should name the field. */
  constructor(code: ErrorCode, field: string, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.field = field;
  }
}
