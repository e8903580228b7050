/** Votes by weekday × hour (core `heatmap`), as a table: shade by volume, the count as text. */
import { formatCount } from '../../../../core/index.ts';
import type { Locale } from '../../../../core/index.ts';
import type { Messages } from '../../i18n/messages.ts';
import { fill } from '../../i18n/messages.ts';

/** The heat map of `grid[weekday][hour]` (Monday first), over the hours that have votes (at least 7–17). */
export function HeatmapGrid(props: { grid: readonly (readonly number[])[]; t: Messages; locale: Locale }) {
  const { grid, t, locale } = props;
  const days = t.weekdays.split(',');
  let first = 7;
  let last = 17;
  grid.forEach((row) => row.forEach((n, h) => n > 0 && ((first = Math.min(first, h)), (last = Math.max(last, h)))));
  const hours = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const max = Math.max(1, ...grid.flat());
  // Up to 24 hour columns of counts do not fit a phone: the grid scrolls in its own box, the page never sideways.
  return (
    <div class="heat-scroll" data-testid="heatmap">
      <table class="heat">
        <caption class="muted" style={{ textAlign: 'left' }}>
          {t.heatmap}
        </caption>
        <thead>
          <tr>
            <th scope="col" />
            {hours.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.map((row, d) => (
            <tr key={d}>
              <th scope="row">{days[d]}</th>
              {hours.map((h) => {
                const n = row[h] ?? 0;
                const level = n / max;
                // Two bands keep text contrast ≥ 4.5:1 (dark text up to 70% blue, white from 85%).
                const dark = level > 0.6;
                const alpha = dark ? 0.85 + ((level - 0.6) / 0.4) * 0.15 : 0.06 + (level / 0.6) * 0.64;
                return (
                  <td
                    key={h}
                    title={fill(t.heatmapCell, { day: days[d] ?? '', hour: h, n: formatCount(n, locale) })}
                    style={{
                      background: n === 0 ? 'transparent' : `rgba(11, 92, 173, ${alpha.toFixed(2)})`,
                      color: dark ? '#fff' : 'inherit',
                    }}
                  >
                    {n > 0 ? formatCount(n, locale) : ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
