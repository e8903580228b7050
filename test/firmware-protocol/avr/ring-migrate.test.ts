/**
 * Upgrading a firmware 1.0/1.1 box to 1.2 (firmware-protocol/avr/src/ring_migrate.c):
 * its EEPROM holds the 64-slot layout 1 with votes the bridge has not ACKed
 * yet. The first boot of 1.2 converts it in place to the 147-slot layout 2;
 * no pending vote may be lost, changed or duplicated, the seq counter must
 * stay above every seq 1.1 ever stored, and a power cut at any byte write of
 * the conversion, torn 4 ways, must leave a box that finishes the job at the
 * next boot with the same result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EEPROM_SIZE, LAYOUT1, type Layout1Record, crc8, writeLayout1 } from './eeprom-image.ts';
import { Rng } from '../helpers.ts';
import { RingHost, TEAR_MODES } from './ring-host.ts';

let ring: RingHost;
beforeAll(() => {
  ring = RingHost.start();
});
afterAll(async () => {
  await ring.close();
});

const hex = (image: Uint8Array): string => Buffer.from(image).toString('hex');

/**
 * A 1.1 box that has wrapped its ring: slots hold seqs first+0..first+63 in
 * ring order starting at `headSlot + 1`, the newest `pending` of them not yet
 * ACKed, with assorted buttons, reasons and flags.
 */
function wrapped11(first: number, pending: number, headSlot: number, seqOffset?: number): { image: Uint8Array; records: Layout1Record[] } {
  const records: Layout1Record[] = [];
  for (let i = 0; i < LAYOUT1.slots; i++) {
    const slot = (headSlot + 1 + i) % LAYOUT1.slots;
    records.push({ slot, seq: first + i, button: 1 + (i % 5), reason: (i * 7) % 100, flags: i % 4, pending: i >= LAYOUT1.slots - pending });
  }
  const image = new Uint8Array(EEPROM_SIZE).fill(0xff);
  return { image: writeLayout1(image, records, seqOffset), records };
}

/** The votes the box must still deliver after the upgrade, as the ring reports them (wire seqs, oldest first). */
function expected(records: readonly Layout1Record[], seqOffset = 0): { seq: number; button: number; reason: number; flags: number }[] {
  return records
    .filter((r) => r.pending)
    .map((r) => ({ seq: r.seq + seqOffset, button: r.button, reason: r.reason ?? 0, flags: r.flags ?? 0 }))
    .sort((a, b) => a.seq - b.seq);
}

/** Every pending vote via `after` (non-destructive), oldest first. */
async function pendingVotes(): Promise<{ seq: number; button: number; reason: number; flags: number }[]> {
  const out: { seq: number; button: number; reason: number; flags: number }[] = [];
  for (let v = await ring.oldest(); v !== null; v = await ring.after(v.seq)) {
    out.push({ seq: v.seq, button: v.button, reason: v.reason, flags: v.flags });
  }
  return out;
}

describe('upgrade from the 1.1 EEPROM layout', () => {
  it('keeps every pending vote of a full 1.1 ring (64 waiting) and continues the seq above them', async () => {
    const { image, records } = wrapped11(1000, 64, 17);
    await ring.setEeprom(hex(image));
    expect(await ring.boot()).toEqual({ next: 1064, pending: 64 });
    expect(await pendingVotes()).toEqual(expected(records));
    // the converted ring takes 147 - 64 more presses: the new capacity is usable at once
    for (let i = 0; i < 147 - 64; i++) expect(await ring.append(2)).toBe(1064 + i);
    expect(await ring.append(2)).toBe(0);
    expect(await ring.boot()).toEqual({ next: 1064 + 83, pending: 147 });
  });

  it('counts done records too: the next seq is above the highest seq 1.1 ever stored', async () => {
    const { image } = wrapped11(5000, 0, 40);
    await ring.setEeprom(hex(image));
    expect(await ring.boot()).toEqual({ next: 5064, pending: 0 });
    expect(await ring.append(3)).toBe(5064);
  });

  it('keeps the seq offset of a box that recovered from a wipe (§7.6) and the reasons and flags', async () => {
    const { image, records } = wrapped11(1, 5, 63, 700);
    await ring.setEeprom(hex(image));
    expect(await ring.boot()).toEqual({ next: 765, pending: 5 });
    expect(await pendingVotes()).toEqual(expected(records, 700));
  });

  it('decodes seqs across a 2^19 boundary of the packed record', async () => {
    const { image, records } = wrapped11(2 ** 19 - 40, 50, 5);
    await ring.setEeprom(hex(image));
    expect(await ring.boot()).toEqual({ next: 2 ** 19 + 24, pending: 50 });
    expect(await pendingVotes()).toEqual(expected(records));
    expect(await ring.boot()).toEqual({ next: 2 ** 19 + 24, pending: 50 });
  });

  it('never turns bytes a previous sketch left beyond the 1.1 ring into votes', async () => {
    const { image, records } = wrapped11(700, 9, 12);
    // 0x2CA..0x3FF was never written by 1.0/1.1; a board that ran another program may hold anything there,
    // including 6-byte patterns that pass the new record's CRC with a PENDING marker.
    const rng = new Rng(0x14f3);
    for (let a = 0x2ca; a < EEPROM_SIZE; a++) image[a] = rng.next() & 0xff;
    for (let slot = 96; slot < 145; slot += 7) {
      const at = 0x2ca + (slot - 96) * 6;
      const w = [0x10, 0x20, 0x08 | 0x10, 0x00]; // seq low bits 0x2010, button 3
      image.set([...w, crc8(w), 0x00], at);
    }
    await ring.setEeprom(hex(image));
    expect(await ring.boot()).toEqual({ next: 764, pending: 9 });
    expect(await pendingVotes()).toEqual(expected(records));
  });

  it('treats an erased EEPROM as a new box, and a converted one is not converted again', async () => {
    await ring.setEeprom('ff'.repeat(EEPROM_SIZE));
    expect(await ring.boot()).toEqual({ next: 1, pending: 0 });
    expect(await ring.append(1)).toBe(1);
    const converted = await ring.eeprom();
    await ring.boot();
    expect(await ring.writes()).toBe(0);
    expect(await ring.eeprom()).toBe(converted);
  });

  // 1.1 boxes as an upgrade finds them: nothing waiting, a full ring, a partly used one.
  const cases = [
    { name: 'a full ring (64 waiting, wrapped)', ...wrapped11(300, 64, 30) },
    { name: '23 waiting, wrapped, with a seq offset', ...wrapped11(90, 23, 50, 12) },
    {
      name: 'a young ring (slots 0..9, 4 waiting)',
      ...(() => {
        const records: Layout1Record[] = Array.from({ length: 10 }, (_, i) => ({
          slot: i,
          seq: i + 1,
          button: 1 + (i % 4),
          pending: i >= 6,
        }));
        return { image: writeLayout1(new Uint8Array(EEPROM_SIZE).fill(0xff), records), records };
      })(),
    },
  ];

  it.each(cases)('a power cut at any byte write of the conversion loses nothing: $name', async ({ image, records }) => {
    const offset = records === cases[1]!.records ? 12 : 0;
    const want = expected(records, offset);
    const wantNext = Math.max(...records.map((r) => r.seq)) + 1 + offset;
    await ring.setEeprom(hex(image));
    await ring.boot();
    const total = await ring.writes();
    expect(total).toBeGreaterThan(10);
    const failures: string[] = [];
    let checked = 0;
    for (let k = 0; k < total; k++) {
      for (const [modeName, mode] of Object.entries(TEAR_MODES)) {
        const where = `cut at write ${k}/${total} (${modeName})`;
        await ring.setEeprom(hex(image));
        if ((await ring.cutBoot(k, mode)) !== 'cut') failures.push(`${where}: no cut`);
        // a second cut in the resumed conversion, some writes later
        const again = await ring.cutBoot((k * 7) % 23, mode);
        const after = again === 'cut' ? await ring.boot() : again;
        if (after.next !== wantNext) failures.push(`${where}: next ${after.next}, want ${wantNext}`);
        const got = await pendingVotes();
        if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${where}: pending ${JSON.stringify(got)}`);
        const fresh = await ring.append(1);
        if (fresh !== wantNext) failures.push(`${where}: new vote got ${fresh}`);
        checked++;
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(checked).toBe(total * Object.keys(TEAR_MODES).length);
  });
});
