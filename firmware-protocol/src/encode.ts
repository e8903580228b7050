/**
 * Encodes messages into wire frames. Senders always terminate with CRLF.
 * An invalid message is a programmer error and throws ProtocolError.
 */

import { CRLF } from './constants.ts';
import { crc16Ascii, formatCrc } from './crc16.ts';
import { ProtocolError } from './error.ts';
import { stringToBytes } from './field.ts';
import { type FieldSpec, type Message, schemaOf } from './message.ts';
import { validateMessage } from './validate.ts';

/** Wire text of one already-validated property. */
function wireText(f: FieldSpec, v: unknown): string {
  switch (f.kind) {
    case 'num':
      return String(v);
    case 'nullable':
      return v === null ? String(f.max) : String(v);
    case 'bool':
      return v ? '1' : '0';
    case 'flags':
      return v === '' ? '-' : (v as string);
    case 'token':
    case 'enum':
      return v as string;
  }
}

/**
 * The frame for `m`, from `$` through CRLF, e.g. `$PING,7*XXXX\r\n`.
 * Throws ProtocolError (with `.code` and `.field`) when `m` is invalid.
 */
export function encode(m: Message): string {
  const checked = validateMessage(m);
  if (!checked.ok) throw new ProtocolError(checked.code, checked.field ?? 'type', checked.message);
  const record = m as unknown as Record<string, unknown>;
  let body: string = m.type;
  for (const f of schemaOf(m.type)) {
    // An optional trailing field (§10) is left out when unset, so an old-form frame stays byte-identical.
    if (f.kind === 'num' && f.optional === true && record[f.name] === undefined) break;
    body += ',' + wireText(f, record[f.name]);
  }
  return '$' + body + '*' + formatCrc(crc16Ascii(body)) + CRLF;
}

/** The frame for `m` as ASCII bytes, CRLF included. Throws ProtocolError when `m` is invalid. */
export function encodeBytes(m: Message): Uint8Array {
  return stringToBytes(encode(m));
}
