import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { HubArchive, MAX_REFUSED_ROWS } from '../../../bridge/hub/hub-archive.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function archiveIn(): HubArchive {
  const dir = mkdtempSync(join(tmpdir(), 'hailong-archive-'));
  dirs.push(dir);
  const a = new HubArchive({ path: join(dir, 'archive.db'), now: () => 1 });
  a.open();
  return a;
}

describe('HubArchive', () => {
  it('stores a vote once by (unit, id), the same id in two units twice, in one commit per turn', async () => {
    const a = archiveIn();
    const vote = (unit: string, id: string) => ({ type: 'vote' as const, unit, id, pressedAt: 5, payload: `{"id":"${id}"}` });
    const outcomes = await Promise.all([vote('a', 't:1'), vote('a', 't:1'), vote('b', 't:1'), vote('a', 't:2')].map((r) => a.store(r)));
    expect(outcomes).toEqual(['stored', 'duplicate', 'stored', 'stored']);
    expect(a.stats()).toMatchObject({ votesStored: 3, duplicates: 1, commits: 1 });
    expect(a.voteKeys().sort()).toEqual(['a/t:1', 'a/t:2', 'b/t:1']);
    expect(await a.store(vote('a', 't:1'))).toBe('duplicate');
    a.close();
  });

  it('keeps the newest retained payload per topic: a higher tally seq wins, a lower one does not', async () => {
    const a = archiveIn();
    const t = (ord: number) => ({
      type: 'retained' as const,
      topic: 'x/tally/2026-11',
      unit: 'a',
      kind: 'tally',
      month: '2026-11',
      ord,
      payload: String(ord),
    });
    await a.store(t(5));
    await a.store(t(3));
    expect(a.retained().map((r) => r.payload)).toEqual(['5']);
    await a.store(t(9));
    expect(a.retained().map((r) => r.payload)).toEqual(['9']);
    a.close();
  });

  it('keeps the last refused messages only', async () => {
    const a = archiveIn();
    const refused = { type: 'refused' as const, unit: 'a', topic: 't', code: 'bad-json', message: 'm', payload: 'p' };
    for (let i = 0; i < 3; i++) await Promise.all(Array.from({ length: MAX_REFUSED_ROWS / 2 }, () => a.store(refused)));
    expect(a.refusedCount()).toBeLessThanOrEqual(MAX_REFUSED_ROWS + 1);
    expect(a.stats().refused).toBe((3 * MAX_REFUSED_ROWS) / 2);
    a.close();
  });

  it('refuses an archive written by a newer hailong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hailong-archive-'));
    dirs.push(dir);
    const a = new HubArchive({ path: join(dir, 'archive.db') });
    a.open();
    a.close();
    const db = new Database(join(dir, 'archive.db'));
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema'").run();
    db.close();
    expect(() => new HubArchive({ path: join(dir, 'archive.db') }).open()).toThrow(/archive schema 99, newer than this hailong/);
  });
});
