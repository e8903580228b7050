import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../../bridge/journal/journal.ts';
import { SCHEMA_SQL, SCHEMA_VERSION } from '../../../bridge/journal/journal-schema.ts';
import type { VoteInput } from '../../../bridge/journal/vote-input.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hailong-forward-'));
  dirs.push(dir);
  return join(dir, 'journal.db');
}

const PATH = { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'hop-1' };
const T0 = Date.UTC(2026, 10, 23, 2, 0);
const input = (deviceSeq: number, source: VoteInput['source'] = 'button'): VoteInput => ({
  uid: 'HL-1',
  deviceSeq,
  path: PATH,
  level: 'hai-long',
  pressedAt: T0 + deviceSeq * 1000,
  receivedAt: T0 + deviceSeq * 1000 + 40,
  source,
});

describe('the forwarded mark (journal schema 2)', () => {
  it('is a mark of its own: publishing locally does not forward, forwarding does not publish', async () => {
    const j = new Journal({ path: tempPath() });
    j.open();
    for (let s = 1; s <= 5; s++) await j.append(input(s));
    const q = j.forwardQueue;
    expect(q.backlog()).toBe(5);
    const rows = q.next(0, 10);
    expect(rows.map((r) => JSON.parse(r.payload).id)).toEqual(['hop-1:1', 'hop-1:2', 'hop-1:3', 'hop-1:4', 'hop-1:5']);
    expect(rows[0]?.topic).toBe('hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/vote');
    j.markPublished(rows.map((r) => r.rowid));
    expect(q.backlog()).toBe(5);
    q.markForwarded([rows[1]!.rowid, rows[3]!.rowid]);
    q.markForwarded([rows[1]!.rowid]);
    expect(q.backlog()).toBe(3);
    expect(q.next(0, 10).map((r) => r.rowid)).toEqual([rows[0]!.rowid, rows[2]!.rowid, rows[4]!.rowid]);
    expect(q.next(rows[2]!.rowid, 1).map((r) => r.rowid)).toEqual([rows[4]!.rowid]);
    j.close();
    // Marks are durable: a restart resumes from the oldest unforwarded row.
    const again = new Journal({ path: j.options.path });
    again.open();
    expect(again.forwardQueue.next(0, 10).map((r) => r.rowid)).toEqual([rows[0]!.rowid, rows[2]!.rowid, rows[4]!.rowid]);
    again.close();
  });

  it('is added to a version-1 journal, whose votes all start unforwarded and keep their published mark', () => {
    const path = tempPath();
    const db = new Database(path);
    db.exec(SCHEMA_SQL);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema', '1')").run();
    const insert = db.prepare(
      'INSERT INTO votes (terminal, seq, uid, device_seq, pressed_at, received_at, topic, payload, published) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    insert.run('hop-1', 1, 'HL-1', 1, T0, T0, 'hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/vote', '{"id":"hop-1:1"}', 1);
    insert.run('hop-1', 2, 'HL-1', 2, T0, T0, 'hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/vote', '{"id":"hop-1:2"}', 0);
    db.close();
    const j = new Journal({ path });
    j.open();
    expect(j.forwardQueue.next(0, 10).map((r) => r.payload)).toEqual(['{"id":"hop-1:1"}', '{"id":"hop-1:2"}']);
    expect(j.outboxSize()).toBe(1);
    j.close();
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT value FROM meta WHERE key = 'schema'").get()).toEqual({ value: String(SCHEMA_VERSION) });
    // The backlog is read through the partial index, not by scanning every vote.
    const plan = check.prepare('EXPLAIN QUERY PLAN SELECT count(*) FROM votes WHERE forwarded = 0').all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('votes_forward');
    check.close();
    // Opening again is a no-op.
    const twice = new Journal({ path });
    twice.open();
    expect(twice.forwardQueue.backlog()).toBe(2);
    twice.close();
  });

  it('covers kiosk rows like button rows: the queue is the journal, whoever wrote the vote', async () => {
    const j = new Journal({ path: tempPath() });
    j.open();
    await j.append(input(1, 'button'));
    await j.append(input(2, 'touch'));
    expect(j.forwardQueue.next(0, 10).map((r) => JSON.parse(r.payload).source)).toEqual(['button', 'touch']);
    j.close();
  });
});

describe('the archived mark (hub receipts)', () => {
  it('names forwarded rows by terminal and seq range, idempotently, and never an unforwarded one', async () => {
    const j = new Journal({ path: tempPath() });
    j.open();
    for (let s = 1; s <= 5; s++) await j.append(input(s));
    const q = j.forwardQueue;
    const rows = q.next(0, 10);
    q.markForwarded(
      rows.slice(0, 4).map((r) => r.rowid),
      T0 + 5000,
    );
    expect(q.unarchivedCount()).toBe(4);
    expect(q.unarchived(T0 + 4999, 10)).toEqual([]);
    expect(q.unarchived(T0 + 5000, 10).map((r) => [r.terminal, r.seq, r.forwardedAt])).toEqual([
      ['hop-1', 1, T0 + 5000],
      ['hop-1', 2, T0 + 5000],
      ['hop-1', 3, T0 + 5000],
      ['hop-1', 4, T0 + 5000],
    ]);
    // Seq 5 is not forwarded: a receipt naming it changes nothing (the forwarder still owes it).
    expect(q.markArchived('hop-1', [[2, 5]])).toBe(3);
    expect(q.markArchived('hop-1', [[2, 5]])).toBe(0);
    expect(q.markArchived('hop-2', [[1, 9]])).toBe(0);
    expect(q.unarchivedCount()).toBe(1);
    // Back to unforwarded: only a forwarded, unarchived row.
    expect(q.reforward(rows.map((r) => r.rowid))).toBe(1);
    expect(q.reforward(rows.map((r) => r.rowid))).toBe(0);
    expect(q.next(0, 10).map((r) => JSON.parse(r.payload).id)).toEqual(['hop-1:1', 'hop-1:5']);
    j.close();
  });

  it('is added to a journal that has only the forwarded mark: rows forwarded before keep it, with no PUBACK time', () => {
    const path = tempPath();
    const db = new Database(path);
    db.exec(SCHEMA_SQL);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema', '2')").run();
    db.exec('ALTER TABLE votes ADD COLUMN forwarded INTEGER NOT NULL DEFAULT 0');
    db.prepare(
      'INSERT INTO votes (terminal, seq, uid, device_seq, pressed_at, received_at, topic, payload, published, forwarded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run('hop-1', 1, 'HL-1', 1, T0, T0, 'hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/vote', '{"id":"hop-1:1"}', 1, 1);
    db.close();
    const j = new Journal({ path });
    j.open();
    expect(j.forwardQueue.backlog()).toBe(0);
    expect(j.forwardQueue.unarchived(0, 10)).toEqual([{ rowid: 1, terminal: 'hop-1', seq: 1, forwardedAt: 0 }]);
    j.close();
    const check = new Database(path, { readonly: true });
    const plan = check
      .prepare(
        'EXPLAIN QUERY PLAN SELECT id FROM votes WHERE forwarded = 1 AND archived = 0 AND COALESCE(forwarded_at, 0) <= 5 ORDER BY forwarded_at',
      )
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('votes_unarchived');
    check.close();
  });
});
