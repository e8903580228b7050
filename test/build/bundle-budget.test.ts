import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_BUDGETS, measureApp, totalGzip, type AppName } from '../../bench/bundle-size.ts';

/** A message ajv's own code holds (ajv/dist/vocabularies/applicator/additionalProperties.js). */
const AJV_MESSAGE = 'must NOT have additional properties';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('bundle budgets (gzipped JS)', () => {
  for (const app of Object.keys(BUNDLE_BUDGETS) as AppName[]) {
    it(`${app} builds and stays within ${BUNDLE_BUDGETS[app] / 1024} KB`, async () => {
      const out = await mkdtemp(join(tmpdir(), `hailong-${app}-`));
      dirs.push(out);
      const chunks = await measureApp(app, out);
      expect(chunks.length).toBeGreaterThan(0);
      for (const c of chunks) console.log(`${app}: ${c.file} ${c.bytes} B, ${c.gzipBytes} B gzip`);
      expect(totalGzip(chunks)).toBeLessThanOrEqual(BUNDLE_BUDGETS[app]);
      // ajv validates config files in the bridge (bridge/config/config-schema.ts); a browser
      // bundle never carries it. Its error text survives minification, unlike its names.
      for (const c of chunks) expect(await readFile(join(out, c.file), 'utf8'), c.file).not.toContain(AJV_MESSAGE);
    });
  }
});
