/**
 * Revocations at the hub (issue 10), in-process with the real embedded
 * Aedes, the real SQLite archive and real mqtt.js clients as the units'
 * bridges: a revocation is on disk when its unit gets the PUBACK, is stored
 * once however often it comes, applies to votes that arrive after it, is
 * refused and counted when it is foreign or malformed, and the hub's export,
 * `--by-unit` figures and `--revocations` audit trail leave out / list the
 * same votes as the ward.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { CommandIo } from '../../../bridge/commands/command-io.ts';
import { runExport } from '../../../bridge/commands/export.ts';
import { HubApp } from '../../../bridge/hub/hub-app.ts';
import { HubArchive, type ArchiveRecord } from '../../../bridge/hub/hub-archive.ts';
import { revocationMessages } from '../../../core/revocation.ts';
import { publicationFor } from '../../../core/topic-payload.ts';
import { hubConfig, vote, voteTopic } from './hub-fixtures.ts';
import { unitClient } from './hub-unit-client.ts';

const log = pino({ level: 'silent' });
const NOW = Date.UTC(2026, 10, 20, 5);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startHub(): Promise<{ app: HubApp; url: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hailong-hub-revocations-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const app = new HubApp({ config: hubConfig(join(dir, 'hub')), log, version: 'test', now: () => NOW });
  await app.start();
  cleanups.push(() => app.stop());
  return { app, url: app.endpoints('127.0.0.1').broker!.url, dir };
}

/** The revocation `id` of `unit`'s `hop-1` votes with these seqs, as its bridge publishes it. */
function revocation(unit: string, seqs: readonly number[], id = 1) {
  const ward = { district: 'ba-dinh', ward: unit };
  const [m] = revocationMessages(ward, {
    id,
    at: NOW - 1000,
    by: 'Nguyễn Văn An',
    reason: 'Hộp bị bấm phá',
    terminal: 'hop-1',
    votes: seqs.map((s) => `hop-1:${s}`),
  });
  return publicationFor('revocation', ward, m!);
}

/** Rows of the archive file through a connection of its own (what is on disk). */
function onDisk<T>(dir: string, sql: string): T[] {
  const db = new Database(join(dir, 'hub', 'archive.db'), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

describe('revocations at the hub', () => {
  it('are on disk at the PUBACK, stored once, and apply to votes that arrive after them', async () => {
    const { app, url, dir } = await startHub();
    const unit = await unitClient(url, 'phuc-xa', cleanups);
    const votes = [1, 2, 3, 4].map((s) => vote('phuc-xa', s));
    await unit.publishAsync(voteTopic(votes[0]!), JSON.stringify(votes[0]), { qos: 1 });
    const r = revocation('phuc-xa', [1, 3]);
    await unit.publishAsync(r.topic, r.payload, { qos: 1 });
    // PUBACK received: the marks are committed, vote 3 not even archived yet.
    expect(
      onDisk<{ unit: string; vote: string; revocation: number }>(dir, 'SELECT unit, vote, revocation FROM revoked_votes ORDER BY vote'),
    ).toEqual([
      { unit: 'phuc-xa', vote: 'hop-1:1', revocation: 1 },
      { unit: 'phuc-xa', vote: 'hop-1:3', revocation: 1 },
    ]);
    // The ward resends it (its PUBACK was lost): stored once.
    await unit.publishAsync(r.topic, r.payload, { qos: 1, dup: true });
    for (const v of votes.slice(1)) await unit.publishAsync(voteTopic(v), JSON.stringify(v), { qos: 1 });
    const rows = [...app.archive.rowsPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((row) => [JSON.parse(row.payload).id, row.revocation]);
    expect(rows.sort()).toEqual([
      ['hop-1:1', 1],
      ['hop-1:2', null],
      ['hop-1:3', 1],
      ['hop-1:4', null],
    ]);
    expect(app.archive.stats()).toMatchObject({ revocationsStored: 1, votesRevoked: 2 });
    expect(onDisk<{ n: number }>(dir, 'SELECT count(*) AS n FROM revocations')[0]!.n).toBe(1);
    expect(app.archive.revocations()).toEqual([
      expect.objectContaining({
        unit: 'phuc-xa',
        id: 1,
        by: 'Nguyễn Văn An',
        reason: 'Hộp bị bấm phá',
        terminal: 'hop-1',
        votes: ['hop-1:1', 'hop-1:3'],
        partsReceived: 1,
        parts: 1,
      }),
    ]);
  });

  it("refuses a unit revoking another unit's votes, and counts malformed revocations without affecting anything else", async () => {
    const { app, url } = await startHub();
    const truc = await unitClient(url, 'truc-bach', cleanups);
    const theirs = vote('truc-bach', 1);
    await truc.publishAsync(voteTopic(theirs), JSON.stringify(theirs), { qos: 1 });
    // 1. On the other unit's topic: the broker's ACL refuses it and closes the line.
    const phucXa = await unitClient(url, 'phuc-xa', cleanups);
    const foreign = revocation('truc-bach', [1]);
    const closed = new Promise<void>((done) => phucXa.once('close', () => done()));
    phucXa.publish(foreign.topic, foreign.payload, { qos: 1 });
    await closed;
    expect(app.broker!.stats().publishesRefused).toBeGreaterThanOrEqual(1);
    // 2. On its own topic but naming the other unit, a vote of another terminal, or garbage: acknowledged, refused, counted.
    const again = await unitClient(url, 'phuc-xa', cleanups);
    const own = revocation('phuc-xa', [1]);
    const bad = [
      foreign.payload, // names truc-bach
      own.payload.replace('"hop-1:1"', '"hop-2:1"'), // a vote of another terminal
      '{not json',
      JSON.stringify({ ...JSON.parse(own.payload), part: 2 }), // part beyond parts
    ];
    for (const p of bad) await again.publishAsync(own.topic, p, { qos: 1 });
    await again.publishAsync(own.topic, own.payload, { qos: 1 }); // the line survived: a good one goes through
    expect(app.counters.snapshot()['phuc-xa']).toEqual({
      accepted: 1,
      refused: { 'topic-mismatch': 1, 'id-mismatch': 1, 'bad-json': 1, 'out-of-range': 1 },
    });
    expect(app.archive.refusedCount()).toBe(4);
    // truc-bach's vote is untouched; phuc-xa's revocation of its own hop-1:1 is keyed to phuc-xa only.
    expect(app.archive.revokedKeys()).toEqual(['phuc-xa/hop-1:1']);
    expect([...app.archive.rowsPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((r) => r.revocation)).toEqual([null]);
  });
});

describe('the archive, whatever the order', () => {
  it('ends with the same votes and the same revoked set, whatever order and repeats the parts and votes arrive in (property)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hailong-hub-revocations-prop-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        // Up to three revocations of disjoint seqs (a ward lists only votes newly revoked).
        fc.array(fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 15 }), { maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        async (votes, asked, repeats, seed) => {
          const taken = new Set<number>();
          const revocations = asked.map((seqs, i) => {
            const own = seqs.filter((q) => !taken.has(q));
            for (const q of own) taken.add(q);
            return { id: i + 1, seqs: own };
          });
          const ward = { district: 'ba-dinh', ward: 'phuc-xa' };
          const records: ArchiveRecord[] = [
            ...Array.from({ length: votes }, (_, i) => {
              const v = vote('phuc-xa', i + 1);
              return { type: 'vote' as const, unit: 'phuc-xa', id: v.id, pressedAt: v.pressedAt, payload: JSON.stringify(v) };
            }),
            ...revocations.map((r) => ({
              type: 'revocation' as const,
              unit: 'phuc-xa',
              revocation: revocationMessages(ward, {
                id: r.id,
                at: NOW,
                by: 'Nguyễn Văn An',
                reason: 'Bấm thử',
                terminal: 'hop-1',
                votes: r.seqs.map((q) => `hop-1:${q}`),
              })[0]!,
            })),
          ];
          // Shuffle (seeded) and repeat some: QoS 1 redeliveries, a ward resending after a lost PUBACK.
          const order = [...records, ...repeats.map((n) => records[n % Math.max(1, records.length)]!).filter(Boolean)];
          let x = seed;
          for (let i = order.length - 1; i > 0; i--) {
            x = (x * 1103515245 + 12345) % 2 ** 31;
            const j = x % (i + 1);
            [order[i], order[j]] = [order[j]!, order[i]!];
          }
          const archive = new HubArchive({ path: join(dir, `archive-${run++}.db`) });
          archive.open();
          try {
            for (const r of order) await archive.store(r);
            const rows = [...archive.rowsPressedBetween(0, Number.MAX_SAFE_INTEGER)].map(
              (row) => [JSON.parse(row.payload).id as string, row.revocation] as const,
            );
            const expected = Array.from(
              { length: votes },
              (_, i) => [`hop-1:${i + 1}`, revocations.find((r) => r.seqs.includes(i + 1))?.id ?? null] as const,
            );
            expect(new Map(rows)).toEqual(new Map(expected));
            expect(rows).toHaveLength(votes);
            expect(archive.revokedKeys().sort()).toEqual(revocations.flatMap((r) => r.seqs.map((q) => `phuc-xa/hop-1:${q}`)).sort());
            expect(archive.revocations().map((r) => r.id)).toEqual(revocations.map((r) => r.id));
          } finally {
            archive.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('hailong export --config hub.yaml with revocations', () => {
  it('marks revoked votes as the ward does, leaves them out of --by-unit, and lists the audit trail', async () => {
    const { app, url, dir } = await startHub();
    const unit = await unitClient(url, 'phuc-xa', cleanups);
    const votes = [1, 2, 3, 4].map((s) => ({ ...vote('phuc-xa', s), level: 'hai-long' as const }));
    for (const v of votes) await unit.publishAsync(voteTopic(v), JSON.stringify(v), { qos: 1 });
    const r = revocation('phuc-xa', [2, 4], 7);
    await unit.publishAsync(r.topic, r.payload, { qos: 1 });
    await app.stop();
    const config = join(dir, 'hub.yaml');
    writeFileSync(
      config,
      stringify({
        district: { id: 'ba-dinh', name: 'Quận Ba Đình' },
        units: ['phuc-xa', 'truc-bach', 'lieu-giai'].map((id) => ({ id, name: `Phường ${id}`, kind: 'phường', password: `pw-${id}` })),
        dataDir: join(dir, 'hub'),
      }),
    );
    let err = '';
    const io: CommandIo = { env: {}, stdout: () => undefined, stderr: (t) => void (err += t) };
    const run = async (args: string[], out: string) => {
      expect(await runExport(['--config', config, ...args, '--out', join(dir, out)], io), err).toBe(0);
      return readFileSync(join(dir, out), 'utf8')
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
    };
    const rows = await run(['--period', '2026-11'], 'votes.csv');
    const cells = rows.slice(1).map((line) => line.split(','));
    expect(cells.map((c) => [c[0], c[8], c[16]])).toEqual([
      ['hop-1:1', 'có', ''],
      ['hop-1:2', 'không', 'thu hồi #7 (revoked)'],
      ['hop-1:3', 'có', ''],
      ['hop-1:4', 'không', 'thu hồi #7 (revoked)'],
    ]);
    const units = await run(['--period', '2026-11', '--by-unit'], 'units.csv');
    expect(err).toMatch(/2 votes 2026-11-01/); // the two revoked are not in the figures
    expect(units.find((l) => l.includes('phuc-xa'))).toBeDefined();
    const audit = await run(['--revocations'], 'revocations.csv');
    expect(audit).toHaveLength(2);
    expect(audit[1]).toContain('Nguyễn Văn An');
    expect(audit[1]).toContain('hop-1:2 hop-1:4');
    expect(audit[1]).toMatch(/,phuc-xa,Phường phuc-xa,1\/1$/);
  });
});
