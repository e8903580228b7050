/**
 * The trend of % satisfied as a small SVG line chart, with the target as a
 * dashed line and the volume as faint bars. Hand-written rather than uPlot:
 * at most ~370 points need no canvas engine, SVG prints crisply on the A4
 * report, and uPlot's ~24 KB gzipped would break the 180 KB budget next to
 * MQTT.js (see the report of issue #4).
 */
import { formatDate, formatPercent } from '../../../../core/index.ts';
import type { Locale } from '../../../../core/index.ts';
import type { TrendPoint } from '../../store/period-figures.ts';

const W = 720;
const H = 260;
const PAD = { left: 52, right: 12, top: 12, bottom: 28 };

/** The chart. `title` names it for screen readers; the points' text summary is its description. */
export function TrendChart(props: { points: readonly TrendPoint[]; target: number; locale: Locale; title: string; empty: string }) {
  const { points, target, locale } = props;
  const values = points.flatMap((p) => (p.percent === null ? [] : [p.percent]));
  if (values.length === 0) return <p class="muted">{props.empty}</p>;
  // The y axis starts a little below the lowest value or the target, so differences of a point are visible.
  const low = Math.max(0, Math.floor((Math.min(target, ...values) - 2) / 5) * 5);
  const x = (i: number) => PAD.left + (points.length === 1 ? 0 : (i / (points.length - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + ((100 - v) / (100 - low || 1)) * (H - PAD.top - PAD.bottom);
  const maxTotal = Math.max(...points.map((p) => p.total), 1);
  const barW = Math.max(1, (W - PAD.left - PAD.right) / points.length - 1);
  let path = '';
  points.forEach((p, i) => {
    if (p.percent === null) return;
    const prev = points[i - 1];
    path += `${i === 0 || prev?.percent == null ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.percent).toFixed(1)}`;
  });
  const ticks = [low, (low + 100) / 2, 100];
  const labels = [0, Math.floor((points.length - 1) / 2), points.length - 1];
  const desc = `${formatDate(points[0]!.date, locale)} – ${formatDate(points[points.length - 1]!.date, locale)}: ${formatPercent(Math.min(...values), { locale })} – ${formatPercent(Math.max(...values), { locale })}`;
  return (
    <svg class="trend" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.title}. ${desc}`}>
      {points.map((p, i) => (
        <rect key={p.date} x={x(i) - barW / 2} y={H - PAD.bottom - (p.total / maxTotal) * 60} width={barW} height={(p.total / maxTotal) * 60} fill="#c9d1db" opacity="0.6" />
      ))}
      {ticks.map((v) => (
        <g key={v}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="#e2e7ee" />
          <text x={PAD.left - 6} y={y(v) + 4} text-anchor="end">
            {formatPercent(v, { locale, digits: 0 })}
          </text>
        </g>
      ))}
      <line x1={PAD.left} x2={W - PAD.right} y1={y(target)} y2={y(target)} stroke="#b3261e" stroke-dasharray="6 4" stroke-width="2" />
      <text x={W - PAD.right} y={y(target) - 5} text-anchor="end" style={{ fill: '#b3261e' }}>
        {formatPercent(target, { locale, digits: 0 })}
      </text>
      <path d={path} fill="none" stroke="#0b5cad" stroke-width="2.5" stroke-linejoin="round" />
      {labels.map((i) => (
        <text key={i} x={x(i)} y={H - 8} text-anchor={i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle'}>
          {formatDate(points[i]!.date, locale)}
        </text>
      ))}
    </svg>
  );
}
