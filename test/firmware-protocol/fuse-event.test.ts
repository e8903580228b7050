/**
 * EVENT FUSE values (PROTOCOL.md §5.9): what a box lacks, read from its raw
 * extended and high fuse bytes (ATmega328P: BODLEVEL = efuse bits 2..0, 100 =
 * 4.3 V; EESAVE = hfuse bit 3, 0 = programmed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, fuseEventValue, fuseMissing, parseFuseEvent } from '../../firmware-protocol/src/index.ts';

describe('EVENT FUSE', () => {
  it("reads what an Arduino Nano's and a flash-isp box's fuses lack", () => {
    expect(fuseMissing(0xfc, 0xd7)).toEqual([]); // flash-isp (Makefile EFUSE/HFUSE)
    expect(fuseMissing(0x04, 0xd7)).toEqual([]); // avrdude shows unused efuse bits as 0
    expect(fuseMissing(0xfd, 0xda)).toEqual(['BOD', 'EESAVE']); // Nano/Uno factory: BOD 2.7 V, Optiboot fuses
    expect(fuseMissing(0xff, 0xd7)).toEqual(['BOD']); // brown-out detector off
    expect(fuseMissing(0xfc, 0xdf)).toEqual(['EESAVE']);
    expect(fuseEventValue(0xfd, 0xda)).toBe('FD.DA.BOD-EESAVE');
    expect(fuseEventValue(0x05, 0x0a)).toBe('05.0A.BOD-EESAVE');
  });

  it('decodes the frame the firmware sends, and the value into the status shape', () => {
    const frame = decode('$EVENT,FUSE,FD.DA.BOD-EESAVE*3C71');
    expect(frame).toMatchObject({ ok: true, value: { type: 'EVENT', code: 'FUSE', value: 'FD.DA.BOD-EESAVE' } });
    expect(parseFuseEvent('FD.DA.BOD-EESAVE')).toEqual({ ok: true, value: { efuse: 0xfd, hfuse: 0xda, missing: ['BOD', 'EESAVE'] } });
    expect(parseFuseEvent('FC.DF.EESAVE')).toEqual({ ok: true, value: { efuse: 0xfc, hfuse: 0xdf, missing: ['EESAVE'] } });
  });

  it('refuses a value of another shape, or one its own bytes contradict, with a message naming both', () => {
    for (const bad of ['', 'FD.DA', 'fd.da.BOD-EESAVE', 'FD.DA.EESAVE-BOD', 'FD.DA.BOD-', 'FDD.A.BOD', 'FD.DA.WDT', '4380']) {
      expect(parseFuseEvent(bad)).toMatchObject({ ok: false, code: 'bad-value', field: 'value' });
    }
    const lie = parseFuseEvent('FC.D7.BOD');
    expect(lie).toMatchObject({ ok: false, code: 'bad-value' });
    expect(lie.ok ? '' : lie.message).toContain('mean nothing');
    expect(parseFuseEvent('FD.DA.BOD')).toMatchObject({ ok: false, code: 'bad-value' });
  });

  it('round-trips every pair of fuse bytes that lacks something, and refuses the rest', () => {
    for (let efuse = 0; efuse < 256; efuse++) {
      for (let hfuse = 0; hfuse < 256; hfuse++) {
        const missing = fuseMissing(efuse, hfuse);
        const r = parseFuseEvent(fuseEventValue(efuse, hfuse));
        if (missing.length === 0) expect(r.ok).toBe(false);
        else expect(r).toEqual({ ok: true, value: { efuse, hfuse, missing } });
      }
    }
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), (s) => {
        const r = parseFuseEvent(s);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});
