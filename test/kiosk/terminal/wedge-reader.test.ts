import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCALE_3 } from '../../../core/index.ts';
import { initialState, scan, SCAN_HOLD_MS, tap, tick } from '../../../kiosk/src/terminal/terminal-machine.ts';
import type { TerminalSettings } from '../../../kiosk/src/terminal/terminal-machine.ts';
import { WedgeReader } from '../../../kiosk/src/terminal/wedge-reader.ts';

const T0 = 1_764_000_000_000;

function feed(reader: WedgeReader, text: string, start: number, gap: number): string | undefined {
  let at = start;
  for (const ch of text) {
    reader.key(ch, at);
    at += gap;
  }
  return reader.key('Enter', at);
}

describe('WedgeReader (USB scanner in keyboard mode)', () => {
  it('returns a fast burst ending in Enter, ignores Shift and slow typing', () => {
    const r = new WedgeReader();
    expect(feed(r, 'H26-0001', 0, 5)).toBe('H26-0001');
    r.key('Shift', 1000);
    expect(feed(r, 'AB12', 1001, 4)).toBe('AB12');
    expect(feed(r, 'H26-0002', 5000, 120)).toBeUndefined();
    // Too short to be a code: an Enter after two fast keys.
    expect(feed(r, 'ab', 9000, 3)).toBeUndefined();
  });

  it('a slow key before a burst starts a new code (a stray key is not glued on)', () => {
    const r = new WedgeReader();
    r.key('x', 0);
    expect(feed(r, 'H26-0003', 500, 5)).toBe('H26-0003');
  });

  it('one late key inside a fast scan does not split the code (a busy tablet)', () => {
    const r = new WedgeReader();
    let at = 0;
    for (const [i, ch] of [...'000.00.12.H26-261206-0007'].entries()) {
      at += i === 10 ? 120 : 5;
      r.key(ch, at);
    }
    expect(r.key('Enter', at + 5)).toBe('000.00.12.H26-261206-0007');
  });

  it('whatever the keys and gaps, never throws, never returns more than 64 chars, and returns a fast burst exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 500 })), { maxLength: 200 }),
        fc.stringMatching(/^[A-Za-z0-9.\-/]{4,40}$/),
        (keys, code) => {
          const r = new WedgeReader();
          let at = 0;
          for (const [k, gap] of keys) {
            at += gap;
            const out = r.key(k, at);
            if (out !== undefined) expect(out.length).toBeLessThanOrEqual(64);
          }
          expect(feed(r, code, at + 1000, 5)).toBe(code);
        },
      ),
    );
  });
});

describe('terminal machine: a scanned dossier code', () => {
  const settings: TerminalSettings = {
    scale: SCALE_3,
    cooldownMs: 0,
    mode: 'open',
    windowMs: 30_000,
    reasons: [],
    reasonTimeoutMs: 20_000,
    thanksMs: 4000,
    reasonArmMs: 400,
    noticeMs: 3000,
  };

  it('goes with the next counted vote only, and expires after SCAN_HOLD_MS', () => {
    let s = scan(initialState(settings), T0, 'H26-0001', 'tra-ket-qua');
    const first = tap(s, 'hai-long', T0 + 1000);
    expect(first.effects[0]).toMatchObject({ type: 'record', record: { dossier: 'H26-0001', stage: 'tra-ket-qua' } });
    const second = tap(first.state, 'hai-long', T0 + 2000);
    expect(second.effects[0]).toMatchObject({ type: 'record' });
    expect(second.effects[0]).not.toHaveProperty('record.dossier');
    s = scan(initialState(settings), T0, 'H26-0002', 'tiep-nhan');
    s = tick(s, T0 + SCAN_HOLD_MS).state;
    expect(s.scanned).toBeUndefined();
    expect(tap(s, 'hai-long', T0 + SCAN_HOLD_MS + 1).effects[0]).not.toHaveProperty('record.dossier');
  });
});
