import { daysInMonth, DEFAULT_SCALE, foldTallies, heatmap, parseTally, scaleKeys, type Tally, type TallyDay } from '../core/index.ts';
import { percentile, printFigures, printTarget, timeRuns } from './report.ts';

/**
 * Folding a district-year: 1,000 terminals × 365 days of monthly tallies
 * (4 districts × 25 wards × 5 counters × 2 terminals; 10 open hours a day),
 * into per-counter, per-ward and per-district figures for the whole year.
 * The floor, measured side by side, is summing the same number of day counts
 * from one flat Int32Array: the cost of only touching the numbers.
 */
const YEAR = 2025;
const levels = scaleKeys(DEFAULT_SCALE);
const width = levels.length;

// Deterministic pseudo-random counts (xorshift32), so every run folds the same data.
let state = 0x9e3779b9;
function rand(max: number): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % max;
}

function monthTally(district: string, ward: string, counter: string, terminal: string, month: number): Tally {
  const days: Record<string, TallyDay> = {};
  let seq = 0;
  for (let d = 1; d <= daysInMonth(YEAR, month); d++) {
    const c = new Array<number>(width).fill(0);
    const h: Record<string, number[]> = {};
    for (let hour = 7; hour < 17; hour++) {
      const counts = [rand(4), rand(3), rand(10) === 0 ? 1 : 0];
      h[String(hour).padStart(2, '0')] = counts;
      for (let i = 0; i < width; i++) c[i]! += counts[i]!;
    }
    const cooldown = rand(3);
    seq += c.reduce((a, b) => a + b, 0) + cooldown; // seq numbers every press, filtered ones too
    days[String(d).padStart(2, '0')] = { c, f: [cooldown, 0], h };
  }
  return { v: 1, district, ward, counter, terminal, month: `${YEAR}-${String(month).padStart(2, '0')}`, seq, updatedAt: 0, levels, days };
}

console.log('generating 12,000 monthly tallies…');
const tallies: Tally[] = [];
for (let di = 0; di < 4; di++)
  for (let wi = 0; wi < 25; wi++)
    for (let ci = 0; ci < 5; ci++)
      for (let ti = 0; ti < 2; ti++)
        for (let m = 1; m <= 12; m++) tallies.push(monthTally(`quan-${di + 1}`, `phuong-${wi + 1}`, `quay-${ci + 1}`, `t${ti + 1}`, m));
const sample = parseTally(JSON.stringify(tallies[0]));
if (!sample.ok) throw new Error(`generated tally is invalid: ${sample.message}`);
const dayEntries = tallies.reduce((n, t) => n + Object.keys(t.days).length, 0);

const range = { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` };
let districtTotal = 0;
const fold = timeRuns(() => {
  foldTallies(tallies, { ...range, by: 'counter', scale: DEFAULT_SCALE });
  foldTallies(tallies, { ...range, by: 'ward', scale: DEFAULT_SCALE });
  const districts = foldTallies(tallies, { ...range, by: 'district', scale: DEFAULT_SCALE });
  districtTotal = [...districts.values()].reduce((n, s) => n + s.total, 0);
}, 9);
const quarter = timeRuns(() => foldTallies(tallies, { from: `${YEAR}-04-01`, to: `${YEAR}-06-30`, by: 'ward', scale: DEFAULT_SCALE }), 9);
const heat = timeRuns(() => heatmap(tallies, range), 5);

// Floor: the same day×level counts in one flat array, summed per level.
const flat = new Int32Array(dayEntries * width);
let k = 0;
for (const t of tallies) for (const day of Object.values(t.days)) for (const n of day.c) flat[k++] = n;
let floorTotal = 0;
const floor = timeRuns(() => {
  let s = 0;
  for (let i = 0; i < flat.length; i++) s += flat[i]!;
  floorTotal = s;
}, 9);
if (floorTotal !== districtTotal) throw new Error(`fold total ${districtTotal} ≠ floor total ${floorTotal}`);

const median = (t: number[]) => percentile(t, 50);
printFigures('tally fold: 1,000 terminals × 365 days', [
  ['monthly tallies', tallies.length, ''],
  ['day entries', dayEntries, ''],
  ['votes folded', districtTotal, ''],
  ['year → counter + ward + district (median)', median(fold), 'ms'],
  ['  p90', percentile(fold, 90), 'ms'],
  ['quarter → ward (median)', median(quarter), 'ms'],
  ['year heatmap 7×24 (median)', median(heat), 'ms'],
  ['floor: sum the same counts, flat array', median(floor), 'ms'],
  ['fold (3 groupings) vs floor', median(fold) / median(floor), '× slower'],
]);
printTarget('year fold, three groupings', median(fold), 200, 'lower', 'ms');
