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

/** CRC-8 of the firmware's EEPROM records (src/crc8.c: poly 0x07, init 0xFF). */
export function crc8(bytes: ArrayLike<number>): number {
  let crc = 0xff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]!;
    for (let b = 0; b < 8; b++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/** A vote record as firmware 1.0/1.1 stored it (layout 1, src/ee_map.h). */
export interface Layout1Record {
  /** Slot 0..63 of the 64-slot ring. */
  readonly slot: number;
  readonly seq: number;
  readonly button: number;
  readonly reason?: number;
  readonly flags?: number;
  /** Not yet ACKed (marker 0x00); otherwise done (0xFF). */
  readonly pending: boolean;
}

/** Layout 1 (firmware 1.0 and 1.1): 64 slots of 9 bytes at 0x080, seq offset at 0x2C0. */
export const LAYOUT1 = { ring: 0x080, slots: 64, slotSize: 9, seqOffsetA: 0x2c0, seqOffsetB: 0x2c5 } as const;

/**
 * Writes layout-1 records, and optionally the §7.6 seq offset, into `image`
 * (an EEPROM as a firmware 1.1 box leaves it), byte for byte as 1.1's
 * vote_ring.c wrote them.
 */
export function writeLayout1(image: Uint8Array, records: readonly Layout1Record[], seqOffset?: number): Uint8Array {
  for (const r of records) {
    const body = [r.seq & 0xff, (r.seq >>> 8) & 0xff, (r.seq >>> 16) & 0xff, (r.seq >>> 24) & 0xff, r.button, r.reason ?? 0, r.flags ?? 0];
    const at = LAYOUT1.ring + r.slot * LAYOUT1.slotSize;
    image.set([...body, crc8(body), r.pending ? 0x00 : 0xff], at);
  }
  if (seqOffset !== undefined) {
    const v = [seqOffset & 0xff, (seqOffset >>> 8) & 0xff, (seqOffset >>> 16) & 0xff, (seqOffset >>> 24) & 0xff];
    image.set([...v, crc8(v)], LAYOUT1.seqOffsetA);
    image.set([...v, crc8(v)], LAYOUT1.seqOffsetB);
  }
  return image;
}

/** Layout 2 (firmware 1.2, src/ee_map.h): the slot addresses, seq base and offset of the 147-vote ring. */
export const LAYOUT2 = { ring: 0x080, lowSlots: 96, high: 0x2ca, slots: 147, slotSize: 6, seqBaseA: 0x060, seqBaseB: 0x065 } as const;

function u32x2(image: Uint8Array, a: number, b: number): number {
  for (const at of [a, b]) {
    const r = image.subarray(at, at + 5);
    const v = (r[0]! | (r[1]! << 8) | (r[2]! << 16) | (r[3]! << 24)) >>> 0;
    if (crc8(r.subarray(0, 4)) === r[4] && v !== 0xffffffff) return v;
  }
  return 0;
}

/** Wire seqs of the votes pending in a layout-2 EEPROM (src/vote_record.c decoding), ascending. */
export function pendingSeqs(image: Uint8Array): number[] {
  const base = u32x2(image, LAYOUT2.seqBaseA, LAYOUT2.seqBaseB);
  const offset = u32x2(image, LAYOUT1.seqOffsetA, LAYOUT1.seqOffsetB);
  const out: number[] = [];
  for (let slot = 0; slot < LAYOUT2.slots; slot++) {
    const at = slot < LAYOUT2.lowSlots ? LAYOUT2.ring + slot * 6 : LAYOUT2.high + (slot - LAYOUT2.lowSlots) * 6;
    const r = image.subarray(at, at + 6);
    if (crc8(r.subarray(0, 4)) !== r[4] || r[5] !== 0x00) continue;
    const w = (r[0]! | (r[1]! << 8) | (r[2]! << 16) | (r[3]! << 24)) >>> 0;
    const button = (w >>> 19) & 0x0f;
    if (button < 1 || button > 9) continue;
    let d = (w - base) & 0x7ffff;
    if (d > 0x40000) d -= 0x80000;
    out.push(base + d + offset);
  }
  return out.sort((a, b) => a - b);
}
