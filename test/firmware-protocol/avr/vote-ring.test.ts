/**
 * The firmware's EEPROM vote ring (PROTOCOL.md §7, §12) on the host: seq
 * continuity, wrap-around, the full buffer, and power cuts tearing every
 * single byte write of a scenario in every way a byte can tear.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RING_SLOTS, RingHost, TEAR_MODES, type StoredVote } from './ring-host.ts';

const SLOTS = RING_SLOTS;
const BLANK = 'ff'.repeat(1024);

let ring: RingHost;
beforeAll(() => {
  ring = RingHost.start();
});
afterAll(async () => {
  await ring.close();
});

async function fresh(hex = BLANK): Promise<void> {
  await ring.setEeprom(hex);
  await ring.boot();
}

describe('vote ring', () => {
  it('starts at seq 1 on a blank EEPROM and on one that reads all zeros', async () => {
    await ring.setEeprom(BLANK);
    expect(await ring.boot()).toEqual({ next: 1, pending: 0 });
    await ring.setEeprom('00'.repeat(1024));
    expect(await ring.boot()).toEqual({ next: 1, pending: 0 });
    expect(await ring.append(2)).toBe(1);
  });

  it('keeps votes oldest first with their button, flags and press time', async () => {
    await fresh();
    expect(await ring.append(3, 1)).toBe(1);
    expect(await ring.append(1, 2)).toBe(2);
    expect(await ring.append(2, 3)).toBe(3);
    const first = await ring.oldest();
    expect(first).toMatchObject({ seq: 1, button: 3, flags: 1 });
    expect(first!.pressedAt).not.toBeNull();
    expect(await ring.ack()).toBe(1);
    expect(await ring.oldest()).toMatchObject({ seq: 2, button: 1, flags: 2 });
  });

  it('wraps around the 147 slots several times without losing or repeating a seq', async () => {
    await fresh();
    const acked: number[] = [];
    for (let i = 1; i <= 3 * SLOTS + 7; i++) {
      expect(await ring.append(1 + (i % 5))).toBe(i);
      // keep a few votes pending as the ring wraps, so pending and done slots interleave
      if (i % 4 !== 0) acked.push((await ring.ack()) as number);
    }
    const rest = await ring.drain();
    expect([...acked, ...rest.map((v) => v.seq)].sort((a, b) => a - b)).toEqual(Array.from({ length: 3 * SLOTS + 7 }, (_, i) => i + 1));
    expect(await ring.boot()).toEqual({ next: 3 * SLOTS + 8, pending: 0 });
  });

  it('refuses the 148th pending vote, keeps the 147, and takes presses again after one ACK', async () => {
    await fresh();
    for (let i = 1; i <= SLOTS; i++) expect(await ring.append(1)).toBe(i);
    expect(await ring.append(2)).toBe(0);
    // full survives a reboot; the refused press took no seq
    expect(await ring.boot()).toEqual({ next: SLOTS + 1, pending: SLOTS });
    expect(await ring.append(2)).toBe(0);
    expect(await ring.ack()).toBe(1);
    expect(await ring.append(2)).toBe(SLOTS + 1);
    expect(await ring.append(2)).toBe(0);
    const all = await ring.drain();
    expect(all.map((v) => v.seq)).toEqual(Array.from({ length: SLOTS }, (_, i) => i + 2));
  });

  it('continues the seq across reboots, with done records only, and forgets press times', async () => {
    await fresh();
    for (let i = 1; i <= 5; i++) await ring.append(1);
    for (let i = 1; i <= 5; i++) await ring.ack();
    // every record is done: the next seq still comes from them, not from "empty"
    expect(await ring.boot()).toEqual({ next: 6, pending: 0 });
    expect(await ring.append(4)).toBe(6);
    expect(await ring.append(4)).toBe(7);
    expect(await ring.boot()).toEqual({ next: 8, pending: 2 });
    expect(await ring.oldest()).toEqual({ seq: 6, button: 4, flags: 0, pressedAt: null, reason: 0 });
  });
});

/** Seqs between checkpoints of the seq base (HL_SEQ_BASE_STEP, src/vote_record.h). */
const BASE_STEP = 32768;

describe.each([
  { name: 'over slots holding old ACKed records', lead: SLOTS + 6 },
  // the scenario's first vote is seq BASE_STEP + 1: its record follows a write of the seq base
  { name: 'across a checkpoint of the seq base', lead: BASE_STEP - 2 },
])('vote ring: power cut during an EEPROM write, $name', ({ lead }) => {
  type Op = { op: 'append'; button: number; flags: number } | { op: 'ack' };
  /** A scenario over slots that already hold old, ACKed records, so torn bytes mix old and new. */
  const scenario: Op[] = [
    { op: 'append', button: 3, flags: 1 },
    { op: 'ack' },
    { op: 'append', button: 2, flags: 0 },
    { op: 'append', button: 1, flags: 2 },
    { op: 'ack' },
    { op: 'append', button: 5, flags: 3 },
  ];
  let base = '';
  let total = 0;

  beforeAll(async () => {
    await fresh();
    for (let i = 0; i < SLOTS + 6; i++) {
      await ring.append(1 + (i % 5), i % 4);
      await ring.ack();
    }
    await ring.spin(lead - SLOTS - 6);
    await ring.append(4, 0); // seq lead + 1, pending
    await ring.append(2, 1); // seq lead + 2, pending
    base = await ring.eeprom();
    await ring.boot();
    for (const s of scenario) {
      if (s.op === 'append') await ring.append(s.button, s.flags);
      else await ring.ack();
    }
    total = await ring.writes();
  });

  it('has a scenario with enough byte writes to tear', () => {
    // unchanged bytes are skipped (update semantics), so fewer than 4 x 7 + 2 (+ 10 for the base)
    expect(total).toBeGreaterThan(lead > BASE_STEP / 2 ? 20 : 12);
  });

  it('recovers correctly whichever byte write is torn, and however it tears', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (let k = 0; k < total; k++) {
      for (const [modeName, mode] of Object.entries(TEAR_MODES)) {
        await ring.setEeprom(base);
        const before = await ring.boot();
        // votes whose writes completed (they may have been sent), and ACKs that completed
        const stored = new Map<number, { button: number; flags: number }>([
          [lead + 1, { button: 4, flags: 0 }],
          [lead + 2, { button: 2, flags: 1 }],
        ]);
        const acked = new Set<number>();
        let inProgress: { op: Op; seq?: number } | undefined;
        await ring.cut(k, mode);
        let next = before.next;
        for (const s of scenario) {
          if (s.op === 'append') {
            const r = await ring.append(s.button, s.flags);
            if (r === 'cut') {
              inProgress = { op: s, seq: next };
              break;
            }
            stored.set(r, { button: s.button, flags: s.flags });
            next = r + 1;
          } else {
            const pendingSeqs = [...stored.keys()].filter((q) => !acked.has(q)).sort((a, b) => a - b);
            const r = await ring.ack();
            if (r === 'cut') {
              inProgress = { op: s, seq: pendingSeqs[0] };
              break;
            }
            if (typeof r === 'number') acked.add(r);
          }
        }
        const where = `cut at write ${k} (${modeName}) during ${JSON.stringify(inProgress)}`;
        if (inProgress === undefined) {
          failures.push(`${where}: the cut never happened`);
          continue;
        }
        const after = await ring.boot();
        const pending: StoredVote[] = await ring.drain();
        const pendingSeqs = pending.map((v) => v.seq);
        const maxStored = Math.max(...stored.keys());
        // 1. no seq that may have been sent is ever reused
        if (after.next <= maxStored) failures.push(`${where}: next seq ${after.next} <= ${maxStored}`);
        // 2. nothing whose ACK completed reappears
        for (const q of acked) if (pendingSeqs.includes(q)) failures.push(`${where}: ACKed ${q} reappeared`);
        // 3. no stored, un-ACKed vote is lost (the one being ACKed may go either way)
        for (const q of stored.keys()) {
          const beingAcked = inProgress.op.op === 'ack' && inProgress.seq === q;
          if (!acked.has(q) && !beingAcked && !pendingSeqs.includes(q)) failures.push(`${where}: pending ${q} lost`);
        }
        // 4. nothing else appears: only stored votes, or the one being written, with their own contents
        for (const v of pending) {
          const want =
            stored.get(v.seq) ??
            (inProgress.op.op === 'append' && inProgress.seq === v.seq
              ? { button: inProgress.op.button, flags: inProgress.op.flags }
              : undefined);
          if (want === undefined || want.button !== v.button || want.flags !== v.flags) {
            failures.push(`${where}: unexpected pending ${JSON.stringify(v)}`);
          }
          if (v.pressedAt !== null) failures.push(`${where}: press time survived a reboot`);
        }
        // 5. oldest first
        if (pendingSeqs.some((q, i) => i > 0 && q <= pendingSeqs[i - 1]!)) failures.push(`${where}: order ${pendingSeqs}`);
        // 6. the ring keeps working: a new vote gets a fresh seq above everything seen
        const fresh = await ring.append(1);
        if (typeof fresh !== 'number' || fresh <= Math.max(maxStored, ...pendingSeqs)) {
          failures.push(`${where}: new vote got seq ${fresh}`);
        }
        checked++;
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(total * Object.keys(TEAR_MODES).length);
  });
});

describe('vote ring: two torn seq-base checkpoints in a row', () => {
  it('repairs the torn copy at boot, so a tear of the other copy 32,768 votes later still leaves one valid', async () => {
    const failures: string[] = [];
    await fresh();
    await ring.spin(BASE_STEP - 2);
    await ring.append(4); // BASE_STEP - 1, pending
    await ring.append(2); // BASE_STEP, pending
    const start = await ring.eeprom();
    await ring.boot();
    await ring.append(1); // BASE_STEP + 1: the base moves (copy A, copy B), then the record
    const writes = await ring.writes();
    // copy B's bytes are the writes after copy A's: tear each of the last writes before the record's 6
    for (let k = Math.max(0, writes - 6 - 5); k < writes - 6; k++) {
      for (let k2 = 0; k2 < 5; k2++) {
        const where = `first tear at write ${k}, second at ${k2}`;
        await ring.setEeprom(start);
        await ring.boot();
        await ring.cut(k, TEAR_MODES.erased);
        if ((await ring.append(1)) !== 'cut') failures.push(`${where}: no first cut`);
        const first = await ring.boot(); // the repair of the torn copy is queued here...
        await ring.spin(1); // ...and written with the next vote (BASE_STEP + 1 or + 2)
        const before = await ring.boot();
        // up to the next checkpoint, then tear copy A of it
        await ring.spin(BASE_STEP - 1);
        await ring.cut(k2, TEAR_MODES.erased);
        const torn = await ring.append(3);
        const after = await ring.boot();
        const oldest = await ring.oldest();
        const want = before.next + BASE_STEP - 1 + (torn === 'cut' ? 0 : 1);
        if (after.next !== want) failures.push(`${where}: next ${after.next}, want ${want} (first boot ${JSON.stringify(first)})`);
        if (oldest === null || oldest.seq !== want - 2)
          failures.push(`${where}: oldest pending ${JSON.stringify(oldest)}, want ${want - 2}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('vote ring: press times (ageMs, PROTOCOL.md §5.3)', () => {
  it('keeps a press time for every vote pressed since boot: exact under 4 s apart, within 1/2048 of longer gaps, in press order', async () => {
    await fresh();
    const gaps = [0, 35, 1500, 4095, 4097, 10_000, 90 * 60_000, 2000];
    const truth: number[] = [];
    for (const gap of gaps) {
      await ring.wait(gap);
      const seq = (await ring.append(1)) as number;
      // the newest press is known exactly
      truth.push((await ring.after(seq - 1))!.pressedAt!);
    }
    const got: number[] = [];
    for (let v = await ring.oldest(); v !== null; v = await ring.after(v.seq)) got.push(v.pressedAt!);
    expect(got).toHaveLength(gaps.length);
    for (let i = 0; i < got.length; i++) {
      // each later gap of 4096 ms or more may be short by 1/2048 of itself (12-bit mantissa, rounded down)
      const slack = truth.slice(i + 1).reduce((a, t, j) => a + (t - truth[i + j]! >= 4096 ? (t - truth[i + j]!) / 2048 : 0), 0);
      expect(got[i]! - truth[i]!, `vote ${i + 1}`).toBeGreaterThanOrEqual(0);
      expect(got[i]! - truth[i]!, `vote ${i + 1}`).toBeLessThanOrEqual(slack);
      if (i > 0) expect(got[i]!, `vote ${i + 1} after vote ${i}`).toBeGreaterThan(got[i - 1]!);
    }
    // exact where every later gap is under 4096 ms
    expect(got.at(-1)).toBe(truth.at(-1));
    expect(got.slice(0, 4)).not.toEqual(truth.slice(0, 4)); // the 90-minute gap is rounded...
    expect(got[3]! - truth[3]!).toBeLessThan(2700); // ...by under 90 min / 2048
    // a reboot forgets them all (§7.5)
    await ring.boot();
    expect((await ring.oldest())!.pressedAt).toBeNull();
  });
});

describe('vote ring: WELCOME mark after a wiped EEPROM (PROTOCOL.md §7.6)', () => {
  /** A wiped box with three votes pressed since: seqs 1..3, buttons 3, 1, 2. */
  async function wipedWithThree(): Promise<void> {
    await fresh();
    for (const b of [3, 1, 2]) await ring.append(b);
  }

  it('continues above the mark: pending votes renumbered in order, the counter too, across a reboot', async () => {
    await wipedWithThree();
    expect(await ring.mark(40)).toEqual({ renumbered: true, next: 44 });
    expect(await ring.oldest()).toMatchObject({ seq: 41, button: 3 });
    expect(await ring.ack()).toBe(41);
    expect(await ring.boot()).toEqual({ next: 44, pending: 2 });
    expect(await ring.mark(41)).toEqual({ renumbered: false, next: 44 }); // the next WELCOME changes nothing
    expect(await ring.append(1)).toBe(44);
    expect((await ring.drain()).map((v) => [v.seq, v.button])).toEqual([
      [42, 1],
      [43, 2],
      [44, 1],
    ]);
  });

  it('keeps its seqs when the mark is not ahead: a lost-ACK resend (pending = mark), an older bridge, a new journal', async () => {
    await wipedWithThree();
    await ring.ack(); // 1 done; 2 in flight, stored by the bridge, ACK lost: mark 2
    expect(await ring.mark(2)).toEqual({ renumbered: false, next: 4 });
    expect(await ring.mark(0)).toEqual({ renumbered: false, next: 4 });
    expect((await ring.drain()).map((v) => v.seq)).toEqual([2, 3]);
  });

  it('a power cut at any byte of the renumbering loses nothing: the next WELCOME finishes it', async () => {
    await wipedWithThree();
    const base = await ring.eeprom();
    await ring.boot();
    await ring.mark(40);
    const total = await ring.writes();
    expect(total).toBeGreaterThanOrEqual(5);
    const failures: string[] = [];
    for (let k = 0; k < total; k++) {
      for (const [modeName, mode] of Object.entries(TEAR_MODES)) {
        await ring.setEeprom(base);
        await ring.boot();
        await ring.cut(k, mode);
        if ((await ring.mark(40)) !== 'cut') failures.push(`write ${k} ${modeName}: no cut`);
        await ring.boot();
        // before any VOTE of the next session the box gets WELCOME,1,40 again
        await ring.mark(40);
        const got = (await ring.drain()).map((v) => [v.seq, v.button]);
        const want = [
          [41, 3],
          [42, 1],
          [43, 2],
        ];
        if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`write ${k} ${modeName}: ${JSON.stringify(got)}`);
        const next = await ring.append(1);
        if (next !== 44) failures.push(`write ${k} ${modeName}: next vote got ${next}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
