/**
 * Decodes one line (a frame without its CR/LF terminator) into a message or
 * a typed error. Never throws. Checks run in the order the protocol fixes;
 * the first failing check wins.
 */

import { err, ok } from '../../core/result.ts';
import {
  CRC_DELIMITER,
  CRC_DIGITS,
  CRC_INIT,
  MAX_FRAME,
  MAX_FRAME_BYTE,
  MIN_FRAME_BYTE,
  SEPARATOR,
  START,
  type ErrorCode,
} from './constants.ts';
import { crc16Update, formatCrc } from './crc16.ts';
import type { DecodeError, DecodeResult } from './error.ts';
import { TOKENS, type TokenGrammar, bytesToString, isTokenBytes, isTypeBytes, parseNumber, stringToBytes } from './field.ts';
import { type FieldSpec, type Message, type MessageType, MESSAGE_TYPES, SEQ_FIELD, requiredFields, schemaOf } from './message.ts';

// Field kinds as small integers, and every field spec compiled into one
// class: the hot loop then sees a single object shape (monomorphic loads)
// instead of six differently shaped table entries.
const NUM = 0;
const NULLABLE = 1;
const BOOL = 2;
const TOKEN = 3;
const FLAGS = 4;
const ENUM = 5;

/** A schema field prepared for decoding. */
class CompiledField {
  constructor(
    readonly name: string,
    readonly kind: number,
    /** Smallest valid wire value (numeric kinds). */
    readonly min: number,
    /** Largest valid wire value (numeric kinds); for NULLABLE it is the null sentinel. */
    readonly max: number,
    /** Token grammar (TOKEN and FLAGS kinds). */
    readonly grammar: TokenGrammar,
    /** Allowed words (ENUM kind). */
    readonly values: readonly string[],
  ) {}
}

function compileField(f: FieldSpec): CompiledField {
  switch (f.kind) {
    case 'num':
      return new CompiledField(f.name, NUM, f.min, f.max, TOKENS.flags, []);
    case 'nullable':
      return new CompiledField(f.name, NULLABLE, f.min, f.max, TOKENS.flags, []);
    case 'bool':
      return new CompiledField(f.name, BOOL, 0, 1, TOKENS.flags, []);
    case 'token':
      return new CompiledField(f.name, TOKEN, 0, 0, TOKENS[f.token], []);
    case 'flags':
      return new CompiledField(f.name, FLAGS, 0, 0, TOKENS.flags, []);
    case 'enum':
      return new CompiledField(f.name, ENUM, 0, 0, TOKENS.flags, f.values);
  }
}

/** A known TYPE prepared for byte-level lookup. */
interface TypeEntry {
  readonly type: MessageType;
  readonly bytes: Uint8Array;
  readonly fields: readonly CompiledField[];
  /** Index of the `seq` field, or -1. */
  readonly seqIndex: number;
  /** Fields a frame must carry; later ones are optional trailing fields (§10). */
  readonly required: number;
}

/** Cheap 32-bit hash of TYPE bytes; lookups confirm byte equality, so collisions are harmless. */
function typeHash(bytes: Uint8Array, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + bytes[i]!) | 0;
  return h;
}

/** Known TYPEs by hash: avoids building a string per frame just to find its schema. */
const TYPES_BY_HASH: Map<number, TypeEntry> = new Map();
for (const type of MESSAGE_TYPES) {
  const bytes = stringToBytes(type);
  const fields = schemaOf(type).map(compileField);
  TYPES_BY_HASH.set(typeHash(bytes, 0, bytes.length), {
    type,
    bytes,
    fields,
    seqIndex: fields.findIndex((f) => f.name === SEQ_FIELD),
    required: requiredFields(schemaOf(type)),
  });
}

function lookupType(bytes: Uint8Array, start: number, end: number): TypeEntry | undefined {
  const entry = TYPES_BY_HASH.get(typeHash(bytes, start, end));
  if (entry === undefined || entry.bytes.length !== end - start) return undefined;
  for (let i = 0; i < entry.bytes.length; i++) if (entry.bytes[i] !== bytes[start + i]) return undefined;
  return entry;
}

/** Separator positions of the frame being decoded (module scratch: decoding is synchronous, never re-entered). */
const commas = new Int32Array(MAX_FRAME);
/** Byte copy of a string line (at most MAX_FRAME chars are ever copied). */
const scratch = new Uint8Array(MAX_FRAME);

// Byte classes for the frame scan.
const ORDINARY = 0;
const BAD = 1;
const STAR = 2;
const COMMA = 3;

/** Class of every byte value inside a frame (after the leading `$`). */
const BYTE_CLASS: Uint8Array = (() => {
  const cls = new Uint8Array(256).fill(BAD);
  for (let c = MIN_FRAME_BYTE; c <= MAX_FRAME_BYTE; c++) cls[c] = ORDINARY;
  cls[START] = BAD; // a second `$` means two frames ran together
  cls[CRC_DELIMITER] = STAR;
  cls[SEPARATOR] = COMMA;
  return cls;
})();

/** The `bad-char` error for the byte at `bytes[i]`. */
function badChar(bytes: Uint8Array, start: number, i: number, raw: string | undefined): DecodeError {
  const c = bytes[i]!;
  const what = c === START ? 'a second "$"' : `byte ${showByte(c)}`;
  return fail('bad-char', 'line', `${what} at offset ${i - start} is not allowed in a frame`, raw);
}

/** Value of one uppercase hex digit, or -1 (lowercase is not canonical). */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Builds an error result; optional properties are omitted rather than set to undefined. */
function fail(code: ErrorCode, field: string, message: string, raw: string | undefined, type?: string, seq?: number): DecodeError {
  const base: DecodeError = err(code, message, field);
  if (raw === undefined && type === undefined) return base;
  const out: { -readonly [K in keyof DecodeError]: DecodeError[K] } = { ...base };
  if (type !== undefined) out.type = type;
  if (seq !== undefined) out.seq = seq;
  if (raw !== undefined) out.raw = raw;
  return out;
}

/** The `too-long` error for a line of `len` bytes. */
function tooLong(len: number, raw: string | undefined): DecodeError {
  return fail('too-long', 'line', `frame is ${len} bytes, longer than the ${MAX_FRAME}-byte maximum`, raw);
}

/** Printable form of one byte for error messages. */
function showByte(c: number): string {
  return c >= MIN_FRAME_BYTE && c <= MAX_FRAME_BYTE ? `"${String.fromCharCode(c)}"` : `0x${c.toString(16).padStart(2, '0')}`;
}

/**
 * Decodes one line: the frame from `$` through the last CRC digit, without
 * CR/LF (a terminator byte inside the line is `bad-char`). A string is read
 * as one byte per UTF-16 code unit. Never throws.
 */
export function decode(line: string | Uint8Array): DecodeResult {
  if (typeof line === 'string') {
    // Length first (the protocol checks it first), so huge strings are never copied.
    if (line.length > MAX_FRAME) return tooLong(line.length, undefined);
    stringToBytes(line, scratch);
    return decodeFrame(scratch, 0, line.length, undefined);
  }
  return decodeFrame(line, 0, line.length, undefined);
}

/**
 * Decodes `bytes[start..end)` (one line without terminator) in place: no
 * copy, no slicing (the FrameDecoder's entry point). `raw`, when given, is
 * put on the result. Never throws; the range is clamped to the array.
 */
export function decodeFrame(bytes: Uint8Array, start: number, end: number, raw?: string): DecodeResult {
  // Clamping keeps every later index inside the array, whatever a caller passes.
  if (end > bytes.length) end = bytes.length;
  if (!(start >= 0)) start = 0;
  const len = end - start;
  if (len > MAX_FRAME) return tooLong(len, raw);
  if (!(len > 0) || bytes[start] !== START) return fail('missing-start', 'line', 'line does not begin with "$"', raw);

  // Up to the first `*`: classify each byte with one table load, record the
  // separators and run the CRC. After it: only look for bad bytes. A bad byte
  // anywhere wins over every later check, so nothing else is reported early.
  let crc = CRC_INIT;
  let nComma = 0;
  let i = start + 1;
  for (; i < end; i++) {
    const c = bytes[i]!;
    const k = BYTE_CLASS[c]!;
    if (k !== ORDINARY) {
      if (k === BAD) return badChar(bytes, start, i, raw);
      if (k === STAR) break;
      commas[nComma++] = i;
    }
    crc = crc16Update(crc, c);
  }
  const star = i;
  for (i++; i < end; i++) if (BYTE_CLASS[bytes[i]!] === BAD) return badChar(bytes, start, i, raw);
  if (star >= end) return fail('missing-crc', 'crc', 'no "*" before the CRC', raw);
  if (end - star - 1 !== CRC_DIGITS) {
    return fail('missing-crc', 'crc', `"*" must be followed by exactly ${CRC_DIGITS} CRC digits, got ${end - star - 1}`, raw);
  }
  let wire = 0;
  for (let j = star + 1; j < end; j++) {
    const d = hexDigit(bytes[j]!);
    if (d < 0) {
      return fail('bad-hex', 'crc', `CRC "${bytesToString(bytes, star + 1, end)}" is not 4 uppercase hex digits`, raw);
    }
    wire = (wire << 4) | d;
  }
  if (crc !== wire) {
    return fail('bad-crc', 'crc', `CRC mismatch: frame says ${formatCrc(wire)}, body gives ${formatCrc(crc)}`, raw);
  }

  const typeEnd = nComma > 0 ? commas[0]! : star;
  if (!isTypeBytes(bytes, start + 1, typeEnd)) {
    return fail('bad-type', 'type', `TYPE "${bytesToString(bytes, start + 1, typeEnd)}" does not match [A-Z][A-Z0-9]{1,9}`, raw);
  }
  const entry = lookupType(bytes, start + 1, typeEnd);
  // Field k (0-based, after TYPE) spans commas[k]+1 .. next separator or `*`.
  for (let k = 0; k < nComma; k++) {
    const fieldEnd = k + 1 < nComma ? commas[k + 1]! : star;
    if (commas[k]! + 1 === fieldEnd) {
      const name = entry?.fields[k]?.name;
      const type = entry?.type ?? bytesToString(bytes, start + 1, typeEnd);
      const label = name === undefined ? `field ${k + 1}` : `field ${k + 1} ("${name}")`;
      const seq = entry === undefined ? undefined : readSeq(entry, bytes, nComma, star);
      return fail('empty-field', name ?? 'line', `${label} is empty`, raw, type, seq);
    }
  }

  if (entry === undefined) {
    const type = bytesToString(bytes, start + 1, typeEnd);
    return fail('unknown-type', 'type', `unknown message type "${type}"`, raw, type);
  }
  const fields = entry.fields;
  if (nComma < entry.required) {
    const seq = readSeq(entry, bytes, nComma, star);
    const message = `${entry.type} needs ${entry.required} fields, got ${nComma}: "${fields[nComma]!.name}" is missing`;
    return fail('missing-field', fields[nComma]!.name, message, raw, entry.type, seq);
  }

  // Left to right; extra trailing fields (minor-version additions) are ignored.
  const msg: Record<string, unknown> = { type: entry.type };
  // Optional trailing fields the frame does not carry stay absent.
  const present = nComma < fields.length ? nComma : fields.length;
  for (let k = 0; k < present; k++) {
    const f = fields[k]!;
    const fs = commas[k]! + 1;
    const fe = k + 1 < nComma ? commas[k + 1]! : star;
    let value: unknown;
    switch (f.kind) {
      case NUM:
      case NULLABLE:
      case BOOL: {
        const n = parseNumber(bytes, fs, fe);
        if (n < 0) {
          const message = `"${f.name}" must be a canonical decimal 0..4294967295, got "${bytesToString(bytes, fs, fe)}"`;
          return fieldFail('bad-number', f, message, entry, bytes, nComma, star, raw);
        }
        if (n < f.min || n > f.max) {
          const message = `"${f.name}" is ${n}, outside ${f.min}..${f.max}`;
          return fieldFail('out-of-range', f, message, entry, bytes, nComma, star, raw);
        }
        value = f.kind === NUM ? n : f.kind === BOOL ? n === 1 : n === f.max ? null : n;
        break;
      }
      case TOKEN: {
        if (!isTokenBytes(f.grammar, bytes, fs, fe)) {
          return fieldFail('bad-token', f, `"${f.name}" must match ${f.grammar.pattern}`, entry, bytes, nComma, star, raw);
        }
        value = bytesToString(bytes, fs, fe);
        break;
      }
      case FLAGS: {
        // `-` is the empty set; anything else must be flag letters.
        if (fe - fs === 1 && bytes[fs] === 0x2d) value = '';
        else if (isTokenBytes(f.grammar, bytes, fs, fe)) value = bytesToString(bytes, fs, fe);
        else return fieldFail('bad-token', f, `"${f.name}" must be "-" or match [A-Z]{1,8}`, entry, bytes, nComma, star, raw);
        break;
      }
      default: {
        value = matchWord(f.values, bytes, fs, fe);
        if (value === undefined) {
          return fieldFail('bad-enum', f, `"${f.name}" must be one of ${f.values.join(', ')}`, entry, bytes, nComma, star, raw);
        }
      }
    }
    msg[f.name] = value;
  }
  // The schema table is typed against the Message shapes, so this object is one of them.
  const message = msg as unknown as Message;
  return raw === undefined ? ok(message) : { ok: true, value: message, raw };
}

/** Error in field `f` of a known type: carries the type and, when readable, the seq. */
function fieldFail(
  code: ErrorCode,
  f: CompiledField,
  message: string,
  entry: TypeEntry,
  bytes: Uint8Array,
  nComma: number,
  star: number,
  raw: string | undefined,
): DecodeError {
  return fail(code, f.name, message, raw, entry.type, readSeq(entry, bytes, nComma, star));
}

/** The frame's `seq` when its type has one and that field is present and valid; otherwise undefined. */
function readSeq(entry: TypeEntry, bytes: Uint8Array, nComma: number, star: number): number | undefined {
  const k = entry.seqIndex;
  if (k < 0 || k >= nComma) return undefined;
  const f = entry.fields[k]!;
  const n = parseNumber(bytes, commas[k]! + 1, k + 1 < nComma ? commas[k + 1]! : star);
  return n >= f.min && n <= f.max ? n : undefined;
}

/** The word of `values` spelled by `bytes[start..end)` (the table's own string, no allocation), or undefined. */
function matchWord(values: readonly string[], bytes: Uint8Array, start: number, end: number): string | undefined {
  outer: for (const word of values) {
    if (word.length !== end - start) continue;
    for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) !== bytes[start + i]) continue outer;
    return word;
  }
  return undefined;
}
