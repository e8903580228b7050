import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_BUDGETS, FIRST_PAINT_BUDGETS, firstPaintGzip, measureApp, totalGzip, type AppName } from '../../bench/bundle-size.ts';

/** A message ajv's own code holds (ajv/dist/vocabularies/applicator/additionalProperties.js). */
const AJV_MESSAGE = 'must NOT have additional properties';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('bundle budgets (gzipped JS)', () => {
  for (const app of Object.keys(BUNDLE_BUDGETS) as AppName[]) {
    const firstPaint = FIRST_PAINT_BUDGETS[app];
    const title = `${app} builds and stays within ${BUNDLE_BUDGETS[app] / 1024} KB${firstPaint === undefined ? '' : `, ${firstPaint / 1024} KB before the first paint`}`;
    it(title, async () => {
      const out = await mkdtemp(join(tmpdir(), `hailong-${app}-`));
      dirs.push(out);
      const chunks = await measureApp(app, out);
      expect(chunks.length).toBeGreaterThan(0);
      for (const c of chunks)
        console.log(`${app}: ${c.file} ${c.bytes} B, ${c.gzipBytes} B gzip${c.initial ? ', before the first paint' : ''}`);
      expect(totalGzip(chunks)).toBeLessThanOrEqual(BUNDLE_BUDGETS[app]);
      expect(chunks.filter((c) => c.initial).length).toBeGreaterThan(0);
      if (firstPaint !== undefined) expect(firstPaintGzip(chunks)).toBeLessThanOrEqual(firstPaint);
      // Both apps load MQTT.js after their first paint, as a chunk of its own (issue #16).
      const mqtt = chunks.filter((c) => /(^|\/)mqtt[.-]/.test(c.file));
      expect(mqtt.map((c) => c.file)).toHaveLength(1);
      expect(mqtt[0]?.initial).toBe(false);
      // ajv validates config files in the bridge (bridge/config/config-schema.ts); a browser
      // bundle never carries it. Its error text survives minification, unlike its names.
      for (const c of chunks) expect(await readFile(join(out, c.file), 'utf8'), c.file).not.toContain(AJV_MESSAGE);
    });
  }
});
