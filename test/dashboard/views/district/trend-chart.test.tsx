/** The trend chart: round ticks, labelled bars, the day in progress drawn as partial, nothing outside the plot. */
import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { PLOT, TrendChart, niceMax, percentTicks } from '../../../../dashboard/src/views/district/trend-chart.tsx';
import type { TrendPoint } from '../../../../dashboard/src/store/period-figures.ts';

const LABELS = { percent: 'Tỷ lệ hài lòng', votes: 'Số lượt (trục phải)', target: 'Mục tiêu', partial: 'Hôm nay, chưa hết ngày' };

function point(date: string, total: number, satisfied: number): TrendPoint {
  return { date, total, satisfied, percent: total === 0 ? null : Math.round((satisfied / total) * 1000) / 10 };
}

let el: HTMLElement | undefined;
afterEach(() => {
  if (el) render(null, el);
  el?.remove();
});

function draw(points: TrendPoint[], today?: string, width = 720): SVGSVGElement {
  el = document.createElement('div');
  el.style.width = `${width}px`;
  document.body.append(el);
  render(
    <TrendChart points={points} target={80} locale="vi" title="Xu hướng" empty="Chưa có lượt đánh giá" labels={LABELS} today={today} />,
    el,
  );
  return el.querySelector('svg') as SVGSVGElement;
}

// A month so far: good days, then today's first three votes (two unhappy).
const MONTH = [...Array.from({ length: 5 }, (_, i) => point(`2026-12-0${i + 1}`, 120 + i * 10, 110 + i * 9)), point('2026-12-06', 3, 1)];

describe('trend chart', () => {
  it('uses round ticks', () => {
    expect(percentTicks(0)).toEqual([0, 25, 50, 75, 100]);
    expect(percentTicks(73)).toEqual([70, 80, 90, 100]);
    expect(percentTicks(91)).toEqual([90, 95, 100]);
    expect(niceMax(137)).toBe(200);
    const svg = draw(MONTH, '2026-12-06');
    const ticks = [...svg.querySelectorAll('g.tick text')].map((t) => t.textContent);
    // Today's 1 of 3 (33%) is partial, yet still on the scale: 25/50/75/100.
    expect(ticks).toEqual(['25%', '50%', '75%', '100%']);
    for (const tick of ticks) expect(Number(tick!.replace('%', '')) % 5).toBe(0);
    expect(ticks).not.toContain('88%');
  });

  it('labels the bars and the line in a legend, with a votes axis', () => {
    const svg = draw(MONTH, '2026-12-06');
    const legend = svg.parentElement!.querySelector('.trend-legend')!.textContent!;
    for (const label of ['Tỷ lệ hài lòng', 'Số lượt (trục phải)', 'Mục tiêu 80%', 'Hôm nay, chưa hết ngày'])
      expect(legend).toContain(label);
    expect([...svg.querySelectorAll('text.votes-axis')].map((t) => t.textContent)).toEqual(['200', '0']);
    expect(svg.querySelector('rect.bar title')!.textContent).toBe('01/12/2026: 120 · 91,7%');
  });

  it('draws the day in progress as partial, not as a drop of the line', () => {
    const svg = draw(MONTH, '2026-12-06');
    const bars = [...svg.querySelectorAll('rect.bar')];
    expect(bars.map((b) => b.classList.contains('partial'))).toEqual([false, false, false, false, false, true]);
    expect(bars[5]!.getAttribute('fill')).toBe('url(#trend-hatch)');
    // The solid line ends at the last whole day; today is a dashed segment and an open dot.
    expect(svg.querySelector('path.line:not(.partial)')!.getAttribute('d')!.split('L')).toHaveLength(5);
    expect(svg.querySelector('path.line.partial')).not.toBeNull();
    expect(svg.querySelector('circle.partial')).not.toBeNull();
    // Without a day in progress nothing is partial, and the legend does not mention it.
    const past = draw(MONTH.slice(0, 5), '2026-12-06');
    expect(past.querySelector('.partial')).toBeNull();
    expect(past.parentElement!.querySelector('.trend-legend')!.textContent).not.toContain('Hôm nay');
  });

  it('keeps every bar inside the plot, even with one point or hundreds', () => {
    for (const points of [
      [point('2026-12-01', 40, 39)],
      MONTH,
      Array.from({ length: 365 }, (_, i) =>
        point(`2026-${String(1 + Math.floor(i / 31)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`, 50 + (i % 7), 45),
      ),
    ]) {
      const svg = draw(points);
      for (const bar of svg.querySelectorAll('rect.bar')) {
        const x = Number(bar.getAttribute('x'));
        const w = Number(bar.getAttribute('width'));
        expect(x).toBeGreaterThanOrEqual(PLOT.left - 0.01);
        expect(x + w).toBeLessThanOrEqual(PLOT.right + 0.01);
      }
      render(null, el!);
      el!.remove();
      el = undefined;
    }
  });

  it('says there are no votes in words', () => {
    draw([point('2026-12-01', 0, 0)]);
    expect(el!.textContent).toBe('Chưa có lượt đánh giá');
  });
});
