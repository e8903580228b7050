import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  FRAME_ERROR_CODES,
  MESSAGE_ERROR_CODES,
  NAK_REASON_BY_ERROR,
  STREAM_ERROR_CODES,
  type ErrorCode,
} from '../../firmware-protocol/src/constants.ts';
import { decode } from '../../firmware-protocol/src/decode.ts';
import { FrameDecoder } from '../../firmware-protocol/src/frame-decoder.ts';
import { bytes, frame } from './helpers.ts';

/** One example per decode() error code, with the field (and type/seq) it must carry. */
const CASES: [ErrorCode, string | Uint8Array, { field: string; type?: string; seq?: number }][] = [
  ['too-long', '$' + 'A'.repeat(120), { field: 'line' }],
  ['missing-start', 'PING,5*B616', { field: 'line' }],
  ['bad-char', '$PING,5\u0000*B616', { field: 'line' }],
  ['bad-char', Uint8Array.of(0x24, 0x50, 0x49, 0x4e, 0x47, 0x2c, 0xb5, 0x2a, 0x30, 0x30, 0x30, 0x30), { field: 'line' }],
  ['missing-crc', '$PING,5', { field: 'crc' }],
  ['bad-hex', '$PING,5*b616', { field: 'crc' }],
  ['bad-crc', '$PING,5*B617', { field: 'crc' }],
  ['bad-type', frame('Ping,5'), { field: 'type' }],
  ['empty-field', frame('VOTE,9,,0,0,-'), { field: 'button', type: 'VOTE', seq: 9 }],
  ['unknown-type', frame('BEEP,1'), { field: 'type', type: 'BEEP' }],
  ['missing-field', frame('ACK,9'), { field: 'status', type: 'ACK', seq: 9 }],
  ['bad-number', frame('VOTE,9,3,007,0,-'), { field: 'reason', type: 'VOTE', seq: 9 }],
  ['out-of-range', frame('VOTE,9,12,0,0,-'), { field: 'button', type: 'VOTE', seq: 9 }],
  ['bad-token', frame('HELLO,1,uid!,M,1.0,5,0'), { field: 'uid', type: 'HELLO' }],
  ['bad-enum', frame('CONFIG,5,0,SHUT,1000,1,1'), { field: 'mode', type: 'CONFIG' }],
];

describe('error codes', () => {
  it('are the 15 exact strings of the draft, in check order', () => {
    expect(ERROR_CODES).toEqual([
      'too-long',
      'missing-start',
      'bad-char',
      'missing-crc',
      'bad-hex',
      'bad-crc',
      'bad-type',
      'empty-field',
      'unknown-type',
      'missing-field',
      'bad-number',
      'out-of-range',
      'bad-token',
      'bad-enum',
      'truncated',
    ]);
    expect([...FRAME_ERROR_CODES, ...MESSAGE_ERROR_CODES, ...STREAM_ERROR_CODES]).toEqual(ERROR_CODES);
  });

  it.each(CASES)('decode reports %s with its field', (code, line, want) => {
    const r = decode(line);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(code);
    expect(r.field).toBe(want.field);
    expect(r.type).toBe(want.type);
    expect(r.seq).toBe(want.seq);
    expect(r.message.length).toBeGreaterThan(10);
  });

  it('reports truncated (stream only) with field line', () => {
    const [r, next] = new FrameDecoder().push(bytes('$VOTE,9,3$PING,5*B616\n'));
    expect(r).toMatchObject({ ok: false, code: 'truncated', field: 'line', raw: '$VOTE,9,3' });
    expect(next?.ok).toBe(true);
  });

  it('has an example for every code', () => {
    expect(new Set([...CASES.map((c) => c[0]), 'truncated'])).toEqual(new Set(ERROR_CODES));
  });

  it('maps every code to the NAK reason of the draft', () => {
    expect(NAK_REASON_BY_ERROR['bad-crc']).toBe('CRC');
    expect(NAK_REASON_BY_ERROR['out-of-range']).toBe('RANGE');
    expect(NAK_REASON_BY_ERROR['unknown-type']).toBeNull();
    const format = ERROR_CODES.filter((c) => !['bad-crc', 'out-of-range', 'unknown-type'].includes(c));
    for (const c of format) expect(NAK_REASON_BY_ERROR[c], c).toBe('FORMAT');
    expect(Object.keys(NAK_REASON_BY_ERROR).sort()).toEqual([...ERROR_CODES].sort());
  });
});
