/**
 * Tests mirror the tree (docs/ARCHITECTURE.md, "Conventions"): a unit test of
 * `kiosk/src/<path>/<module>.ts(x)` lives at `test/kiosk/<path>/<module>.test.ts(x)`,
 * so the test of a module is found from its path. End-to-end tests
 * (`*.e2e.test.ts`) drive the whole kiosk and stay at `test/kiosk/`; one that
 * needs a real broker for one module sits at its path too
 * (`test/kiosk/mqtt/lazy-mqtt-client.e2e.test.ts`).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');

/** Every unit test file under `dir` (relative, with forward slashes). */
async function unitTests(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.test\.tsx?$/.test(e.name) && !e.name.endsWith('.e2e.test.ts'))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** The source files a test at `test/kiosk/<rel>` may test. */
function sourcesOf(rel: string): string[] {
  const stem = rel.replace(/\.test\.tsx?$/, '');
  return [`kiosk/src/${stem}.ts`, `kiosk/src/${stem}.tsx`];
}

describe('tests mirror the tree (kiosk)', () => {
  it('maps a test path to its module path', () => {
    expect(sourcesOf('terminal/wedge-reader.test.ts')).toEqual([
      'kiosk/src/terminal/wedge-reader.ts',
      'kiosk/src/terminal/wedge-reader.tsx',
    ]);
    expect(sourcesOf('views/kiosk-view.test.tsx')).toContain('kiosk/src/views/kiosk-view.tsx');
  });

  it('every unit test of the kiosk sits at the path of the module it tests', async () => {
    const tests = await unitTests(join(repo, 'test', 'kiosk'));
    expect(tests.length).toBeGreaterThan(5);
    const misplaced = tests.filter((t) => !sourcesOf(t).some((s) => existsSync(join(repo, s))));
    expect(misplaced, 'test/kiosk/<path>/<module>.test.ts must test kiosk/src/<path>/<module>.ts').toEqual([]);
  });
});
