import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../bridge/commands/command-io.ts';
import { runExport } from '../../../bridge/commands/export.ts';
import { HubArchive } from '../../../bridge/hub/hub-archive.ts';
import { vote } from '../hub/hub-fixtures.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('hailong export --config hub.yaml', () => {
  it("exports a period's votes of every unit from the archive, with progress", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hailong-hub-export-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'hub.yaml'),
      readFileSync(join(REPO, 'hub.example.yaml'), 'utf8').replace('dataDir: ./hub-data', 'dataDir: ./archive'),
    );
    const archive = new HubArchive({ path: join(dir, 'archive', 'archive.db') });
    archive.open();
    const nov = Date.UTC(2026, 10, 10, 3);
    const dec = Date.UTC(2026, 11, 1, 3);
    const all = [vote('phuc-xa', 1, nov), vote('truc-bach', 1, nov + 1000), vote('lieu-giai', 1, dec), vote('phuc-xa', 2, nov + 2000)];
    await Promise.all(
      all.map((v) => archive.store({ type: 'vote', unit: v.ward, id: v.id, pressedAt: v.pressedAt, payload: JSON.stringify(v) })),
    );
    archive.close();
    let err = '';
    const io: CommandIo = { env: {}, stdout: () => undefined, stderr: (t) => void (err += t) };
    const out = join(dir, 'nov.csv');
    expect(await runExport(['--config', join(dir, 'hub.yaml'), '--period', '2026-11', '--out', out], io)).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\r\n');
    expect(rows).toHaveLength(4); // header + 3 November votes, every unit
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 6).join(','))).toEqual([
      expect.stringContaining('phuc-xa'),
      expect.stringContaining('truc-bach'),
      expect.stringContaining('phuc-xa'),
    ]);
    expect(err).toMatch(/Exporting 3 votes pressed 2026-11-01 … 2026-11-30/);
    expect(err).toMatch(/Done: 3 votes written/);
  });
});
