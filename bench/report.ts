/** Helpers that every benchmark uses to print its figures the same way. */

/** Prints a titled table of figures: label, value, unit. */
export function printFigures(title: string, rows: readonly (readonly [string, number | string, string?])[]): void {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value, unit = ''] of rows) {
    const text = typeof value === 'number' ? formatNumber(value) : value;
    console.log(`  ${label.padEnd(width)}  ${text.padStart(14)} ${unit}`);
  }
}

/** Prints a verdict line against a target: PASS or MISS, with the margin. */
export function printTarget(label: string, value: number, target: number, better: 'lower' | 'higher', unit: string): void {
  const met = better === 'lower' ? value <= target : value >= target;
  const sign = better === 'lower' ? '≤' : '≥';
  console.log(`  target ${label}: ${formatNumber(value)} ${unit} ${sign} ${formatNumber(target)} ${unit} → ${met ? 'PASS' : 'MISS'}`);
}

/** Thousands separators, up to 2 decimals, for English-language bench logs. */
export function formatNumber(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: n < 10 ? 3 : n < 1000 ? 2 : 0 });
}

/** Runs `fn` `runs` times after `warmup` runs and returns each run's milliseconds, sorted. */
export function timeRuns(fn: () => void, runs: number, warmup = 3): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

/** The p-th percentile (0–100) of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
