/**
 * The figures audit for real (issue 12, defect 1): the demo as its own
 * process (`hailong start`, embedded broker) on a first start with no data,
 * after a clean restart and after `kill -9`. Each time, every monthly tally
 * retained on the broker for this ward equals the fold of the votes in the
 * journal file: 13 months of history, none missing, none stale.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyVote, emptyTally, type Tally } from '../../core/tally.ts';
import { localParts } from '../../core/time.ts';
import { parseVote } from '../../core/vote.ts';
import { collect } from '../helpers/mqtt-collector.ts';
import { freePort } from '../helpers/ports.ts';

const repo = join(import.meta.dirname, '..', '..');
const LEVELS = ['rat-hai-long', 'hai-long', 'khong-hai-long'] as const;
let root = '';
let hailong: ChildProcess | undefined;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hailong-audit-e2e-'));
});

afterAll(async () => {
  await stop('SIGTERM');
  await rm(root, { recursive: true, force: true });
});

/** Starts the demo on fresh ports; resolves with the broker URL once the bridge has published its retained state. */
async function start(): Promise<string> {
  const [webPort, brokerPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [join(repo, 'bridge', 'bin.mjs'), 'start', '--data-dir', join(root, 'data'), '--web-root', join(root, 'no-web')],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HAILONG_LOG_FORMAT: 'json', HAILONG_WEB_PORT: String(webPort), HAILONG_BROKER_PORT: String(brokerPort) },
    },
  );
  hailong = child;
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!(out.includes('"endpoints"') && out.includes('retained state published'))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`hailong did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return `mqtt://127.0.0.1:${brokerPort}`;
}

async function stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  const child = hailong;
  hailong = undefined;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((r) => {
    child.once('exit', () => r());
    child.kill(signal);
  });
}

/** Terminal-month key of a tally topic `…/<counter>/<terminal>/tally/<month>`. */
const keyOfTopic = (topic: string) => topic.split('/').slice(4).join('/');

/**
 * Compares the broker's retained tallies of the demo's button boxes with the
 * journal. Live votes keep arriving, so a retained tally may trail the journal
 * by the votes of the last moments: it must equal the fold of the journal's
 * votes up to its own seq, and miss no vote received more than 3 s before.
 */
async function audit(url: string): Promise<number> {
  const sub = await collect(url, 'hailong/v1/ba-dinh/phuc-xa/+/+/tally/+');
  // Retained messages come at once after the subscribe; wait for the flow to go quiet.
  let seen = -1;
  while (seen !== sub.messages.length) {
    seen = sub.messages.length;
    await new Promise((r) => setTimeout(r, 700));
  }
  const readAt = Date.now();
  const retained = new Map<string, Tally>();
  for (const m of sub.messages)
    if (m.payload !== '' && m.topic.includes('/hop-')) retained.set(keyOfTopic(m.topic), JSON.parse(m.payload) as Tally);
  await sub.close();

  const db = new Database(join(root, 'data', 'journal.db'), { readonly: true });
  const folds = new Map<string, Tally>();
  const missed: string[] = [];
  for (const row of db.prepare('SELECT payload FROM votes ORDER BY id').iterate() as IterableIterator<{ payload: string }>) {
    const parsed = parseVote(row.payload);
    if (!parsed.ok) throw new Error(parsed.message);
    const vote = parsed.value;
    const month = localParts(vote.pressedAt).monthKey;
    const key = `${vote.counter}/${vote.terminal}/tally/${month}`;
    const held = retained.get(key);
    if (held !== undefined && vote.seq > held.seq) {
      if (vote.receivedAt < readAt - 3000) missed.push(`${key} misses ${vote.id}`);
      continue;
    }
    folds.set(key, applyVote(folds.get(key) ?? emptyTally(vote, month, LEVELS), vote));
  }
  db.close();
  expect([...retained.keys()].sort()).toEqual([...folds.keys()].sort());
  expect(missed).toEqual([]);
  for (const [key, tally] of folds) expect(retained.get(key), key).toEqual(tally);
  return new Set([...folds.keys()].map((k) => k.slice(-7))).size;
}

describe('figures audit: the demo process, its journal and the retained tallies', () => {
  it('agree after a first start, a restart and a kill -9', async () => {
    // First start: no data dir; a year of history is seeded.
    let url = await start();
    expect(await audit(url)).toBeGreaterThanOrEqual(13);
    await stop('SIGTERM');

    url = await start();
    expect(await audit(url)).toBeGreaterThanOrEqual(13);
    // Let live votes land, then crash in the middle of them.
    await new Promise((r) => setTimeout(r, 1500));
    await stop('SIGKILL');

    url = await start();
    expect(await audit(url)).toBeGreaterThanOrEqual(13);
  }, 180_000);
});
