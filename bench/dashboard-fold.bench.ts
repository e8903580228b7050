import { DEFAULT_SCALE, type Tally } from '../core/index.ts';
import { heatmapMemo } from '../dashboard/src/store/tally-digest.ts';
import { generateHistory } from '../bridge/demo/history.ts';
import { demoWards } from '../bridge/demo/demo-wards.ts';
import { buildReport } from '../dashboard/src/reports/report.ts';
import { resolvePeriod } from '../dashboard/src/period/period-choice.ts';
import { foldPeriod, rankRows, talliesUnder, trendPoints } from '../dashboard/src/store/period-figures.ts';
import { percentile, printFigures, printTarget, timeRuns } from './report.ts';

/**
 * What the district view recomputes for "Năm nay" over 1,000 terminals ×
 * 365 days (4 districts × 25 wards × 5 counters × 2 terminals, simulated by
 * bridge/demo/history.ts): the year and the previous year folded by
 * district, ward, counter and all; the ranked wards; the weekly trend; the
 * hour × weekday heat map; and the report table. The core fold alone is
 * measured by tally-fold.bench.ts (same data size); this adds everything the
 * view does on top of it, cold (nothing memoised) and warm (after a live
 * vote replaced one tally: dashboard/src/store/tally-digest.ts memoises each
 * tally's month). Issue #4 budget: ≤ 300 ms.
 */
const year = resolvePeriod({ kind: 'year' }, '2025-07-01');
console.log('generating 1,000 terminals × 365 days of history…');
const t0 = performance.now();
const tallies = [1, 2, 3, 4].flatMap((d) =>
  generateHistory({
    district: `quan-${d}`,
    wards: demoWards({ wards: 25, counters: 5, terminals: 2, officers: 2 }),
    from: year.range.from,
    to: year.range.to,
    seed: d,
  }),
);
const generatedMs = performance.now() - t0;
const terminals = new Set(tallies.map((t) => `${t.district}/${t.ward}/${t.counter}/${t.terminal}`)).size;
let votes = 0;
let rows = 0;
function view(ts: readonly Tally[]): void {
  const fold = foldPeriod(ts, year.range, year.previous, DEFAULT_SCALE);
  rows = rankRows(
    fold.current.get('ward'),
    fold.previous.get('ward'),
    '',
    (k) => k,
    () => 80,
  ).length;
  trendPoints(ts, year.range, DEFAULT_SCALE);
  heatmapMemo(ts, year.range);
  votes = fold.current.get('all')?.get('all')?.total ?? 0;
}
// Cold: every tally is a new object (nothing memoised), as on the first render after loading.
const cold: number[] = [];
for (let run = 0; run < 3; run++) {
  const fresh = tallies.map((t) => ({ ...t }));
  const start = performance.now();
  view(fresh);
  cold.push(performance.now() - start);
}
cold.sort((a, b) => a - b);
// Warm: a live vote replaced one terminal-month tally since the last render (the usual case).
let current = tallies.map((t) => ({ ...t }));
view(current);
const warm = timeRuns(() => {
  const i = Math.floor(Math.random() * current.length);
  current = current.map((t, j) => (j === i ? { ...t } : t));
  view(current);
}, 9);
const drill = timeRuns(() => {
  const scoped = talliesUnder(current, 'quan-1/phuc-xa/');
  foldPeriod(scoped, year.range, year.previous, DEFAULT_SCALE, ['officer']);
  trendPoints(scoped, year.range, DEFAULT_SCALE);
  heatmapMemo(scoped, year.range);
}, 7);
const report = timeRuns(
  () =>
    buildReport({
      tallies: current,
      range: year.range,
      level: 'ward',
      scale: DEFAULT_SCALE,
      locale: 'vi',
      periodLabel: 'Năm 2025',
      scopeLabel: '',
      name: (_l, k) => k,
      generatedAt: 0,
    }),
  7,
);
const median = (t: number[]) => percentile(t, 50);
printFigures('district view: 1,000 terminals × 365 days', [
  ['terminals', terminals, ''],
  ['monthly tallies', tallies.length, ''],
  ['votes in the year', votes, ''],
  ['wards ranked', rows, ''],
  ['history generation (bridge/demo/history.ts)', generatedMs, 'ms'],
  ['year view, cold (first render after load; median of 3)', median(cold), 'ms'],
  ['year view, warm (one tally changed by a live vote; median)', median(warm), 'ms'],
  ['  p90', percentile(warm, 90), 'ms'],
  ['drill into one ward: officers + trend + heat map (median)', median(drill), 'ms'],
  ['report table, wards, year (median)', median(report), 'ms'],
  ['core fold alone: see tally-fold.bench.ts', '—', ''],
]);
printTarget('year view recompute after a live vote (issue #4)', median(warm), 300, 'lower', 'ms');
printTarget('year view, cold first render', median(cold), 1000, 'lower', 'ms');
