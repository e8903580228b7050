/**
 * Issue 11: a hub archive with votes of two old wards before the 2025 merger
 * and of the new commune after it. The year's figure of the new commune holds
 * all of them; the first half-year (and `--apart`) still shows the old wards;
 * headings carry the configured level words, never a hard-coded "quận".
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../bridge/commands/command-io.ts';
import { runExport } from '../../../bridge/commands/export.ts';
import { HubArchive } from '../../../bridge/hub/hub-archive.ts';
import type { Vote } from '../../../core/vote.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const HUB = `
province: { id: ha-noi, name: Thành phố Hà Nội }
units:
  - id: ba-dinh
    name: Phường Ba Đình
    kind: phường
    password: p1
    mergedFrom:
      - { id: phuc-xa, name: Phường Phúc Xá, until: 2025-06-30 }
      - { id: truc-bach, name: Phường Trúc Bạch, until: 2025-06-30 }
  - { id: ia-grai, name: Xã Ia Grai, kind: xã, password: p2 }
  - { id: co-so-2, name: Trung tâm Phục vụ hành chính công – cơ sở 2, kind: cơ sở, password: p3 }
dataDir: ./archive
`;

function vote(ward: string, seq: number, pressedAt: number, satisfied: boolean): Vote {
  return {
    v: 1,
    id: `${ward}-hop:${seq}`,
    district: 'ha-noi',
    ward,
    counter: 'quay-1',
    terminal: `${ward}-hop`,
    seq,
    level: satisfied ? 'hai-long' : 'khong-hai-long',
    pressedAt,
    receivedAt: pressedAt,
    source: 'button',
  };
}

/** `n` votes of `ward` from `start`, the first `good` of them satisfied. */
function votes(ward: string, start: number, n: number, good: number): Vote[] {
  return Array.from({ length: n }, (_, k) => vote(ward, k + 1, start + k * 60_000, k < good));
}

/** The cells of one RFC 4180 line (quoted cells may hold commas). */
function cells(line: string): string[] {
  return [...line.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)]
    .slice(0, -1)
    .map((m) => (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replaceAll('""', '"') : m[1]!));
}

async function rig(): Promise<{ dir: string; run: (args: string[]) => Promise<{ code: number; csv: string[][] }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hailong-hub-mergers-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'hub.yaml'), HUB);
  const archive = new HubArchive({ path: join(dir, 'archive', 'archive.db') });
  archive.open();
  const all = [
    ...votes('phuc-xa', Date.UTC(2025, 2, 10, 2), 10, 8), // March 2025: 8/10
    ...votes('truc-bach', Date.UTC(2025, 4, 12, 2), 10, 5), // May 2025: 5/10
    ...votes('ba-dinh', Date.UTC(2025, 8, 3, 2), 20, 18), // September 2025, the new ward: 18/20
    ...votes('ia-grai', Date.UTC(2025, 9, 1, 2), 4, 4),
    ...votes('co-so-2', Date.UTC(2025, 10, 1, 2), 5, 4), // a provincial center's site is a unit like a commune
  ];
  await Promise.all(
    all.map((v) => archive.store({ type: 'vote', unit: v.ward, id: v.id, pressedAt: v.pressedAt, payload: JSON.stringify(v) })),
  );
  archive.close();
  return {
    dir,
    async run(args) {
      const out = join(dir, 'out.csv');
      const io: CommandIo = { env: {}, stdout: () => undefined, stderr: () => undefined };
      const code = await runExport(['--config', join(dir, 'hub.yaml'), ...args, '--out', out], io);
      const csv = readFileSync(out, 'utf8')
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n')
        .map(cells);
      return { code, csv };
    },
  };
}

describe('hailong export --by-unit across the 2025 mergers', () => {
  it("the year 2025: the new ward's figure holds its predecessors' votes (31 of 40 = 77,5%)", async () => {
    const { run } = await rig();
    const { code, csv } = await run(['--period', '2025', '--by-unit']);
    expect(code).toBe(0);
    expect(csv[0]?.[1]).toBe('Phường/xã/cơ sở (unit)');
    expect(csv.slice(1).map((r) => r.join('|'))).toEqual([
      'ba-dinh|Phường Ba Đình|Phường Phúc Xá; Phường Trúc Bạch||40|31|77,5',
      'ia-grai|Xã Ia Grai|||4|4|100',
      'co-so-2|Trung tâm Phục vụ hành chính công – cơ sở 2|||5|4|80',
    ]);
  });

  it('the same year with --apart: each old ward on its own line, saying where it went', async () => {
    const { run } = await rig();
    const { csv } = await run(['--period', '2025', '--by-unit', '--apart']);
    expect(csv.slice(1).map((r) => r.join('|'))).toEqual([
      'ba-dinh|Phường Ba Đình|||20|18|90',
      'ia-grai|Xã Ia Grai|||4|4|100',
      'co-so-2|Trung tâm Phục vụ hành chính công – cơ sở 2|||5|4|80',
      'phuc-xa|Phường Phúc Xá||Phường Ba Đình|10|8|80',
      'truc-bach|Phường Trúc Bạch||Phường Ba Đình|10|5|50',
    ]);
  });

  it('the first half of 2025 ends before the merger: the old wards as they were', async () => {
    const { run } = await rig();
    const { csv } = await run(['--period', '2025-h1', '--by-unit']);
    expect(csv.slice(1).map((r) => r.join('|'))).toEqual(['phuc-xa|Phường Phúc Xá|||10|8|80', 'truc-bach|Phường Trúc Bạch|||10|5|50']);
  });

  it('the vote export says the configured levels and the unit each vote counts for', async () => {
    const { run } = await rig();
    const { csv } = await run(['--period', '2025']);
    const header = csv[0] ?? [];
    expect(header.slice(1, 3)).toEqual(['Thành phố (parent: district or province)', 'Phường/xã/cơ sở (ward)']);
    expect(header.join(',')).not.toMatch(/[Qq]uận/);
    expect(header.slice(-2)).toEqual(['Tên phường/xã/cơ sở (unit name)', 'Tính cho (counts for, at 2025-12-31)']);
    const phucXa = csv.find((r) => r[2] === 'phuc-xa');
    expect(phucXa?.slice(-2)).toEqual(['Phường Phúc Xá', 'Phường Ba Đình']);
  });
});
