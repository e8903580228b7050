/**
 * The send window (PROTOCOL.md §7.7, revision 1.1) in the real firmware
 * (terminal.c, sender.c, vote_ring.c on the host with a fake clock): every
 * `windows.sender` conformance vector replayed step by step. The box starts
 * with the vector's pending votes in its EEPROM, gets the vector's frames,
 * and must put exactly the expected VOTEs on the wire after each step, and
 * complete (durably mark done in EEPROM) exactly the expected votes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Layout1Record, pendingSeqs, writeLayout1 } from './eeprom-image.ts';
import { HostTerminal } from './host-terminal.ts';

interface SenderStep {
  readonly do: 'welcome' | 'rx' | 'timeout' | 'press' | 'hello';
  readonly line?: string;
  readonly ms?: number;
  readonly send: readonly number[];
  readonly done?: readonly number[];
}
interface SenderVector {
  readonly name: string;
  readonly inFlight: number;
  readonly pending: readonly number[];
  readonly nextSeq?: number;
  readonly steps: readonly SenderStep[];
}

const VECTORS = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'firmware-protocol', 'vectors.json'), 'utf8')) as {
  windows: { sender: SenderVector[] };
};
/** Time a step is given to produce its VOTEs (EEPROM writes of done marks and records take ~4 ms each). */
const SETTLE_MS = 300;
/** Tolerance on a timeout step: the timer (re)starts when a VOTE leaves, a few EEPROM writes after the step. */
const EARLY_MS = 120;

let t: HostTerminal | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The vector's starting EEPROM: its pending votes (and nextSeq) in a 1.1 ring, converted at boot. */
function startImage(v: SenderVector): (image: Uint8Array) => Uint8Array {
  const records: Layout1Record[] = v.pending.map((seq, i) => ({ slot: i, seq, button: 1 + (i % 3), pending: true }));
  const last = v.pending.at(-1) ?? 0;
  if (v.nextSeq !== undefined && v.nextSeq - 1 > last)
    records.push({ slot: records.length, seq: v.nextSeq - 1, button: 1, pending: false });
  return (image) => writeLayout1(image, records);
}

describe('send window: the windows.sender vectors in the firmware', () => {
  it('has the vectors', () => {
    expect(VECTORS.windows.sender.length).toBeGreaterThanOrEqual(10);
  });

  it.each(VECTORS.windows.sender.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    const box = await HostTerminal.start({ eeprom: startImage(v), window: v.inFlight });
    t = box;
    await box.run(100);
    let pending = pendingSeqs(await box.eeprom());
    expect(pending).toEqual(v.pending);
    let timerAt = box.time;
    for (const [i, step] of v.steps.entries()) {
      const where = `step ${i} ${JSON.stringify(step)}`;
      if (step.do === 'timeout') {
        // nothing before the timeout has run since the timer last (re)started...
        const early = box.sent.length;
        await box.keepAlive(Math.max(0, timerAt + step.ms! - box.time - EARLY_MS));
        expect(
          box.sent.slice(early).filter((s) => s.msg.type === 'VOTE'),
          `${where}: nothing before the timeout`,
        ).toEqual([]);
      }
      const from = box.sent.length;
      const at = box.time;
      if (step.do === 'welcome' || step.do === 'rx') await box.receiveLine(step.line!);
      else if (step.do === 'press') await box.tap(1, 40, 0);
      else if (step.do === 'hello') await box.loseLink();
      await box.run(step.do === 'timeout' ? EARLY_MS + SETTLE_MS : SETTLE_MS);
      const sent = box.sent
        .slice(from)
        .filter((s) => s.msg.type === 'VOTE')
        .map((s) => (s.msg as { seq: number }).seq);
      expect(sent, `${where}: VOTEs sent`).toEqual(step.send);
      const now = pendingSeqs(await box.eeprom());
      if (step.done !== undefined) {
        expect(
          pending.filter((q) => !now.includes(q)),
          `${where}: votes completed`,
        ).toEqual(step.done);
      }
      pending = now;
      // the timer (re)started: at the expiry, or when this step's frame arrived (a VOTE left, an ACK completed)
      if (step.do === 'timeout') timerAt += step.ms!;
      else if (step.send.length > 0 || (step.done?.length ?? 0) > 0) timerAt = at;
    }
  });
});
