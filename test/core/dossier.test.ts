import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseServed } from '../../core/counter-events.ts';
import { cleanDossierCode, isDossierCode } from '../../core/dossier.ts';
import { parseVote } from '../../core/vote.ts';
import { HOSTILE_INPUTS, T1, dossierArb, junkArb, makeVote, vnTime } from './arbitraries.ts';

const served = { v: 1, at: vnTime('2026-12-01', 9) };

describe('dossier codes', () => {
  it('accepts iGate-like codes and refuses formulas, spaces and control characters', () => {
    expect(isDossierCode('000.00.12.H26-251126-0001')).toBe(true);
    expect(isDossierCode('H26.12/2026-0042')).toBe(true);
    for (const bad of ['', '=HYPERLINK("x")', '+1', '-1', '@a', 'a b', 'a\u0000', 'x'.repeat(49), 'mã-hồ-sơ'])
      expect(isDossierCode(bad)).toBe(false);
  });

  it('cleans what a scanner types (spaces around, nothing else)', () => {
    expect(cleanDossierCode('  H26-0001\t')).toBe('H26-0001');
    expect(cleanDossierCode('H26 0001')).toBeUndefined();
  });

  it('never throws on any string (property)', () => {
    fc.assert(fc.property(fc.string(), (s) => typeof isDossierCode(s) === 'boolean' && (cleanDossierCode(s) ?? '').length <= 48));
  });
});

describe('dossier on _served and on votes', () => {
  it('a _served with a code gets the default stage tiếp nhận; with a stage keeps it', () => {
    expect(parseServed({ ...served, dossier: 'H26-0001' })).toEqual({
      ok: true,
      value: { ...served, dossier: 'H26-0001', stage: 'tiep-nhan' },
    });
    expect(parseServed({ ...served, dossier: 'H26-0001', stage: 'tra-ket-qua' })).toEqual({
      ok: true,
      value: { ...served, dossier: 'H26-0001', stage: 'tra-ket-qua' },
    });
  });

  it('refuses a stage without a code, an unknown stage, and a code that is not one, naming the field', () => {
    expect(parseServed({ ...served, stage: 'tiep-nhan' })).toMatchObject({ ok: false, field: 'stage' });
    expect(parseServed({ ...served, dossier: 'H26-0001', stage: 'xong' })).toMatchObject({ ok: false, code: 'bad-enum', field: 'stage' });
    expect(parseServed({ ...served, dossier: '=cmd|x' })).toMatchObject({ ok: false, field: 'dossier' });
  });

  it('round-trips any vote with a dossier (property)', () => {
    fc.assert(
      fc.property(dossierArb, (d) => {
        const vote = makeVote(T1, 1, 'hai-long', vnTime('2026-12-01'), d);
        expect(parseVote(JSON.stringify(vote))).toEqual({ ok: true, value: vote });
      }),
    );
  });

  it('never throws when dossier or stage is junk (property)', () => {
    fc.assert(
      fc.property(fc.oneof(junkArb, fc.constantFrom(...HOSTILE_INPUTS)), fc.boolean(), (junk, asStage) => {
        const r = parseServed({ ...served, dossier: asStage ? 'H26-1' : junk, ...(asStage ? { stage: junk } : {}) });
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});
