/**
 * The hour × weekday heat map on a phone: a center open round the clock
 * gives 24 hour columns of three-digit counts, far wider than a 390 px
 * screen's panel. The grid scrolls in its own box and never widens the page
 * (a district view that scrolled sideways at 390 px once the day's votes
 * reached 20:00 local time, views.e2e).
 */
import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import '../../../../dashboard/src/styles.css';
import { MESSAGES } from '../../../../dashboard/src/i18n/messages.ts';
import { HeatmapGrid } from '../../../../dashboard/src/views/district/heatmap-grid.tsx';

let el: HTMLElement | undefined;
afterEach(() => {
  if (el) render(null, el);
  el?.remove();
});

function draw(grid: number[][], width: number): HTMLElement {
  el = document.createElement('section');
  el.className = 'panel';
  el.style.width = `${width}px`;
  el.style.boxSizing = 'border-box';
  document.body.append(el);
  render(<HeatmapGrid grid={grid} t={MESSAGES.vi} locale="vi" />, el);
  return el;
}

describe('heat map grid', () => {
  it('shows every hour that has votes, and scrolls in its own box instead of widening the panel', () => {
    const grid = Array.from({ length: 7 }, (_, d) => Array.from({ length: 24 }, (_, h) => 100 + ((d * 24 + h) % 900)));
    const panel = draw(grid, 342);
    const hours = [...panel.querySelectorAll('thead th')].map((th) => th.textContent).filter((x) => x !== '');
    expect(hours).toEqual(Array.from({ length: 24 }, (_, h) => String(h)));
    const scroller = panel.querySelector('[data-testid=heatmap]') as HTMLElement;
    expect(scroller.scrollWidth).toBeGreaterThan(scroller.clientWidth);
    expect(panel.scrollWidth).toBeLessThanOrEqual(panel.clientWidth);
  });

  it('keeps the office hours 7–17 when a week has no votes yet', () => {
    const panel = draw(
      Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0)),
      1200,
    );
    const hours = [...panel.querySelectorAll('thead th')].map((th) => th.textContent).filter((x) => x !== '');
    expect(hours).toEqual(Array.from({ length: 11 }, (_, i) => String(7 + i)));
  });
});
