/** Public surface of the hailong terminal protocol v1 codec. Re-exports only. */
export * from './constants.ts';
export { crc16, crc16Ascii, crc16Update, formatCrc } from './crc16.ts';
export { decode, decodeFrame } from './decode.ts';
export { encode, encodeBytes } from './encode.ts';
export { ProtocolError, type DecodeError, type DecodeOk, type DecodeResult } from './error.ts';
export { TOKENS, type TokenGrammar, type TokenKind } from './field.ts';
export { fuseEventValue, fuseMissing, parseFuseEvent, type FuseEventError } from './fuse-event.ts';
export { FrameDecoder, type DecoderStats, type FrameDecoderOptions } from './frame-decoder.ts';
export {
  MESSAGE_TYPES,
  SCHEMAS,
  isMessageType,
  type AckMessage,
  type BoolField,
  type ConfigMessage,
  type EnumField,
  type EventMessage,
  type FieldSpec,
  type FlagsField,
  type HelloMessage,
  type Message,
  type MessageOf,
  type MessageType,
  type NakMessage,
  type NullableNumField,
  type NumField,
  type OpenMessage,
  type PingMessage,
  type PongMessage,
  type TokenField,
  type VoteMessage,
  type WelcomeMessage,
} from './message.ts';
export { validateMessage } from './validate.ts';
export { ReceiveWindow, type WindowPosition } from './receive-window.ts';
export {
  ACK_TIMEOUT_MS,
  MAX_ACK_TIMEOUT_MS,
  SendWindow,
  lostHistory,
  type SendWindowOptions,
  type TimerCommand,
  type WindowNakAction,
  type WindowStep,
} from './send-window.ts';
