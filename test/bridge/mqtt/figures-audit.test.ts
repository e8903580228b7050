/**
 * The figures audit (issue 12, defect 1): whatever writes votes into the
 * journal, and whenever the broker connection comes and the bridge restarts,
 * every retained tally equals the fold of the journal's votes. The broker is
 * faked at the MqttLink seam (a map of retained topics), the journal and the
 * retained-state feature are the real ones on a real SQLite file.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { applyVote, emptyTally, type Tally } from '../../../core/tally.ts';
import { localMidnight, localParts } from '../../../core/time.ts';
import { parseVote, type Vote } from '../../../core/vote.ts';
import { publicationFor } from '../../../core/topic-payload.ts';
import type { TopicKind, TopicParams, TopicPayload } from '../../../core/topic.ts';
import { demoConfig } from '../../../bridge/demo/demo-office.ts';
import { Journal } from '../../../bridge/journal/journal.ts';
import type { MqttLink } from '../../../bridge/mqtt/mqtt-link.ts';
import { RetainedState } from '../../../bridge/mqtt/retained-state.ts';

/** The broker as the retained-state feature sees it: retained topics, last payload wins. */
class RetainedBroker extends EventEmitter {
  connected = false;
  connectionAt = 0;
  readonly retained = new Map<string, string>();
  async publish<K extends TopicKind>(kind: K, params: TopicParams<K>, payload: TopicPayload<K>): Promise<void> {
    if (!this.connected) throw new Error('not connected');
    const p = publicationFor(kind, params, payload);
    if (p.retain) this.retained.set(p.topic, p.payload);
  }
  connect(): void {
    this.connected = true;
    this.connectionAt = Date.now();
    this.emit('connect');
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const config = demoConfig({ dataDir: '/nonexistent', ports: [] });
const TERMINALS = config.counters.flatMap((c) =>
  c.terminals.map((t) => ({ district: config.district.id, ward: config.ward.id, counter: c.id, terminal: t.id })),
);
const LEVELS = config.scale.levels.map((l) => l.key);
const log = pino({ level: 'silent' });

/** Local midnight of the first day of the month `back` months before this one. */
function monthStart(back: number): number {
  const [y, m] = localParts(Date.now()).monthKey.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - back;
  return localMidnight(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`);
}

/** Every retained tally must be the fold of the journal's votes, and every journal terminal-month retained. */
function audit(dbPath: string, broker: RetainedBroker): void {
  const db = new Database(dbPath, { readonly: true });
  const expected = new Map<string, Tally>();
  for (const row of db.prepare('SELECT payload FROM votes ORDER BY id').iterate() as IterableIterator<{ payload: string }>) {
    const parsed = parseVote(row.payload);
    if (!parsed.ok) throw new Error(parsed.message);
    const vote: Vote = parsed.value;
    const month = localParts(vote.pressedAt).monthKey;
    const topic = publicationFor('tally', { ...vote, month }, emptyTally(vote, month, LEVELS)).topic;
    expected.set(topic, applyVote(expected.get(topic) ?? emptyTally(vote, month, LEVELS), vote));
  }
  db.close();
  const retained = new Map(
    [...broker.retained].filter(([topic]) => topic.includes('/tally/')).map(([t, p]) => [t, JSON.parse(p) as Tally]),
  );
  expect([...retained.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [topic, tally] of expected) expect(retained.get(topic), topic).toEqual(tally);
}

type Step =
  | { op: 'votes'; votes: { terminal: number; back: number; day: number; minute: number; level: number; filtered: boolean }[] }
  | { op: 'connect' }
  | { op: 'disconnect' }
  | { op: 'restart' }
  | { op: 'settle' };

const voteArb = fc.record({
  terminal: fc.nat(TERMINALS.length - 1),
  // 13 months: this one and the 12 before it; old months get late votes at any point.
  back: fc.nat(12),
  day: fc.nat(27),
  minute: fc.integer({ min: 7 * 60 + 30, max: 17 * 60 - 1 }),
  level: fc.nat(LEVELS.length - 1),
  filtered: fc.nat(19).map((n) => n === 0),
});
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('votes' as const), votes: fc.array(voteArb, { minLength: 1, maxLength: 40 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'connect' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'disconnect' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
  { weight: 2, arbitrary: fc.constant({ op: 'settle' as const }) },
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('figures audit: retained tallies = fold of the journal', () => {
  it('holds after start, while votes of any month are written, across connects and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
        const dir = mkdtempSync(join(tmpdir(), 'hailong-audit-'));
        dirs.push(dir);
        const path = join(dir, 'journal.db');
        const broker = new RetainedBroker();
        const deviceSeqs = new Map<string, number>();
        const open = () => {
          // tallyFlushMs 1: saves (and drops old months from memory) between steps.
          const journal = new Journal({ path, levels: LEVELS, tallyFlushMs: 1 });
          journal.open();
          const retained = new RetainedState(config, journal, broker as unknown as MqttLink, log, () => ({}), 'test', { tallyDelayMs: 1 });
          retained.start();
          return { journal, retained };
        };
        let bridge = open();
        broker.connect();
        for (const step of steps) {
          if (step.op === 'votes') {
            // Written as the demo seeds history and a kiosk's votes arrive: straight into the journal.
            await Promise.all(
              step.votes.map((v) => {
                const path = TERMINALS[v.terminal] as (typeof TERMINALS)[number];
                const uid = `UID-${path.terminal}`;
                const deviceSeq = (deviceSeqs.get(uid) ?? 0) + 1;
                deviceSeqs.set(uid, deviceSeq);
                const pressedAt = Math.min(Date.now() - 1000, monthStart(v.back) + v.day * 86_400_000 + v.minute * 60_000);
                return bridge.journal.append({
                  uid,
                  deviceSeq,
                  path,
                  level: LEVELS[v.level] as (typeof LEVELS)[number],
                  pressedAt,
                  receivedAt: pressedAt + 40,
                  source: 'button',
                  ...(v.filtered ? { filtered: 'cooldown' as const } : {}),
                });
              }),
            );
          } else if (step.op === 'connect') broker.connect();
          else if (step.op === 'disconnect') broker.connected = false;
          else if (step.op === 'settle') await sleep(5);
          else {
            await bridge.retained.stop();
            bridge.journal.close();
            bridge = open();
            if (broker.connected) broker.connect();
            await sleep(5);
            if (broker.connected) audit(path, broker);
          }
        }
        if (!broker.connected) broker.connect();
        await sleep(20);
        audit(path, broker);
        await bridge.retained.stop();
        bridge.journal.close();
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
