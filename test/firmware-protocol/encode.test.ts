import { describe, expect, it } from 'vitest';
import { MAX_FRAME } from '../../firmware-protocol/src/constants.ts';
import { decode } from '../../firmware-protocol/src/decode.ts';
import { encode, encodeBytes } from '../../firmware-protocol/src/encode.ts';
import { ProtocolError } from '../../firmware-protocol/src/error.ts';
import type { Message } from '../../firmware-protocol/src/message.ts';
import { validateMessage } from '../../firmware-protocol/src/validate.ts';
import { bytes, latin1 } from './helpers.ts';

const VOTE: Message = { type: 'VOTE', seq: 7, button: 3, reason: 0, ageMs: 1200, flags: '' };

/** Runs encode on a deliberately invalid object and returns what it threw. */
function thrown(m: unknown): ProtocolError {
  try {
    encode(m as Message);
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('encode did not throw');
}

describe('encode', () => {
  it('writes the frame with its CRC and a CRLF terminator', () => {
    expect(encode(VOTE)).toBe('$VOTE,7,3,0,1200,-*46FA\r\n');
    expect(encode({ type: 'PING', nonce: 5 })).toBe('$PING,5*B616\r\n');
  });

  it('writes the wire sentinels: null ageMs, empty flags, booleans', () => {
    expect(encode({ ...VOTE, ageMs: null, flags: 'CG' })).toMatch(/^\$VOTE,7,3,0,4294967295,CG\*[0-9A-F]{4}\r\n$/);
    expect(encode({ type: 'CONFIG', buttons: 5, cooldownMs: 0, mode: 'OPEN', windowMs: 1000, leds: true, buzzer: false })).toMatch(
      /^\$CONFIG,5,0,OPEN,1000,1,0\*/,
    );
  });

  it('encodeBytes gives the same frame as ASCII bytes', () => {
    const data = encodeBytes(VOTE);
    expect(data).toBeInstanceOf(Uint8Array);
    expect(latin1(data)).toBe(encode(VOTE));
    expect(data).toEqual(bytes(encode(VOTE)));
  });

  it('ignores properties that are not in the schema', () => {
    const m = { type: 'PING', nonce: 5, note: 'x' } as unknown as Message;
    expect(encode(m)).toBe('$PING,5*B616\r\n');
  });

  it('keeps the largest possible message within MAX_FRAME', () => {
    const hello = encode({
      type: 'HELLO',
      proto: 255,
      uid: 'u'.repeat(32),
      model: 'm'.repeat(16),
      firmware: 'f'.repeat(16),
      buttons: 9,
      pending: 65535,
      inFlight: 64,
    });
    expect(hello.length - 2).toBeLessThanOrEqual(MAX_FRAME);
    expect(decode(hello.slice(0, -2)).ok).toBe(true);
  });

  it.each([
    [{ ...VOTE, seq: 0 }, 'out-of-range', 'seq', '"seq" must be an integer 1..4294967295'],
    [{ ...VOTE, seq: 4294967296 }, 'out-of-range', 'seq', '"seq" must be an integer 1..4294967295'],
    [{ ...VOTE, seq: 1.5 }, 'bad-number', 'seq', '"seq" must be an integer 1..4294967295'],
    [{ ...VOTE, seq: '7' }, 'bad-number', 'seq', '"seq" must be an integer 1..4294967295'],
    [{ ...VOTE, button: Number.NaN }, 'bad-number', 'button', '"button" must be an integer 1..9'],
    [{ ...VOTE, reason: undefined }, 'bad-number', 'reason', '"reason" must be an integer 0..99'],
    [{ ...VOTE, ageMs: 4294967295 }, 'out-of-range', 'ageMs', '"ageMs" must be null or an integer 0..4294967294'],
    [{ ...VOTE, ageMs: -1 }, 'out-of-range', 'ageMs', '"ageMs" must be null or an integer 0..4294967294'],
    [{ ...VOTE, ageMs: undefined }, 'bad-number', 'ageMs', '"ageMs" must be null or an integer 0..4294967294'],
    [{ ...VOTE, flags: '-' }, 'bad-token', 'flags', '"flags" must be "" (no flags) or match [A-Z]{1,8}'],
    [{ ...VOTE, flags: 'c' }, 'bad-token', 'flags', '"flags" must be "" (no flags) or match [A-Z]{1,8}'],
    [{ type: 'ACK', seq: 1, status: '' }, 'empty-field', 'status', '"status" must match [A-Z][A-Z0-9]{0,7}'],
    [{ type: 'ACK', seq: 1, status: 'ok' }, 'bad-token', 'status', '"status" must match [A-Z][A-Z0-9]{0,7}'],
    [{ type: 'EVENT', code: 'BOOT', value: 'a,b' }, 'bad-token', 'value', '"value" must match [A-Za-z0-9._-]{1,16}'],
    [{ type: 'EVENT', code: 'BOOT', value: 'é' }, 'bad-token', 'value', '"value" must match [A-Za-z0-9._-]{1,16}'],
    [{ type: 'EVENT', code: 'BOOT', value: '\u0130' }, 'bad-token', 'value', '"value" must match [A-Za-z0-9._-]{1,16}'],
    [
      { type: 'HELLO', proto: 1, uid: 'u'.repeat(33), model: 'm', firmware: '1', buttons: 5, pending: 0 },
      'bad-token',
      'uid',
      '"uid" must match [A-Za-z0-9._-]{1,32}',
    ],
    [
      { type: 'CONFIG', buttons: 5, cooldownMs: 0, mode: 'open', windowMs: 1000, leds: true, buzzer: true },
      'bad-enum',
      'mode',
      '"mode" must be one of OPEN, GATED',
    ],
    [
      { type: 'CONFIG', buttons: 5, cooldownMs: 0, mode: 'OPEN', windowMs: 1000, leds: 1, buzzer: true },
      'bad-number',
      'leds',
      '"leds" must be a boolean',
    ],
    [{ type: 'WELCOME', proto: 1, inFlight: 16 }, 'missing-field', 'mark', '"inFlight" needs "mark" before it on the wire'],
    [{ type: 'WELCOME', proto: 1, mark: 7, inFlight: 0 }, 'out-of-range', 'inFlight', '"inFlight" must be an integer 1..64'],
    [
      { type: 'HELLO', proto: 1, uid: 'u', model: 'm', firmware: '1', buttons: 5, pending: 0, inFlight: 65 },
      'out-of-range',
      'inFlight',
      '"inFlight" must be an integer 1..64',
    ],
    [{ type: 'NOPE' }, 'unknown-type', 'type', '"type" must be one of the protocol v1 message types, got "NOPE"'],
    [{ type: 'toString' }, 'unknown-type', 'type', '"type" must be one of the protocol v1 message types, got "toString"'],
    [null, 'unknown-type', 'type', 'message must be an object with a "type"'],
  ])('throws ProtocolError for %j', (m, code, field, message) => {
    const e = thrown(m);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ProtocolError');
    expect(e.code).toBe(code);
    expect(e.field).toBe(field);
    expect(e.message).toBe(message);
  });

  it('writes the optional trailing fields only when set, in wire order (§5.1, §5.2)', () => {
    expect(encode({ type: 'WELCOME', proto: 1 })).toBe('$WELCOME,1*80C8\r\n');
    expect(encode({ type: 'WELCOME', proto: 1, mark: 4211 })).toBe('$WELCOME,1,4211*CA23\r\n');
    expect(encode({ type: 'WELCOME', proto: 1, mark: 4211, inFlight: 16 })).toBe('$WELCOME,1,4211,16*2115\r\n');
    const hello = { type: 'HELLO', proto: 1, uid: 'HL328P-1E9A0F3C', model: 'HLBOX-3', firmware: '1.1.0', buttons: 3, pending: 0 } as const;
    expect(encode({ ...hello, inFlight: 16 })).toBe('$HELLO,1,HL328P-1E9A0F3C,HLBOX-3,1.1.0,3,0,16*8DC7\r\n');
  });

  it('reports the first invalid field in wire order', () => {
    expect(thrown({ ...VOTE, seq: 0, button: 0 }).field).toBe('seq');
    expect(thrown({ ...VOTE, reason: -1, flags: 'x' }).field).toBe('reason');
  });
});

describe('validateMessage', () => {
  it('returns the same object for a valid message', () => {
    const r = validateMessage(VOTE);
    expect(r.ok && r.value).toBe(VOTE);
  });

  it('returns a typed error instead of throwing', () => {
    expect(validateMessage({ ...VOTE, button: 12 })).toEqual({
      ok: false,
      code: 'out-of-range',
      field: 'button',
      message: '"button" must be an integer 1..9',
    });
    expect(validateMessage('VOTE')).toMatchObject({ ok: false, code: 'unknown-type', field: 'type' });
  });
});
