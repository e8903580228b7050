/** Small figure widgets shared by the office, district and TV views. */
import { PERCENT_DIGITS, formatCount, formatPercent, percent } from '../../../../core/index.ts';
import type { Locale, Scale, Summary } from '../../../../core/index.ts';
import { LEVEL_COLORS } from '../../theme/palette.ts';

/** Exact % satisfied of a summary at the live precision (`PERCENT_DIGITS.live`); null without votes. */
export function satisfied(summary: Summary, digits = PERCENT_DIGITS.live): number | null {
  return percent(summary.satisfied, summary.total, digits);
}

// Formatting (half-up rounding on the decimal text, then Intl) costs a few
// microseconds and live tiles format the same values again and again.
const formatted = new Map<string, string>();

/** A percentage as text at the live precision: "98,9%" / "98.9%", "—" without votes (memoised). */
export function pct(value: number | null, locale: Locale, digits = PERCENT_DIGITS.live): string {
  const key = `${locale}${digits}${value}`;
  let text = formatted.get(key);
  if (text === undefined) {
    text = formatPercent(value, { locale, digits });
    if (formatted.size > 2000) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

/** The horizontal gauge of a percentage with the target as a vertical line. */
export function Gauge(props: { value: number | null; target: number; label: string }) {
  const below = props.value !== null && props.value < props.target;
  return (
    <div>
      <div class={below ? 'gauge below' : 'gauge'} role="img" aria-label={props.label}>
        <span style={{ width: `${props.value ?? 0}%` }} />
        <i style={{ left: `calc(${props.target}% - 1px)` }} />
      </div>
    </div>
  );
}

/** The distribution of votes over the levels: a stacked bar and a legend with counts and shares. */
export function DistributionBar(props: { summary: Summary; scale: Scale; locale: Locale }) {
  const { summary, scale, locale } = props;
  const total = summary.total;
  const parts = scale.levels.map((l) => {
    const n = summary.counts[l.key] ?? 0;
    return { key: l.key, label: l.label[locale], n, share: percent(n, total, 1) };
  });
  const text = parts.map((p) => `${p.label}: ${formatCount(p.n, locale)} (${formatPercent(p.share, { locale, digits: 1 })})`).join('; ');
  return (
    <div>
      <div class="dist" role="img" aria-label={text}>
        {total > 0 &&
          parts.map((p) => (
            <span key={p.key} style={{ width: `${(p.n / total) * 100}%`, background: `var(--lv-${p.key}, ${LEVEL_COLORS[p.key]})` }} />
          ))}
      </div>
      <ul class="legend" aria-hidden="true">
        {parts.map((p) => (
          <li key={p.key}>
            <i style={{ background: `var(--lv-${p.key}, ${LEVEL_COLORS[p.key]})` }} />
            {p.label} <b class="num">{formatCount(p.n, locale)}</b>
          </li>
        ))}
      </ul>
    </div>
  );
}
