/**
 * The trend of % satisfied as a small SVG chart: the percentage as a line
 * on round ticks (left axis), the volume as labelled bars (right axis), the
 * target as a dashed line, and the day (or week) still in progress drawn as
 * partial — hatched bar, open dot, dashed last segment — so a morning's few
 * votes do not read as a drop. Every mark stays inside the plot: bars sit in
 * bands, one per point. Hand-written rather than uPlot: at most ~370 points
 * need no canvas engine, SVG prints crisply on the A4 report, and uPlot's
 * ~24 KB gzipped would break the 180 KB budget next to MQTT.js (see the
 * report of issue #4).
 */
import { useEffect, useState } from 'preact/hooks';
import { addDays, dayNumber, formatCount, formatDate, formatPercent } from '../../../../core/index.ts';
import type { Locale } from '../../../../core/index.ts';
import type { Messages } from '../../i18n/messages.ts';
import type { TrendPoint } from '../../store/period-figures.ts';

/** Widest drawing, in viewBox units; narrower boxes get a viewBox as wide as they are, so text stays 12 px on a phone. */
const MAX_W = 720;
const MIN_W = 300;
const H = 250;
const PAD = { left: 44, right: 44, top: 14, bottom: 30 };
/** Bars take the lower part of the plot, under the line. */
const BAR_SHARE = 0.35;

/** The plot's box in viewBox units for a drawing `width` wide. */
export function plotOf(width: number): { left: number; right: number; top: number; bottom: number } {
  return { left: PAD.left, right: width - PAD.right, top: PAD.top, bottom: H - PAD.bottom };
}

/** The plot's box at the widest drawing (for tests). */
export const PLOT = plotOf(MAX_W);

// The width the chart is laid out in, followed as its box resizes (phone
// rotation, panel layout). A callback ref: the figure appears only once
// there are values, after the first render.
function useBoxWidth(): [(el: HTMLElement | null) => void, number] {
  const [el, setEl] = useState<HTMLElement | null>(null);
  const [width, setWidth] = useState(MAX_W);
  useEffect(() => {
    if (el === null || typeof ResizeObserver === 'undefined') return;
    const measure = () => setWidth(Math.round(el.getBoundingClientRect().width) || MAX_W);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [el]);
  return [setEl, width];
}

/** Labels of the chart's legend. */
export interface TrendLabels {
  readonly percent: string;
  readonly votes: string;
  readonly target: string;
  readonly partial: string;
}

/** The legend in the current language. */
export function trendLabels(t: Messages): TrendLabels {
  return { percent: t.trendPercent, votes: t.trendVotes, target: t.target, partial: t.trendPartial };
}

/**
 * Round ticks for the percentage axis from `low` up to 100: a step of 5, 10
 * or 25 points giving at most 6 ticks, starting at a multiple of the step
 * at or below `low` (so 0/25/50/75/100, 70/80/90/100, 90/95/100).
 */
export function percentTicks(low: number): number[] {
  const floor = Math.max(0, Math.min(100, low));
  for (const step of [5, 10, 25]) {
    const start = Math.floor(floor / step) * step;
    if ((100 - start) / step <= 5) return Array.from({ length: (100 - start) / step + 1 }, (_, i) => start + i * step);
  }
  return [0, 25, 50, 75, 100];
}

/** A round maximum for the votes axis: 1, 2, 2.5 or 5 × 10^k at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= max) return m * power;
  return 10 * power;
}

/**
 * The chart. `title` names it for screen readers; the points' text summary
 * is its description. `today`: points on or after this date (the bucket
 * holding it, for weekly points) are in progress and drawn as partial.
 */
export function TrendChart(props: {
  points: readonly TrendPoint[];
  target: number;
  locale: Locale;
  title: string;
  empty: string;
  labels: TrendLabels;
  today?: string | undefined;
}) {
  const { points, target, locale, labels } = props;
  const [ref, boxWidth] = useBoxWidth();
  const values = points.flatMap((p) => (p.percent === null ? [] : [p.percent]));
  if (values.length === 0) return <p class="muted trend-empty">{props.empty}</p>;
  const W = Math.max(MIN_W, Math.min(MAX_W, boxWidth));
  const PLOT = plotOf(W);
  const ticks = percentTicks(Math.min(target, ...values) - 2);
  const low = ticks[0] as number;
  const band = (PLOT.right - PLOT.left) / points.length;
  const x = (i: number) => PLOT.left + (i + 0.5) * band;
  const y = (v: number) => PLOT.top + ((100 - v) / (100 - low || 1)) * (PLOT.bottom - PLOT.top);
  const maxVotes = niceMax(Math.max(...points.map((p) => p.total), 1));
  const barH = (n: number) => (n / maxVotes) * (PLOT.bottom - PLOT.top) * BAR_SHARE;
  const barW = Math.max(1, band * 0.7);
  // Points are days or weeks: a point is in progress when its bucket holds today.
  const bucket = points.length > 1 ? dayNumber(points[1]!.date) - dayNumber(points[0]!.date) : 1;
  const partialAt = (i: number) => {
    const date = (points[i] as TrendPoint).date;
    return props.today !== undefined && date <= props.today && props.today < addDays(date, bucket);
  };
  let solid = '';
  let partialPath = '';
  let prev: { x: number; y: number } | undefined;
  points.forEach((p, i) => {
    if (p.percent === null) {
      prev = undefined;
      return;
    }
    const pt = { x: x(i), y: y(p.percent) };
    const seg = `${prev === undefined ? `M${pt.x.toFixed(1)},${pt.y.toFixed(1)}` : `L${pt.x.toFixed(1)},${pt.y.toFixed(1)}`}`;
    if (partialAt(i))
      partialPath = prev === undefined ? '' : `M${prev.x.toFixed(1)},${prev.y.toFixed(1)}L${pt.x.toFixed(1)},${pt.y.toFixed(1)}`;
    else solid += seg;
    prev = pt;
  });
  // As many date labels (≈ 70 units each) as fit without overlapping: first, last, and evenly between.
  const fit = Math.max(2, Math.min(3, Math.floor((PLOT.right - PLOT.left) / 150) + 1));
  const dateLabels = [...new Set(Array.from({ length: fit }, (_, k) => Math.round((k * (points.length - 1)) / (fit - 1))))];
  const desc = `${formatDate(points[0]!.date, locale)} – ${formatDate(points[points.length - 1]!.date, locale)}: ${formatPercent(Math.min(...values), { locale, digits: 1 })} – ${formatPercent(Math.max(...values), { locale, digits: 1 })}`;
  const hasPartial = points.some((_, i) => partialAt(i));
  return (
    <figure class="trend-figure" ref={ref}>
      <svg class="trend" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.title}. ${desc}`} overflow="hidden">
        <defs>
          <pattern id="trend-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" fill="#e3e8ef" />
            <line x1="0" y1="0" x2="0" y2="6" stroke="#8a97a8" stroke-width="2" />
          </pattern>
          <clipPath id="trend-plot">
            <rect x={PLOT.left} y={PLOT.top} width={PLOT.right - PLOT.left} height={PLOT.bottom - PLOT.top} />
          </clipPath>
        </defs>
        {ticks.map((v) => (
          <g key={v} class="tick">
            <line x1={PLOT.left} x2={PLOT.right} y1={y(v)} y2={y(v)} stroke="#e2e7ee" />
            <text x={PLOT.left - 6} y={y(v) + 4} text-anchor="end">
              {formatPercent(v, { locale, digits: 0 })}
            </text>
          </g>
        ))}
        <g clip-path="url(#trend-plot)">
          {points.map((p, i) => (
            <rect
              key={p.date}
              class={partialAt(i) ? 'bar partial' : 'bar'}
              x={x(i) - barW / 2}
              y={PLOT.bottom - barH(p.total)}
              width={barW}
              height={barH(p.total)}
              fill={partialAt(i) ? 'url(#trend-hatch)' : '#c9d1db'}
            >
              <title>{`${formatDate(p.date, locale)}: ${formatCount(p.total, locale)} · ${formatPercent(p.percent, { locale, digits: 1 })}${partialAt(i) ? ` (${labels.partial})` : ''}`}</title>
            </rect>
          ))}
          <line
            class="target"
            x1={PLOT.left}
            x2={PLOT.right}
            y1={y(target)}
            y2={y(target)}
            stroke="#b3261e"
            stroke-dasharray="6 4"
            stroke-width="2"
          />
          <path class="line" d={solid} fill="none" stroke="#0b5cad" stroke-width="2.5" stroke-linejoin="round" />
          {partialPath !== '' && (
            <path class="line partial" d={partialPath} fill="none" stroke="#0b5cad" stroke-width="2" stroke-dasharray="4 4" opacity="0.6" />
          )}
          {points.map((p, i) =>
            p.percent !== null && partialAt(i) ? (
              <circle key={p.date} class="partial" cx={x(i)} cy={y(p.percent)} r="4" fill="#fff" stroke="#0b5cad" stroke-width="2" />
            ) : null,
          )}
        </g>
        {/* Right axis: the votes scale of the bars. */}
        <text class="votes-axis" x={PLOT.right + 6} y={PLOT.bottom - barH(maxVotes) + 4}>
          {formatCount(maxVotes, locale)}
        </text>
        <text class="votes-axis" x={PLOT.right + 6} y={PLOT.bottom + 4}>
          0
        </text>
        {dateLabels.map((i) => (
          <text
            key={i}
            x={x(i)}
            y={PLOT.bottom + 16}
            text-anchor={i === 0 && points.length > 2 ? 'start' : i === points.length - 1 && points.length > 2 ? 'end' : 'middle'}
          >
            {formatDate(points[i]!.date, locale)}
          </text>
        ))}
      </svg>
      <ul class="trend-legend" aria-hidden="true">
        <li>
          <i class="swatch line" />
          {labels.percent}
        </li>
        <li>
          <i class="swatch bar" />
          {labels.votes}
        </li>
        <li class="target">
          <i class="swatch target" />
          {labels.target} {formatPercent(target, { locale, digits: 0 })}
        </li>
        {hasPartial && (
          <li>
            <i class="swatch partial" />
            {labels.partial}
          </li>
        )}
      </ul>
    </figure>
  );
}
