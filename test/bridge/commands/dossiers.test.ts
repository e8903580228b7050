import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../bridge/commands/command-io.ts';
import { runDossiers } from '../../../bridge/commands/dossiers.ts';
import { RATED_COLUMNS, UNRATED_COLUMNS } from '../../../core/reconciliation.ts';
import { CSV_BOM, csvUndefuse } from '../../../core/csv.ts';
import { LEVEL_LABELS } from '../../../core/scale.ts';
import { parseCsv } from '../../helpers/csv-reader.ts';
import { code, fixtureOffice, pressesArb, writeJournal } from '../report/report-fixture.ts';

function io(): CommandIo & { err: () => string } {
  let err = '';
  return { env: {}, stdout: () => undefined, stderr: (t) => void (err += t), err: () => err };
}

describe('hailong dossiers (reconciliation export, issue 15)', () => {
  it('one CSV/JSON row per rated dossier and stage (the counted vote), and the served dossiers never rated (property over journals)', async () => {
    await fc.assert(
      fc.asyncProperty(pressesArb, async (presses) => {
        const office = fixtureOffice();
        try {
          const votes = await writeJournal(office.journalPath, '2026-11', presses);
          const out = join(office.dir, 'out');
          const cmd = io();
          expect(await runDossiers(['--config', office.configFile, '--period', '2026-11', '--out', out], cmd)).toBe(0);
          // Expected, from the journal: the counted vote of each dossier and stage.
          const counted = votes.filter((v) => v.filtered === undefined && v.dossier !== undefined);
          const keys = new Set(counted.map((v) => `${v.dossier}|${v.stage}`));
          expect(keys.size).toBe(counted.length); // the journal let one count per dossier and stage
          const text = readFileSync(join(out, 'dossiers-2026-11-01-2026-11-30.csv'), 'utf8');
          expect(text.startsWith(CSV_BOM)).toBe(true);
          const [header, ...rows] = parseCsv(text.slice(1).trimEnd() + '\r\n').filter((r) => r.length > 1);
          expect(header).toEqual(RATED_COLUMNS);
          expect(rows).toHaveLength(counted.length);
          for (const row of rows) {
            const vote = counted.find((v) => v.id === row[9]);
            expect(vote, `row ${row.join(',')}`).toBeDefined();
            expect(csvUndefuse(row[0]!)).toBe(vote!.dossier);
            expect(row[1]).toBe(vote!.stage === 'tiep-nhan' ? 'Tiếp nhận' : 'Trả kết quả');
            expect(row[3]).toBe(LEVEL_LABELS[vote!.level].vi);
            expect(row[5]).toBe('Phường Phúc Xá');
            expect(row[7]).toBe(vote!.officer === 'cb-1' ? 'Nguyễn Thị Lan' : vote!.officer === 'cb-2' ? 'Trần Văn Hùng' : '');
          }
          const json = JSON.parse(readFileSync(join(out, 'dossiers-2026-11-01-2026-11-30.json'), 'utf8')) as {
            dossiers: { vote: string; ratedAt: string }[];
          };
          expect(json.dossiers.map((d) => d.vote).sort()).toEqual(counted.map((v) => v.id).sort());
          // Served but never voted on (counted or flagged).
          const voted = new Set(votes.filter((v) => v.dossier !== undefined).map((v) => `${v.dossier}|${v.stage}`));
          const expectedUnrated = [];
          for (let n = 1; n <= 12; n++)
            for (const s of ['tiep-nhan', 'tra-ket-qua']) if (!voted.has(`${code(n)}|${s}`)) expectedUnrated.push(`${code(n)}|${s}`);
          const [uHeader, ...uRows] = parseCsv(
            readFileSync(join(out, 'dossiers-unrated-2026-11-01-2026-11-30.csv'), 'utf8').slice(1),
          ).filter((r) => r.length > 1);
          expect(uHeader).toEqual(UNRATED_COLUMNS);
          expect(uRows.map((r) => `${r[0]}|${r[1] === 'Tiếp nhận' ? 'tiep-nhan' : 'tra-ket-qua'}`).sort()).toEqual(expectedUnrated.sort());
          expect(cmd.err()).toContain(`${counted.length} rated dossiers`);
        } finally {
          office.remove();
        }
      }),
      { numRuns: 8 },
    );
  });

  it('leaves revoked votes out (a kiosk whose account leaked)', async () => {
    const office = fixtureOffice();
    try {
      const presses = Array.from({ length: 24 }, (_, i) => ({
        t: i % 3,
        level: 'hai-long' as const,
        day: 1 + i,
        minute: 60,
        officer: undefined,
        reasons: [],
        dossier: { n: 1 + (i % 12), stage: i < 12 ? ('tiep-nhan' as const) : ('tra-ket-qua' as const) },
        cooldown: false,
      }));
      const votes = await writeJournal(office.journalPath, '2026-11', presses);
      const { Journal } = await import('../../../bridge/journal/journal.ts');
      const journal = new Journal({ path: office.journalPath });
      journal.open();
      journal.revoke({ terminal: 'kiosk-3', reason: 'Tài khoản kiosk bị lộ', by: 'Nguyễn Văn A', at: Date.now() });
      journal.close();
      const out = join(office.dir, 'out');
      expect(await runDossiers(['--config', office.configFile, '--period', '2026-11', '--out', out], io())).toBe(0);
      const rows = parseCsv(readFileSync(join(out, 'dossiers-2026-11-01-2026-11-30.csv'), 'utf8').slice(1))
        .filter((r) => r.length > 1)
        .slice(1);
      const expected = votes.filter((v) => v.filtered === undefined && v.terminal !== 'kiosk-3');
      expect(rows.map((r) => r[9]).sort()).toEqual(expected.map((v) => v.id).sort());
      expect(rows.length).toBe(16);
    } finally {
      office.remove();
    }
  });

  it('refuses a bad period, naming it, with the help', async () => {
    const cmd = io();
    expect(await runDossiers(['--period', '2026-q5'], cmd)).toBe(2);
    expect(cmd.err()).toMatch(/"--period": period "2026-q5"/);
  });
});
