/**
 * Protocol v1 messages: their TypeScript shapes and the one field table that
 * drives decoding, encoding and validation (nothing is written twice).
 */

import { AGE_UNKNOWN, MAX_IN_FLIGHT, MAX_NUMBER, MODES } from './constants.ts';
import type { TokenKind } from './field.ts';

/** Terminal → bridge: introduces the terminal after power-up (repeated every 2 s until WELCOME). */
export interface HelloMessage {
  readonly type: 'HELLO';
  /** Highest protocol version the terminal speaks, 1..255. */
  readonly proto: number;
  /** Factory-unique terminal id. */
  readonly uid: string;
  /** Terminal model. */
  readonly model: string;
  /** Firmware version. */
  readonly firmware: string;
  /** Number of buttons fitted, 2..9. */
  readonly buttons: number;
  /** Stored votes not yet acknowledged, 0..65535. */
  readonly pending: number;
  /**
   * Send window asked for (revision 1.1, §7.7): the most VOTEs the terminal can keep in flight,
   * 1..64; absent = 1 (stop-and-wait). It is also the terminal's Wmax in the §7.6 rule.
   */
  readonly inFlight?: number;
}

/** Bridge → terminal: the version both sides will use, min(terminal's, bridge's). */
export interface WelcomeMessage {
  readonly type: 'WELCOME';
  /** Agreed protocol version, 1..255. */
  readonly proto: number;
  /**
   * The bridge's high-water mark for this uid (highest device seq stored), 0 = none; absent when
   * the bridge predates it. A box whose next seq is at or below it continues above it (§7.6).
   */
  readonly mark?: number;
  /**
   * Send window granted for this session (revision 1.1, §7.7), 1..64; absent = 1. Sent only with
   * `mark` (fields are positional) and only in answer to a HELLO that carried `inFlight`.
   */
  readonly inFlight?: number;
}

/** Terminal → bridge: one button press. */
export interface VoteMessage {
  readonly type: 'VOTE';
  /** Press sequence number, 1..4294967295, never reused. */
  readonly seq: number;
  /** Button pressed, 1..9 (1 = leftmost = best level). */
  readonly button: number;
  /** Reason code, 0..99 (0 = none). */
  readonly reason: number;
  /** Milliseconds since the press, 0..4294967294; `null` = unknown (rebooted since; 4294967295 on the wire). */
  readonly ageMs: number | null;
  /** Flag letters as sent (`C` cooldown, `G` gated); `''` = none (`-` on the wire). */
  readonly flags: string;
}

/** Bridge → terminal: the vote `seq` is stored. */
export interface AckMessage {
  readonly type: 'ACK';
  /** Acknowledged sequence number, 1..4294967295. */
  readonly seq: number;
  /** `OK` stored now, `DUP` stored earlier; other codes possible. */
  readonly status: string;
}

/** Bridge → terminal: the frame was refused. */
export interface NakMessage {
  readonly type: 'NAK';
  /** Refused sequence number, 0..4294967295 (0 = no readable seq). */
  readonly seq: number;
  /** Reason code (`CRC`, `FORMAT`, `RANGE`, ...). */
  readonly reason: string;
}

/** Either side: liveness probe. */
export interface PingMessage {
  readonly type: 'PING';
  /** Opaque value echoed by PONG, 0..4294967295. */
  readonly nonce: number;
}

/** Either side: answer to PING. */
export interface PongMessage {
  readonly type: 'PONG';
  /** The PING's nonce. */
  readonly nonce: number;
}

/** Bridge → terminal: behaviour settings. */
export interface ConfigMessage {
  readonly type: 'CONFIG';
  /** Buttons in use, 2..9. */
  readonly buttons: number;
  /** Minimum time between counted presses, 0..600000 ms. */
  readonly cooldownMs: number;
  /** `OPEN`: always accept; `GATED`: accept one vote per window opened by an OPEN message. */
  readonly mode: 'OPEN' | 'GATED';
  /** Default gated window length, 1000..600000 ms. */
  readonly windowMs: number;
  /** Feedback LEDs on. */
  readonly leds: boolean;
  /** Feedback buzzer on. */
  readonly buzzer: boolean;
}

/** Bridge → terminal (gated mode): open the rating window for one vote. */
export interface OpenMessage {
  readonly type: 'OPEN';
  /** Window length, 0..600000 ms (0 closes it). */
  readonly windowMs: number;
}

/** Terminal → bridge: a notable event (`BOOT`, `STUCK`, `LOWV`, `FULL`, ...). */
export interface EventMessage {
  readonly type: 'EVENT';
  /** Event code. */
  readonly code: string;
  /** Event detail (reset cause, button number, millivolts, count). */
  readonly value: string;
}

/** Any protocol v1 message: the decode output and the encode input. */
export type Message =
  | HelloMessage
  | WelcomeMessage
  | VoteMessage
  | AckMessage
  | NakMessage
  | PingMessage
  | PongMessage
  | ConfigMessage
  | OpenMessage
  | EventMessage;

/** A message TYPE known to protocol v1. */
export type MessageType = Message['type'];

/** The message shape of one TYPE. */
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

/** Numeric field: canonical decimal within `min..max`. */
export interface NumField<N extends string = string> {
  readonly name: N;
  readonly kind: 'num';
  readonly min: number;
  readonly max: number;
  /**
   * A trailing field added by a minor revision (§10): a frame without it still decodes (the
   * property is then absent), and the encoder leaves it out when the property is undefined.
   * Only the last fields of a message may be optional.
   */
  readonly optional?: true;
}

/** Numeric field whose maximum wire value means "unknown" and decodes to `null`. */
export interface NullableNumField<N extends string = string> {
  readonly name: N;
  readonly kind: 'nullable';
  readonly min: number;
  /** Largest wire value; it is the `null` sentinel, so real values stop one below. */
  readonly max: number;
}

/** Switch field: wire `0`/`1`, decoded as a boolean. */
export interface BoolField<N extends string = string> {
  readonly name: N;
  readonly kind: 'bool';
}

/** Token field: a string matching one of the token grammars. */
export interface TokenField<N extends string = string> {
  readonly name: N;
  readonly kind: 'token';
  readonly token: TokenKind;
}

/** Flag-set field: `-` for none (decoded as `''`) or flag letters. */
export interface FlagsField<N extends string = string> {
  readonly name: N;
  readonly kind: 'flags';
}

/** Enumerated field: exactly one of a few words. */
export interface EnumField<N extends string = string> {
  readonly name: N;
  readonly kind: 'enum';
  readonly values: readonly string[];
}

/** One field of a message schema. */
export type FieldSpec<N extends string = string> =
  | NumField<N>
  | NullableNumField<N>
  | BoolField<N>
  | TokenField<N>
  | FlagsField<N>
  | EnumField<N>;

/** The field kinds a property of type `V` may use, so the table cannot disagree with the shapes. */
type SpecFor<V, N extends string> = undefined extends V
  ? NumField<N> & { readonly optional: true }
  : [V] extends [boolean]
    ? BoolField<N>
    : null extends V
      ? NullableNumField<N>
      : [V] extends [number]
        ? NumField<N>
        : TokenField<N> | FlagsField<N> | EnumField<N>;

/** Field names of a message shape (everything but `type`). */
type FieldName<M> = Exclude<keyof M, 'type'> & string;

/** Number of leading fields every frame of a type must carry (the rest are optional, §10). */
export function requiredFields(fields: readonly FieldSpec[]): number {
  let n = fields.length;
  while (n > 0 && fields[n - 1]!.kind === 'num' && (fields[n - 1] as NumField).optional === true) n--;
  return n;
}

/** Allowed schema entries for a message shape. */
type SchemaOf<M> = readonly { [K in FieldName<M>]: SpecFor<M[K], K> }[FieldName<M>][];

/** Range of every `seq`/`nonce`-style 32-bit field. */
const U32 = { min: 0, max: MAX_NUMBER } as const;

/**
 * Wire field order of every message type: the single source of truth for the
 * codec. Order is wire order; later entries may be added by minor versions.
 */
export const SCHEMAS = {
  HELLO: [
    { name: 'proto', kind: 'num', min: 1, max: 255 },
    { name: 'uid', kind: 'token', token: 'uid' },
    { name: 'model', kind: 'token', token: 'model' },
    { name: 'firmware', kind: 'token', token: 'firmware' },
    { name: 'buttons', kind: 'num', min: 2, max: 9 },
    { name: 'pending', kind: 'num', min: 0, max: 65535 },
    { name: 'inFlight', kind: 'num', min: 1, max: MAX_IN_FLIGHT, optional: true },
  ],
  WELCOME: [
    { name: 'proto', kind: 'num', min: 1, max: 255 },
    { name: 'mark', kind: 'num', min: 0, max: MAX_NUMBER, optional: true },
    { name: 'inFlight', kind: 'num', min: 1, max: MAX_IN_FLIGHT, optional: true },
  ],
  VOTE: [
    { name: 'seq', kind: 'num', min: 1, max: MAX_NUMBER },
    { name: 'button', kind: 'num', min: 1, max: 9 },
    { name: 'reason', kind: 'num', min: 0, max: 99 },
    { name: 'ageMs', kind: 'nullable', min: 0, max: AGE_UNKNOWN },
    { name: 'flags', kind: 'flags' },
  ],
  ACK: [
    { name: 'seq', kind: 'num', min: 1, max: MAX_NUMBER },
    { name: 'status', kind: 'token', token: 'code' },
  ],
  NAK: [
    { name: 'seq', kind: 'num', ...U32 },
    { name: 'reason', kind: 'token', token: 'code' },
  ],
  PING: [{ name: 'nonce', kind: 'num', ...U32 }],
  PONG: [{ name: 'nonce', kind: 'num', ...U32 }],
  CONFIG: [
    { name: 'buttons', kind: 'num', min: 2, max: 9 },
    { name: 'cooldownMs', kind: 'num', min: 0, max: 600000 },
    { name: 'mode', kind: 'enum', values: MODES },
    { name: 'windowMs', kind: 'num', min: 1000, max: 600000 },
    { name: 'leds', kind: 'bool' },
    { name: 'buzzer', kind: 'bool' },
  ],
  OPEN: [{ name: 'windowMs', kind: 'num', min: 0, max: 600000 }],
  EVENT: [
    { name: 'code', kind: 'token', token: 'code' },
    { name: 'value', kind: 'token', token: 'value' },
  ],
} as const satisfies { readonly [T in MessageType]: SchemaOf<MessageOf<T>> };

/** Every known TYPE, in table order. */
export const MESSAGE_TYPES = Object.keys(SCHEMAS) as MessageType[];

/** Field name that carries the sequence number a NAK must echo. */
export const SEQ_FIELD = 'seq';

/** True when `type` is a TYPE known to protocol v1 (own keys only: `toString` is not a message). */
export function isMessageType(type: string): type is MessageType {
  return Object.hasOwn(SCHEMAS, type);
}

/** The schema of a known TYPE, as plain field specs. */
export function schemaOf(type: MessageType): readonly FieldSpec[] {
  return SCHEMAS[type];
}

/** Human-readable allowed range of a numeric field, e.g. `1..9`. */
export function rangeText(f: NumField | NullableNumField): string {
  return `${f.min}..${f.kind === 'nullable' ? f.max - 1 : f.max}`;
}
