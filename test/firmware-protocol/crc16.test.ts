import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CRC_CHECK } from '../../firmware-protocol/src/constants.ts';
import { crc16, crc16Ascii, crc16Update, formatCrc } from '../../firmware-protocol/src/crc16.ts';
import { bytes, latin1 } from './helpers.ts';

/** Bit-at-a-time CRC-16/CCITT-FALSE straight from the definition, to check the table version. */
function reference(data: Uint8Array): number {
  let crc = 0xffff;
  for (const b of data) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

describe('crc16', () => {
  it('gives the CRC-16/CCITT-FALSE check value 29B1 for "123456789"', () => {
    expect(CRC_CHECK).toBe(0x29b1);
    expect(crc16(bytes('123456789'))).toBe(0x29b1);
    expect(crc16Ascii('123456789')).toBe(0x29b1);
    expect(reference(bytes('123456789'))).toBe(0x29b1);
  });

  it('is the init value for no bytes, and known values for short inputs', () => {
    expect(crc16(new Uint8Array(0))).toBe(0xffff);
    expect(crc16Ascii('A')).toBe(0xb915);
    expect(crc16Ascii('PING,5')).toBe(0xb616);
  });

  it('covers only the requested range', () => {
    const data = bytes('$123456789*');
    expect(crc16(data, 1, 10)).toBe(0x29b1);
    expect(crc16(data.subarray(1, 10))).toBe(0x29b1);
  });

  it('matches the bitwise definition on arbitrary bytes, by array, string and step', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const want = reference(data);
        expect(crc16(data)).toBe(want);
        expect(crc16Ascii(latin1(data))).toBe(want);
        expect(data.reduce((crc, b) => crc16Update(crc, b), 0xffff)).toBe(want);
      }),
    );
  });

  it('formats as exactly 4 uppercase hex digits', () => {
    expect(formatCrc(0x29b1)).toBe('29B1');
    expect(formatCrc(0x000a)).toBe('000A');
    expect(formatCrc(0)).toBe('0000');
    expect(formatCrc(0xffff)).toBe('FFFF');
    expect(formatCrc(0xabcd)).toBe('ABCD');
  });
});
