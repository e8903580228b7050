import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_BUDGETS, FIRST_PAINT_BUDGETS, firstPaintGzip, measureApp, totalGzip, type AppName } from './bundle-size.ts';
import { printFigures, printTarget } from './report.ts';

/**
 * Bundle size per web app and per chunk, gzipped, against the budget; the
 * comparison is Preact itself, the floor any Preact app pays.
 */
for (const app of Object.keys(BUNDLE_BUDGETS) as AppName[]) {
  const out = await mkdtemp(join(tmpdir(), `hailong-bench-${app}-`));
  console.log(`building ${app}…`);
  const chunks = await measureApp(app, out);
  await rm(out, { recursive: true, force: true });
  printFigures(
    `${app}: JavaScript chunks`,
    chunks.map((c) => [c.file, c.gzipBytes / 1024, `KB gzip (${(c.bytes / 1024).toFixed(1)} KB raw)`] as const),
  );
  const firstPaint = FIRST_PAINT_BUDGETS[app];
  if (firstPaint !== undefined)
    printTarget(`${app} JS before the first paint`, firstPaintGzip(chunks) / 1024, firstPaint / 1024, 'lower', 'KB gzip');
  printTarget(`${app} total JS`, totalGzip(chunks) / 1024, BUNDLE_BUDGETS[app] / 1024, 'lower', 'KB gzip');
}
