/**
 * EEPROM images for a factory-fresh box: erased (0xFF) except the identity
 * block, made by the firmware's own factory tool (build/host/eeprom-id), so
 * the tests and the emulator provision a box exactly the way a vendor does.
 */
import { execFileSync } from 'node:child_process';
import { hostProgram, makeTarget } from './avr-build.ts';

/** EEPROM size of the ATmega328P. */
export const EEPROM_SIZE = 1024;

/** Parses Intel HEX data records into `into` (type 00 only; EOF ends). */
export function parseIntelHex(text: string, into: Uint8Array): Uint8Array {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith(':')) throw new Error(`not Intel HEX: ${line}`);
    const rec = Buffer.from(line.slice(1), 'hex');
    const sum = rec.reduce((a, b) => (a + b) & 0xff, 0);
    if (sum !== 0) throw new Error(`bad Intel HEX checksum: ${line}`);
    const n = rec[0]!;
    const addr = (rec[1]! << 8) | rec[2]!;
    const type = rec[3]!;
    if (type === 1) break;
    if (type === 0) into.set(rec.subarray(4, 4 + n), addr);
  }
  return into;
}

/** The Intel HEX the factory tool writes for `uid` ('' = keep the chip serial) and `buttons` (0 = default). */
export function identityHex(uid: string, buttons = 0): string {
  makeTarget('host-tests');
  const args = [uid === '' ? '-' : uid, ...(buttons ? [String(buttons)] : [])];
  return execFileSync(hostProgram('eeprom-id'), args, { encoding: 'utf8' });
}

/** A full 1 KB EEPROM image of a new box with a programmed uid. */
export function freshEeprom(uid: string, buttons = 0): Uint8Array {
  return parseIntelHex(identityHex(uid, buttons), new Uint8Array(EEPROM_SIZE).fill(0xff));
}
