import { describe, expect, it } from 'vitest';
import { MAX_FRAME } from '../../firmware-protocol/src/constants.ts';
import { decode, decodeFrame } from '../../firmware-protocol/src/decode.ts';
import { isMessageType } from '../../firmware-protocol/src/message.ts';
import { bytes, frame } from './helpers.ts';

describe('decode', () => {
  it('decodes a VOTE into exactly the message shape, without raw', () => {
    expect(decode('$VOTE,7,3,0,1200,-*46FA')).toStrictEqual({
      ok: true,
      value: { type: 'VOTE', seq: 7, button: 3, reason: 0, ageMs: 1200, flags: '' },
    });
  });

  it('maps the wire sentinels: ageMs 4294967295 -> null, flags - -> "", leds/buzzer 0/1 -> booleans', () => {
    expect(decode(frame('VOTE,7,3,0,4294967295,CG'))).toMatchObject({ ok: true, value: { ageMs: null, flags: 'CG' } });
    expect(decode(frame('CONFIG,5,3000,GATED,60000,1,0'))).toStrictEqual({
      ok: true,
      value: { type: 'CONFIG', buttons: 5, cooldownMs: 3000, mode: 'GATED', windowMs: 60000, leds: true, buzzer: false },
    });
  });

  it('gives the same result for a string and its bytes', () => {
    for (const line of [frame('PING,42'), frame('VOTE,1,2,3,4,-'), '$PING,5*0000', 'junk', '']) {
      expect(decode(line)).toStrictEqual(decode(bytes(line)));
    }
  });

  it('decodes a sub-range of a larger buffer without copying', () => {
    const data = bytes(`xx${frame('PING,9')}\r\nyy`);
    expect(decodeFrame(data, 2, data.length - 4, undefined)).toStrictEqual({ ok: true, value: { type: 'PING', nonce: 9 } });
    expect(decodeFrame(data, 2, data.length - 4, 'RAW')).toStrictEqual({ ok: true, value: { type: 'PING', nonce: 9 }, raw: 'RAW' });
  });

  it('treats string code units above 0xFF as bad bytes, never as their low byte', () => {
    // U+0124 would be `$` if truncated to 8 bits; U+012C would be `,`.
    expect(decode('$PING,5\u0124*0000')).toMatchObject({ ok: false, code: 'bad-char' });
    expect(decode(frame('PING,5').replace(',', '\u012c'))).toMatchObject({ ok: false, code: 'bad-char' });
  });

  it('rejects a huge line on length alone', () => {
    const r = decode('$' + 'x'.repeat(1_000_000));
    expect(r).toMatchObject({ ok: false, code: 'too-long', field: 'line' });
    expect(decode(new Uint8Array(MAX_FRAME + 1))).toMatchObject({ ok: false, code: 'too-long' });
    expect(decode(new Uint8Array(MAX_FRAME))).toMatchObject({ ok: false, code: 'missing-start' });
  });

  it('does not accept a terminator inside the line', () => {
    expect(decode(frame('PING,5') + '\r\n')).toMatchObject({ ok: false, code: 'bad-char' });
    expect(decode(frame('PING,5') + '\n')).toMatchObject({ ok: false, code: 'bad-char' });
  });

  it('uses the first * as the CRC delimiter', () => {
    expect(decode('$PING,5*B*616')).toMatchObject({ code: 'missing-crc' });
    expect(decode('$PING,5*B616*')).toMatchObject({ code: 'missing-crc' });
  });

  it('checks frame-level errors in the draft order', () => {
    // each line has every later problem too, so only the order decides
    expect(decode('x'.repeat(121))).toMatchObject({ code: 'too-long' });
    expect(decode('PING 5')).toMatchObject({ code: 'missing-start' });
    expect(decode('$ping 5')).toMatchObject({ code: 'bad-char' });
    expect(decode('$ping,,5')).toMatchObject({ code: 'missing-crc' });
    expect(decode('$ping,,5*zzzz')).toMatchObject({ code: 'bad-hex' });
    expect(decode('$ping,,5*0000')).toMatchObject({ code: 'bad-crc' });
    expect(decode(frame('ping,,5'))).toMatchObject({ code: 'bad-type' });
    expect(decode(frame('FOO,,5'))).toMatchObject({ code: 'empty-field' });
    expect(decode(frame('FOO,x,5'))).toMatchObject({ code: 'unknown-type' });
  });

  it('checks the field count before field contents, then fields left to right', () => {
    expect(decode(frame('VOTE,x,y'))).toMatchObject({ code: 'missing-field', field: 'reason' });
    expect(decode(frame('VOTE,7,x,100,0,q'))).toMatchObject({ code: 'bad-number', field: 'button', seq: 7 });
    expect(decode(frame('VOTE,7,3,100,x,q'))).toMatchObject({ code: 'out-of-range', field: 'reason', seq: 7 });
    expect(decode(frame('VOTE,7,3,1,x,q'))).toMatchObject({ code: 'bad-number', field: 'ageMs', seq: 7 });
    expect(decode(frame('VOTE,7,3,1,0,q'))).toMatchObject({ code: 'bad-token', field: 'flags', seq: 7 });
  });

  it('attaches type and a valid seq to errors found after the CRC and TYPE checks only', () => {
    expect(decode('$VOTE,7,3,0,0,-*0000')).not.toHaveProperty('type');
    expect(decode('$VOTE,7,3,0,0,-*0000')).not.toHaveProperty('seq');
    expect(decode(frame('VOTE,7,3,0,0'))).toMatchObject({ code: 'missing-field', type: 'VOTE', seq: 7 });
    expect(decode(frame('VOTE,0,3,0,0,-'))).not.toHaveProperty('seq');
    expect(decode(frame('VOTE,,3,0,0,-'))).not.toHaveProperty('seq');
    expect(decode(frame('NAK,0,x'))).toMatchObject({ code: 'bad-token', type: 'NAK', seq: 0 });
    expect(decode(frame('PING,x'))).not.toHaveProperty('seq');
    expect(decode(frame('ZZ,1'))).toStrictEqual(expect.objectContaining({ code: 'unknown-type', type: 'ZZ' }));
  });

  it('writes error messages that name the field and the allowed values', () => {
    const msg = (line: string) => {
      const r = decode(line);
      return r.ok ? '' : r.message;
    };
    expect(msg(frame('VOTE,7,10,0,0,-'))).toBe('"button" is 10, outside 1..9');
    expect(msg(frame('VOTE,7,3,0,0,x'))).toContain('"flags"');
    expect(msg(frame('HELLO,1,a b'))).toContain('0x20');
    expect(msg(frame('CONFIG,5,0,SHUT,1000,1,1'))).toBe('"mode" must be one of OPEN, GATED');
    expect(msg('$PING,5*0000')).toBe('CRC mismatch: frame says 0000, body gives B616');
    expect(msg(frame('VOTE,1'))).toBe('VOTE needs 5 fields, got 1: "button" is missing');
  });

  it('accepts extra trailing fields whatever they hold, but not empty ones', () => {
    expect(decode(frame('OPEN,5000,x,~!#%&'))).toStrictEqual({ ok: true, value: { type: 'OPEN', windowMs: 5000 } });
    expect(decode(frame('OPEN,5000,x,,y'))).toMatchObject({ ok: false, code: 'empty-field', field: 'line', type: 'OPEN' });
  });

  it('does not treat Object.prototype names as message types', () => {
    expect(isMessageType('toString')).toBe(false);
    expect(isMessageType('VOTE')).toBe(true);
    expect(decode(frame('CONSTRUCTOR,1'))).toMatchObject({ code: 'bad-type' });
  });

  it('returns independent results although it reuses scratch buffers', () => {
    const a = decode(frame('EVENT,BOOT,POWERON'));
    const b = decode(frame('EVENT,LOWV,3300'));
    expect(a).toMatchObject({ value: { code: 'BOOT', value: 'POWERON' } });
    expect(b).toMatchObject({ value: { code: 'LOWV', value: '3300' } });
  });

  it('does not modify its input', () => {
    const data = bytes(frame('VOTE,1,1,0,0,-'));
    const copy = data.slice();
    decode(data);
    expect(data).toEqual(copy);
  });
});

describe('decodeFrame', () => {
  it('clamps a range that runs past the array instead of reading undefined bytes', () => {
    const data = bytes(frame('PING,5'));
    expect(decodeFrame(data, 0, data.length + 10)).toStrictEqual({ ok: true, value: { type: 'PING', nonce: 5 } });
    expect(decodeFrame(data, 5, 2)).toMatchObject({ ok: false, code: 'missing-start' });
    expect(decodeFrame(data, -3, 4)).toMatchObject({ ok: false, code: 'missing-crc' });
    expect(decodeFrame(data, Number.NaN, 4)).toMatchObject({ ok: false, code: 'missing-crc' });
  });
});
