/**
 * Incremental decoder for a serial byte stream: splits lines on LF (CR
 * optional), resynchronises on every `$`, reports noise, and never holds more
 * than MAX_FRAME bytes however long a line runs.
 */

import { err } from '../../core/result.ts';
import { CR, ERROR_CODES, LF, MAX_FRAME, START, type ErrorCode } from './constants.ts';
import { decodeFrame } from './decode.ts';
import type { DecodeError, DecodeResult } from './error.ts';
import { bytesToString } from './field.ts';

/** Counters kept by a FrameDecoder since it was created. */
export interface DecoderStats {
  /** Bytes pushed. */
  readonly bytesIn: number;
  /** Frames that decoded to a message. */
  readonly framesOk: number;
  /** Bytes of lines that produced an error (noise, bad frames, unknown types); terminators not counted. */
  readonly bytesDropped: number;
  /** Results per error code. */
  readonly errors: Readonly<Record<ErrorCode, number>>;
}

/** Options of a FrameDecoder. */
export interface FrameDecoderOptions {
  /** Attach the received line as `raw` to every result (default true; off saves a string per frame). */
  readonly raw?: boolean;
}

/** Between lines: nothing buffered. */
const IDLE = 0;
/** In a run of bytes before any `$` (reported as `missing-start`). */
const NOISE = 1;
/** In a frame that still fits the buffer. */
const FRAME = 2;
/** In a frame longer than MAX_FRAME: bytes are counted, not stored. */
const OVERFLOW = 3;

/**
 * Turns arbitrary chunks of a serial stream into decode results, in order.
 * Blank lines are ignored; a `$` inside a frame reports `truncated` and
 * starts a new frame; an overlong line reports `too-long` once when it ends.
 */
export class FrameDecoder {
  /** The current line's first MAX_FRAME bytes: the only buffer, allocated once. */
  private readonly buf = new Uint8Array(MAX_FRAME);
  /** Bytes stored in `buf`. */
  private len = 0;
  /** Bytes of the current line so far, stored or not. */
  private count = 0;
  private state = IDLE;
  /** A CR was seen: it is a terminator if LF follows, otherwise a data byte. */
  private pendingCr = false;
  private readonly withRaw: boolean;
  private bytesIn = 0;
  private framesOk = 0;
  private bytesDropped = 0;
  private readonly errors: Record<ErrorCode, number>;

  /** Creates a decoder in the between-lines state. */
  constructor(options: FrameDecoderOptions = {}) {
    this.withRaw = options.raw ?? true;
    this.errors = Object.fromEntries(ERROR_CODES.map((c) => [c, 0])) as Record<ErrorCode, number>;
  }

  /** Feeds one chunk; returns the results of every line the chunk completed (often none). */
  push(chunk: Uint8Array): DecodeResult[] {
    const out: DecodeResult[] = [];
    const buf = this.buf;
    this.bytesIn += chunk.length;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.state === FRAME && !this.pendingCr) {
        // Fast path: copy the run of ordinary frame bytes with the length in a local;
        // stop at a terminator, a control byte, a `$`, or when the buffer is full.
        let len = this.len;
        const stop = Math.min(n, i + MAX_FRAME - len);
        const from = i;
        while (i < stop) {
          const c = chunk[i]!;
          if (c <= CR || c === START) break;
          buf[len++] = c;
          i++;
        }
        this.len = len;
        this.count += i - from;
        if (i >= n) break;
      }
      const b = chunk[i++]!;
      if (b === LF) {
        this.endLine(out);
        continue;
      }
      if (this.pendingCr) {
        // The CR was not followed by LF, so it belongs to the line (and makes a frame bad-char).
        this.pendingCr = false;
        this.data(CR, out);
      }
      if (b === CR) this.pendingCr = true;
      else this.data(b, out);
    }
    return out;
  }

  /** Counters since creation (a snapshot). */
  get stats(): DecoderStats {
    return {
      bytesIn: this.bytesIn,
      framesOk: this.framesOk,
      bytesDropped: this.bytesDropped,
      errors: { ...this.errors },
    };
  }

  /** Bytes currently held for the unfinished line; never more than MAX_FRAME. */
  get buffered(): number {
    return this.len;
  }

  /** Discards any unfinished line (e.g. the port closed), counting its bytes as dropped. */
  reset(): void {
    this.bytesDropped += this.count + (this.pendingCr ? 1 : 0);
    this.state = IDLE;
    this.len = 0;
    this.count = 0;
    this.pendingCr = false;
  }

  /** One line byte other than the terminator. */
  private data(b: number, out: DecodeResult[]): void {
    if (b === START) {
      // A `$` always starts a frame; whatever was in progress ends here.
      if (this.state !== IDLE) this.finish(out, true);
      this.state = FRAME;
      this.buf[0] = START;
      this.len = 1;
      this.count = 1;
      return;
    }
    this.count++;
    if (this.state === IDLE) this.state = NOISE;
    if (this.len < MAX_FRAME) this.buf[this.len++] = b;
    else if (this.state === FRAME) this.state = OVERFLOW;
    // Noise beyond MAX_FRAME bytes is only counted: its raw text is capped anyway.
  }

  /** LF: ends the line (a CR just before it was the terminator, not data). */
  private endLine(out: DecodeResult[]): void {
    this.pendingCr = false;
    // A bare LF or CRLF between lines is a blank line: ignored silently.
    if (this.state !== IDLE) this.finish(out, false);
  }

  /** Reports the current line and returns to IDLE; `interrupted` = ended by a `$`, not LF. */
  private finish(out: DecodeResult[], interrupted: boolean): void {
    const raw = this.withRaw ? bytesToString(this.buf, 0, this.len) : undefined;
    let result: DecodeResult;
    if (this.state === FRAME && !interrupted) {
      result = decodeFrame(this.buf, 0, this.len, raw);
    } else if (this.state === FRAME) {
      result = streamError('truncated', `frame interrupted by "$" after ${this.count} bytes`, raw);
    } else if (this.state === OVERFLOW) {
      result = streamError('too-long', `frame is ${this.count} bytes, longer than the ${MAX_FRAME}-byte maximum`, raw);
    } else {
      result = streamError('missing-start', `${this.count} bytes outside any frame (no "$")`, raw);
    }
    if (result.ok) this.framesOk++;
    else {
      this.errors[result.code]++;
      this.bytesDropped += this.count;
    }
    out.push(result);
    this.state = IDLE;
    this.len = 0;
    this.count = 0;
  }
}

/** A stream-level error on the whole line. */
function streamError(code: ErrorCode, message: string, raw: string | undefined): DecodeError {
  const e = err(code, message, 'line');
  return raw === undefined ? e : { ...e, raw };
}
