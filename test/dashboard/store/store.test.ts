import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { voteKey } from '../../../core/index.ts';
import type { LevelKey, Publication } from '../../../core/index.ts';
import { evaluateAlerts } from '../../../dashboard/src/alerts/rules.ts';
import { buildReport } from '../../../dashboard/src/reports/report.ts';
import { scaleOf } from '../../../dashboard/src/store/names.ts';
import { wardCounterFigures } from '../../../dashboard/src/store/office-figures.ts';
import { DashboardStore } from '../../../dashboard/src/store/store.ts';
import { FakeBridge, MORNING, officePub, sessionPub, statusPub, DISTRICT, WARD } from '../fixtures.ts';

const TODAY = '2025-03-03';
const encoder = new TextEncoder();
const bytes = (p: Publication) => encoder.encode(p.payload);

/** Every figure the dashboard shows, as one comparable text. */
function figures(store: DashboardStore): string {
  const ward = `${DISTRICT}/${WARD.id}`;
  const scale = scaleOf(store.offices.get(ward));
  return JSON.stringify({
    tallies: [...store.tallies.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    tiles: wardCounterFigures(store, ward, TODAY),
    votes: store.votes.all().map(voteKey),
    statuses: [...store.statuses.entries()].sort(),
    sessions: [...store.sessions.entries()].sort(),
    offices: [...store.offices.entries()],
    names: [...store.officerNames.entries()].sort(),
    alerts: evaluateAlerts({
      votes: store.votes.all(),
      statuses: store.statuses.entries(),
      bridges: store.bridges.entries(),
      offices: store.offices,
      scaleOf: () => scale,
      now: MORNING + 3_600_000,
    }),
    report: buildReport({
      tallies: store.tallies.values(),
      range: { from: '2025-03-01', to: '2025-03-31' },
      level: 'counter',
      scale,
      locale: 'vi',
      periodLabel: 'Tháng 3/2025',
      scopeLabel: 'Phường Phúc Xá',
      name: (_l, k) => k,
      generatedAt: 0,
    }).rows,
  });
}

const voteSpec = fc.record({
  counter: fc.constantFrom(0, 1),
  terminal: fc.constantFrom(0, 1),
  level: fc.constantFrom<LevelKey>('rat-hai-long', 'hai-long', 'khong-hai-long'),
  minute: fc.integer({ min: 0, max: 400 }),
  filtered: fc.constantFrom(undefined, undefined, undefined, 'cooldown' as const),
  officer: fc.constantFrom(undefined, 'cb-1', 'cb-3'),
});

/** The messages a bridge publishes for a run of votes (every intermediate tally too) plus retained state. */
type VoteSpec = typeof voteSpec extends fc.Arbitrary<infer T> ? T : never;

function scenario(specs: VoteSpec[]): Publication[] {
  const bridge = new FakeBridge();
  const pubs: Publication[] = [officePub(1)];
  // Votes of one terminal are numbered in press order, as a terminal does.
  const sorted = [...specs].sort((a, b) => a.minute - b.minute);
  for (const s of sorted) {
    const counter = WARD.counters[s.counter]!;
    const terminal = counter.terminals[s.terminal % counter.terminals.length]!;
    const { publications } = bridge.vote(counter.id, terminal, s.level, MORNING + s.minute * 60_000, {
      ...(s.officer ? { officer: s.officer } : {}),
      ...(s.filtered ? { filtered: s.filtered } : {}),
    });
    pubs.push(...publications);
  }
  pubs.push(statusPub('quay-1', 'q1-a', 'online', MORNING), statusPub('quay-1', 'q1-a', 'offline', MORNING + 5000));
  pubs.push(sessionPub('quay-1', 'cb-1', 'Nguyễn Thị Lan', MORNING), sessionPub('quay-1', 'cb-2', 'Trần Văn Hùng', MORNING + 1000));
  pubs.push(officePub(2));
  return pubs;
}

/** The dashboard's clock in these tests: after every tally they publish (a tally from its future is refused). */
const STORE_NOW = Date.UTC(2026, 0, 1);

function run(pubs: readonly Publication[]): DashboardStore {
  const store = new DashboardStore({ now: () => STORE_NOW });
  for (const p of pubs) store.apply(p.topic, bytes(p));
  return store;
}

describe('DashboardStore', () => {
  it('applies votes, tallies, statuses, sessions and the office; live figures come from tallies', () => {
    const bridge = new FakeBridge();
    const store = new DashboardStore();
    store.apply(officePub().topic, officePub().payload);
    for (const level of ['rat-hai-long', 'hai-long', 'khong-hai-long', 'rat-hai-long'] as const) {
      for (const p of bridge.vote('quay-1', 'q1-a', level, MORNING).publications) expect(store.apply(p.topic, bytes(p)).ok).toBe(true);
    }
    const [tile] = wardCounterFigures(store, `${DISTRICT}/${WARD.id}`, TODAY);
    expect(tile!.today.total).toBe(4);
    expect(tile!.today.satisfied).toBe(3);
    expect(tile!.lastVoteAt).toBe(MORNING);
    expect(tile!.terminals.map((t) => t.id)).toEqual(['q1-a']);
    expect(store.votes.size).toBe(4);
    expect(store.rejects.total).toBe(0);
  });

  it('counts a duplicate as unchanged and a stale tally as no change', () => {
    const bridge = new FakeBridge();
    const store = new DashboardStore();
    const [vote1, tally1] = bridge.vote('quay-1', 'q1-a', 'hai-long', MORNING).publications;
    const [, tally2] = bridge.vote('quay-1', 'q1-a', 'hai-long', MORNING + 1000).publications;
    expect(store.apply(vote1.topic, vote1.payload)).toMatchObject({ ok: true, changed: true, kind: 'vote' });
    expect(store.apply(vote1.topic, vote1.payload)).toMatchObject({ ok: true, changed: false });
    expect(store.apply(tally2.topic, tally2.payload)).toMatchObject({ ok: true, changed: true });
    expect(store.apply(tally1.topic, tally1.payload)).toMatchObject({ ok: true, changed: false });
    expect(store.stats).toMatchObject({ messages: 4, applied: 2, duplicates: 2 });
  });

  it('refuses and counts a forged tally (seq 4,294,967,295) and one from the future; the bridge’s next copy wins (issue 13)', () => {
    const bridge = new FakeBridge();
    const store = new DashboardStore({ now: () => STORE_NOW });
    const [, tally1] = bridge.vote('quay-1', 'q1-a', 'hai-long', MORNING).publications;
    const [, tally2] = bridge.vote('quay-1', 'q1-a', 'khong-hai-long', MORNING + 1000).publications;
    expect(store.apply(tally1.topic, tally1.payload)).toMatchObject({ ok: true, changed: true });
    const real = JSON.parse(tally1.payload as string);
    expect(store.apply(tally1.topic, JSON.stringify({ ...real, seq: 4_294_967_295 }))).toMatchObject({
      ok: false,
      code: 'tally-seq-absurd',
    });
    expect(store.apply(tally1.topic, JSON.stringify({ ...real, updatedAt: STORE_NOW + 86_400_000 }))).toMatchObject({
      ok: false,
      code: 'tally-from-future',
    });
    expect(store.rejects.byCode()).toEqual([
      ['tally-from-future', 1],
      ['tally-seq-absurd', 1],
    ]);
    expect(store.apply(tally2.topic, tally2.payload)).toMatchObject({ ok: true, changed: true });
  });

  it('rejects and counts bad payloads by code, never throwing', () => {
    const store = new DashboardStore();
    const bridge = new FakeBridge();
    const [vote] = bridge.vote('quay-1', 'q1-a', 'hai-long', MORNING).publications;
    const forged = JSON.stringify({ ...JSON.parse(vote.payload), ward: 'other' });
    expect(store.apply(vote.topic, forged)).toMatchObject({ ok: false, code: 'topic-mismatch' });
    expect(store.apply(vote.topic, '{')).toMatchObject({ ok: false, code: 'bad-json' });
    expect(store.apply('hailong/v1/x', '{}')).toMatchObject({ ok: false, code: 'bad-topic' });
    expect(store.apply(vote.topic, new Uint8Array([0xff, 0xfe]))).toMatchObject({ ok: false, code: 'bad-utf8' });
    expect(store.apply(vote.topic, new Uint8Array(5_000_000))).toMatchObject({ ok: false, code: 'too-large' });
    expect(store.apply(42, 42)).toMatchObject({ ok: false });
    expect(store.apply(vote.topic, '')).toEqual({ ok: 'cleared' });
    expect(store.rejects.total).toBe(6);
    expect(store.rejects.byCode().map(([c]) => c)).toEqual([
      'bad-json',
      'bad-topic',
      'bad-type',
      'bad-utf8',
      'too-large',
      'topic-mismatch',
    ]);
    expect(store.votes.size).toBe(0);
    expect(store.tallies.size).toBe(0);
  });

  it('statuses: a later state wins; an equal-time offline (a last will) beats online', () => {
    const store = new DashboardStore();
    store.apply(statusPub('quay-1', 'q1-a', 'online', 100).topic, statusPub('quay-1', 'q1-a', 'online', 100).payload);
    store.apply(statusPub('quay-1', 'q1-a', 'offline', 100).topic, statusPub('quay-1', 'q1-a', 'offline', 100).payload);
    expect(store.statuses.get(`${DISTRICT}/${WARD.id}/quay-1/q1-a`)?.state).toBe('offline');
    store.apply(statusPub('quay-1', 'q1-a', 'online', 200).topic, statusPub('quay-1', 'q1-a', 'online', 200).payload);
    store.apply(statusPub('quay-1', 'q1-a', 'offline', 150).topic, statusPub('quay-1', 'q1-a', 'offline', 150).payload);
    expect(store.statuses.get(`${DISTRICT}/${WARD.id}/quay-1/q1-a`)?.state).toBe('online');
  });

  it('snapshot → hydrate round-trips, re-validating and counting corrupt cache entries', () => {
    const pubs = scenario([{ counter: 0, terminal: 0, level: 'hai-long', minute: 3, filtered: undefined, officer: 'cb-1' }]);
    const a = run(pubs);
    const b = new DashboardStore();
    const snap = JSON.parse(JSON.stringify(a.snapshot()));
    snap.tallies.push({ v: 1, bogus: true });
    snap.statuses.push(['x', { state: 'maybe' }]);
    expect(b.hydrate(snap)).toBe(2);
    expect(figures(b)).toBe(figures(a));
    expect(new DashboardStore().hydrate({ tallies: 'nope' as never })).toBe(0);
  });

  it('PROPERTY: any duplication and reordering of the same messages yields identical figures', () => {
    fc.assert(
      fc.property(
        fc.array(voteSpec, { minLength: 1, maxLength: 25 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 0, maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (specs, order, dupes) => {
          const pubs = scenario(specs);
          const reference = figures(run(pubs));
          const shuffled = pubs.map((p, i) => ({ p, k: order[i % Math.max(1, order.length)] ?? 0, i }));
          for (const d of dupes) shuffled.push({ p: pubs[d % pubs.length]!, k: ((d * 7919) % 1000) / 1000, i: -1 });
          shuffled.sort((a, b) => a.k - b.k || a.i - b.i);
          expect(figures(run(shuffled.map((s) => s.p)))).toBe(reference);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('PROPERTY: hostile payloads never throw, are all counted, and never change a figure', () => {
    const topics = [
      'hailong/v1/ba-dinh/phuc-xa/quay-1/q1-a/vote',
      'hailong/v1/ba-dinh/phuc-xa/quay-1/q1-a/tally/2025-03',
      'hailong/v1/ba-dinh/phuc-xa/quay-1/q1-a/status',
      'hailong/v1/ba-dinh/phuc-xa/quay-1/_session',
      'hailong/v1/ba-dinh/phuc-xa/_office',
      'hailong/v1/ba-dinh/phuc-xa/_bridge/status',
    ];
    const hostile = fc.oneof(
      fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''),
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constantFrom(
        '{"v":1}',
        '{"__proto__":{"x":1}}',
        '[]',
        'null',
        '{"v":2,"state":"online","at":1}',
        '{"v":1,"state":"online","at":-1}',
      ),
      fc.anything(),
    );
    fc.assert(
      fc.property(
        fc.array(voteSpec, { minLength: 1, maxLength: 10 }),
        fc.array(fc.tuple(fc.oneof(fc.constantFrom(...topics), fc.string()), hostile), { minLength: 1, maxLength: 30 }),
        (specs, bad) => {
          const pubs = scenario(specs);
          const reference = figures(run(pubs));
          const store = new DashboardStore({ now: () => STORE_NOW });
          let rejected = 0;
          bad.forEach(([topic, payload], i) => {
            const outcome = store.apply(topic, payload);
            if (outcome.ok === false) rejected += 1;
            // Interleave with the real messages.
            const p = pubs[i % pubs.length]!;
            if (i < pubs.length) store.apply(p.topic, bytes(p));
          });
          for (const p of pubs.slice(bad.length)) store.apply(p.topic, bytes(p));
          expect(store.rejects.total).toBe(rejected);
          expect(figures(store)).toBe(reference);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('unit summaries (a hub)', () => {
  it('keeps the latest summary per unit-month, refuses a forged one, and forgets them on sign-out', async () => {
    const { applyVotes, emptyTally, publicationFor, unitMonthOf } = await import('../../../core/index.ts');
    const path = { district: DISTRICT, ward: WARD.id, counter: 'quay-1', terminal: 'hop-1' };
    const t = applyVotes(emptyTally(path, '2026-11'), [
      {
        v: 1,
        id: 'hop-1:1',
        ...path,
        seq: 1,
        level: 'hai-long',
        pressedAt: Date.UTC(2026, 10, 2, 3),
        receivedAt: Date.UTC(2026, 10, 2, 3),
        source: 'button',
      },
    ]);
    const u = unitMonthOf({ district: DISTRICT, ward: WARD.id, month: '2026-11' }, [t]);
    const store = new DashboardStore();
    const p = publicationFor('unit-month', u, u);
    expect(store.apply(p.topic, p.payload)).toMatchObject({ ok: true, kind: 'unit-month', changed: true });
    expect(store.apply(p.topic, JSON.stringify({ ...u, updatedAt: u.updatedAt - 1 }))).toMatchObject({ ok: true, changed: false });
    expect(store.apply(p.topic, JSON.stringify({ ...u, seq: 0 }))).toMatchObject({ ok: false, code: 'inconsistent' });
    expect([...store.unitMonths.values()]).toEqual([u]);
    store.clear();
    expect(store.unitMonths.size).toBe(0);
  });
});
