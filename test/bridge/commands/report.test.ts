/**
 * `hailong report` (issue 15, item 2): the XLSX of the report pack opened
 * with the system's unzip, its sheet XML parsed, and every figure checked
 * cell by cell against an independent fold of the journal's votes; the
 * printable HTML has the national heading, the formulas and the signature
 * block, and Chromium renders it on A4 (screenshot for docs/REPORTS.md).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../bridge/commands/command-io.ts';
import { runReport } from '../../../bridge/commands/report.ts';
import { parseOffice } from '../../../core/office.ts';
import { DEFAULT_OPENING_HOURS } from '../../../core/opening-hours.ts';
import { percent } from '../../../core/percent.ts';
import { localMidnight } from '../../../core/time.ts';
import type { Vote } from '../../../core/vote.ts';
import { fixtureOffice, pressesArb, writeJournal } from '../report/report-fixture.ts';

const LEVELS = ['rat-hai-long', 'hai-long', 'khong-hai-long'] as const;
const POINTS = { 'rat-hai-long': 2, 'hai-long': 1, 'khong-hai-long': 0 } as const;
const NOW = localMidnight('2026-12-06') + 9 * 3_600_000;

function io(): CommandIo & { err: () => string } {
  let err = '';
  return { env: {}, stdout: () => undefined, stderr: (t) => void (err += t), err: () => err };
}

/** Cells of a sheet of the XLSX, read with the system's unzip: ref → number or text ('' for an empty cell). */
function sheetCells(xlsx: string, n: number): Map<string, number | string> {
  const xml = execFileSync('unzip', ['-p', xlsx, `xl/worksheets/sheet${n}.xml`], { encoding: 'utf8' });
  const cells = new Map<string, number | string>();
  for (const m of xml.matchAll(/<c r="([A-Z]+[0-9]+)"[^>]*?(?:\/>|>(.*?)<\/c>)/g)) {
    const body = m[2] ?? '';
    const v = /<v>(.*?)<\/v>/.exec(body);
    const t = /<t[^>]*>(.*?)<\/t>/.exec(body);
    cells.set(
      m[1]!,
      v !== null
        ? Number(v[1])
        : t !== null
          ? t[1]!
              .replace(/&amp;/g, '&')
              .replace(/&lt;/g, '<')
              .replace(/&gt;/g, '>')
              .replace(/&quot;/g, '"')
          : '',
    );
  }
  return cells;
}

/** The journal's fold, written apart from core's report pack. */
function foldVotes(votes: readonly Vote[]) {
  const counted = votes.filter((v) => v.filtered === undefined);
  const counts = LEVELS.map((l) => counted.filter((v) => v.level === l).length);
  const total = counted.length;
  const points = counted.reduce((s, v) => s + POINTS[v.level as keyof typeof POINTS], 0);
  return {
    total,
    counts,
    filtered: votes.length - total,
    satisfied: total === 0 ? null : percent(counts[0]! + counts[1]!, total, 2),
    pointsIndex: total === 0 ? null : percent(points, 2 * total, 2),
    qd766: total === 0 ? null : Math.round(((18 * points) / (2 * total)) * 100 + 1e-9) / 100,
  };
}

const empty = (v: number | null) => (v === null ? '' : v);

describe('hailong report (report pack, issue 15)', () => {
  it('the XLSX equals the journal’s fold cell by cell: unit row, counters, officers, reasons (property over journals)', async () => {
    await fc.assert(
      fc.asyncProperty(pressesArb, pressesArb, async (november, october) => {
        const office = fixtureOffice();
        try {
          const oct = await writeJournal(office.journalPath, '2026-10', october);
          const all = await writeJournal(office.journalPath, '2026-11', november, 28, 1000);
          const nov = all.filter((v) => v.pressedAt >= localMidnight('2026-11-01'));
          const out = join(office.dir, 'out');
          const cmd = io();
          expect(await runReport(['--config', office.configFile, '--period', '2026-11', '--out', out], cmd, () => NOW), cmd.err()).toBe(0);
          const xlsx = join(out, 'bao-cao-2026-11-01-2026-11-30.xlsx');
          const s1 = sheetCells(xlsx, 1);
          expect(s1.get('A1')).toBe('BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG');
          expect(s1.get('A3')).toBe('Kỳ báo cáo: Tháng 11/2026 (01/11/2026 – 30/11/2026); so sánh với kỳ trước: 01/10/2026 – 31/10/2026');
          expect(s1.get('A4')).toBe('Phúc Xá, ngày 06 tháng 12 năm 2026');
          const f = foldVotes(nov);
          const prev = foldVotes(oct);
          const row = 7;
          const expected: (number | string)[] = [
            1,
            'Phường Phúc Xá',
            f.total,
            ...f.counts.flatMap((n) => [n, empty(percent(n, f.total, 2))]),
            empty(f.satisfied),
            80,
            f.total === 0
              ? 'Chưa có lượt đánh giá'
              : f.total < 30
                ? 'Ít lượt'
                : (f.counts[0]! + f.counts[1]!) * 100 >= 80 * f.total
                  ? 'Đạt'
                  : 'Chưa đạt',
            empty(prev.satisfied),
            f.satisfied === null || prev.satisfied === null ? '' : Math.round(f.satisfied * 100 - prev.satisfied * 100) / 100,
            empty(f.pointsIndex),
            empty(f.qd766),
            f.filtered,
          ];
          expected.forEach((v, i) =>
            expect(s1.get(`${String.fromCharCode(65 + i)}${row}`), `sheet 1 ${String.fromCharCode(65 + i)}${row}`).toBe(v),
          );
          // Total row = the unit (one unit).
          expect(s1.get(`C${row + 1}`)).toBe(f.total);
          // Counters (sheet 2) and officers (sheet 3): one row each, sorted by name.
          const counterNames: Record<string, string> = {
            'quay-1': 'Quầy 1 – Tư pháp, hộ tịch',
            'quay-2': 'Quầy 2 – Đất đai, xây dựng',
            'quay-3': 'Quầy 3 – Lao động, thương binh và xã hội',
          };
          const officerNames: Record<string, string> = { 'cb-1': 'Nguyễn Thị Lan', 'cb-2': 'Trần Văn Hùng' };
          for (const [sheet, key, names] of [
            [2, (v: Vote) => v.counter, counterNames],
            [3, (v: Vote) => v.officer, officerNames],
          ] as const) {
            const cells = sheetCells(xlsx, sheet);
            const groups = [...new Set(nov.map(key).filter((k): k is string => k !== undefined))].sort((a, b) =>
              names[a]!.localeCompare(names[b]!, 'vi'),
            );
            groups.forEach((g, i) => {
              const r = 7 + i;
              const gf = foldVotes(nov.filter((v) => key(v) === g));
              expect(cells.get(`A${r}`)).toBe(names[g]);
              expect(cells.get(`B${r}`)).toBe(gf.total);
              gf.counts.forEach((n, j) => {
                expect(cells.get(`${String.fromCharCode(67 + 2 * j)}${r}`)).toBe(n);
                expect(cells.get(`${String.fromCharCode(68 + 2 * j)}${r}`)).toBe(empty(percent(n, gf.total, 2)));
              });
              expect(cells.get(`I${r}`)).toBe(empty(gf.satisfied));
            });
            expect(cells.get(`A${7 + groups.length}`)).toBeUndefined();
          }
          // Reasons (sheet 4): low votes per TT 01 criterion.
          const low = nov.filter((v) => v.filtered === undefined && v.level === 'khong-hai-long');
          const criterion: Record<string, string> = {
            'thai-do': 'thai-do',
            'thoi-gian-cho': 'thoi-gian',
            'huong-dan': 'huong-dan',
            'thu-tuc': 'thu-tuc',
            'phi-le-phi': 'phi',
            khac: 'khac',
          };
          const s4 = sheetCells(xlsx, 4);
          ['thai-do', 'thoi-gian', 'huong-dan', 'thu-tuc', 'phi', 'khac'].forEach((c, i) => {
            const n = low.filter((v) => (v.reasons ?? []).some((r) => criterion[r] === c)).length;
            expect(s4.get(`B${7 + i}`), `criterion ${c}`).toBe(n);
            expect(s4.get(`C${7 + i}`)).toBe(empty(percent(n, low.length, 2)));
          });
          expect(s4.get('B13')).toBe(low.length);
          const html = readFileSync(join(out, 'bao-cao-2026-11-01-2026-11-30.html'), 'utf8');
          expect(html).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
          expect(html).toContain('THỦ TRƯỞNG ĐƠN VỊ');
          expect(html).toContain('18 × Σ điểm / (2 × tổng số lượt)');
        } finally {
          office.remove();
        }
      }),
      { numRuns: 6 },
    );
  });
});

describe('hailong report --config hub.yaml', () => {
  it('ranks every unit of the archive with its vote count', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { HubArchive } = await import('../../../bridge/hub/hub-archive.ts');
    const { vote } = await import('../hub/hub-fixtures.ts');
    const dir = mkdtempSync(join(tmpdir(), 'hailong-hub-report-'));
    try {
      const repo = join(import.meta.dirname, '..', '..', '..');
      writeFileSync(
        join(dir, 'hub.yaml'),
        readFileSync(join(repo, 'hub.example.yaml'), 'utf8').replace('dataDir: ./hub-data', `dataDir: ${join(dir, 'archive')}`),
      );
      const archive = new HubArchive({ path: join(dir, 'archive', 'archive.db') });
      archive.open();
      const nov = localMidnight('2026-11-10') + 9 * 3_600_000;
      // phuc-xa: 40 votes, 8 KHL (80%); truc-bach: 3 votes (few).
      const all = [
        ...Array.from({ length: 40 }, (_, i) => vote('phuc-xa', i + 1, nov + i)),
        ...Array.from({ length: 3 }, (_, i) => vote('truc-bach', i + 1, nov + i)),
      ];
      for (const v of all)
        await archive.store({ type: 'vote', unit: v.ward, id: v.id, pressedAt: v.pressedAt, payload: JSON.stringify(v) });
      // The unit's retained _office names its counters: the pack shows the name, not the id.
      const office = {
        v: 1,
        district: 'ba-dinh',
        ward: 'phuc-xa',
        districtName: 'Quận Ba Đình',
        wardName: 'Phường Phúc Xá',
        scale: 'scale-3',
        target: 80,
        openingHours: DEFAULT_OPENING_HOURS,
        updatedAt: NOW,
        counters: [{ id: 'quay-1', name: 'Quầy 1 – Tư pháp', terminals: [{ id: 'hop-1', kind: 'button' }] }],
      };
      expect(parseOffice(JSON.stringify(office))).toMatchObject({ ok: true });
      await archive.store({
        type: 'retained',
        topic: 'hailong/v1/ba-dinh/phuc-xa/_office',
        unit: 'phuc-xa',
        kind: 'office',
        ord: 0,
        payload: JSON.stringify(office),
      });
      archive.close();
      const cmd = io();
      expect(
        await runReport(['--config', join(dir, 'hub.yaml'), '--period', '2026-11', '--out', join(dir, 'out')], cmd, () => NOW),
        cmd.err(),
      ).toBe(0);
      const s1 = sheetCells(join(dir, 'out', 'bao-cao-2026-11-01-2026-11-30.xlsx'), 1);
      expect([s1.get('A7'), s1.get('C7'), s1.get('J7'), s1.get('L7')]).toEqual([1, 40, 80, 'Đạt']);
      expect([s1.get('A8'), s1.get('C8'), s1.get('L8')]).toEqual([2, 3, 'Ít lượt']);
      const s2 = sheetCells(join(dir, 'out', 'bao-cao-2026-11-01-2026-11-30.xlsx'), 2);
      expect([s2.get('A7'), s2.get('B7'), s2.get('C7')]).toEqual(['Phường Phúc Xá', 'Quầy 1 – Tư pháp', 40]);
      expect([s2.get('A8'), s2.get('B8')]).toEqual(['Phường Trúc Bạch', 'quay-1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
