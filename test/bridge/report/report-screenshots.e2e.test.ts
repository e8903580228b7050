/**
 * Pictures of the issue-15 reports for docs/REPORTS.md, taken in real
 * Chromium from the real commands' output on a month of journal: the report
 * pack's printable page (A4 landscape, printed to PDF too, so the print CSS
 * is exercised) and the reconciliation CSV shown as a table. Pictures go to
 * test-results/reports/ (gitignored); with HAILONG_UPDATE_SCREENSHOTS=1
 * they replace docs/screenshots/report-*.png (commit them).
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../bridge/commands/command-io.ts';
import { runDossiers } from '../../../bridge/commands/dossiers.ts';
import { runReport } from '../../../bridge/commands/report.ts';
import { localMidnight } from '../../../core/time.ts';
import { parseCsv } from '../../helpers/csv-reader.ts';
import { launchChromium } from '../../helpers/chromium.ts';
import { fixtureOffice, pressesArb, writeJournal, type FixtureOffice } from './report-fixture.ts';

const repo = join(import.meta.dirname, '..', '..', '..');
const OUT = process.env.HAILONG_UPDATE_SCREENSHOTS === '1' ? join(repo, 'docs', 'screenshots') : join(repo, 'test-results', 'reports');
const quiet: CommandIo = { env: {}, stdout: () => undefined, stderr: () => undefined };
let browser: Browser | undefined;
let office: FixtureOffice;

beforeAll(async () => {
  office = fixtureOffice();
  // A fixed month of presses (seeded), October for the comparison.
  const nov = fc.sample(pressesArb, { seed: 15, numRuns: 12 }).flat();
  const oct = fc.sample(pressesArb, { seed: 10, numRuns: 8 }).flat();
  await writeJournal(office.journalPath, '2026-10', oct);
  await writeJournal(office.journalPath, '2026-11', nov, 28, 1000);
  [browser] = await Promise.all([launchChromium(), mkdir(OUT, { recursive: true })]);
});

afterAll(async () => {
  await browser?.close();
  office?.remove();
});

describe('report screenshots (docs/REPORTS.md)', () => {
  it('the report pack prints on A4 with the national heading, the tables and the signature block', async () => {
    const out = join(office.dir, 'out');
    expect(
      await runReport(
        ['--config', office.configFile, '--period', '2026-11', '--out', out],
        quiet,
        () => localMidnight('2026-12-06') + 9 * 3_600_000,
      ),
    ).toBe(0);
    const page = await browser!.newPage({ viewport: { width: 1123, height: 794 } });
    await page.goto(`file://${join(out, 'bao-cao-2026-11-01-2026-11-30.html')}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG');
    // The national heading stays on one line at A4 width.
    const motto = await page.locator('.motto').first().boundingBox();
    expect(motto!.height).toBeLessThan(30);
    await page.screenshot({ path: join(OUT, 'report-pack.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.close();
  });

  it('the reconciliation CSV, shown as a table', async () => {
    const out = join(office.dir, 'dossiers');
    expect(await runDossiers(['--config', office.configFile, '--period', '2026-11', '--out', out], quiet)).toBe(0);
    const rows = parseCsv(readFileSync(join(out, 'dossiers-2026-11-01-2026-11-30.csv'), 'utf8').slice(1)).filter((r) => r.length > 1);
    expect(rows.length).toBeGreaterThan(1);
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const html = `<!doctype html><meta charset="utf-8"><style>body{font:13px sans-serif;margin:12px}table{border-collapse:collapse}td,th{border:1px solid #999;padding:3px 6px}th{background:#e8eef4}</style>
<p><b>dossiers-2026-11-01-2026-11-30.csv</b> (mở trong Excel / LibreOffice)</p><table>${rows
      .slice(0, 16)
      .map((r, i) => `<tr>${r.map((c) => (i === 0 ? `<th>${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`)
      .join('')}</table>`;
    const file = join(out, 'view.html');
    await writeFile(file, html);
    const page = await browser!.newPage({ viewport: { width: 1366, height: 600 } });
    await page.goto(`file://${file}`);
    await page.screenshot({ path: join(OUT, 'report-dossiers.png'), fullPage: true });
    await page.close();
  });
});
