/**
 * Wall-TV mode: dark, large type, no interaction needed. Pages rotate on
 * their own: the ward's counters (six per page), the wards ranked today
 * (when the scope has several), and the month so far with its trend.
 */
import { useEffect, useState } from 'preact/hooks';
import { formatCount, formatDate, formatPercent, periodOf } from '../../../../core/index.ts';
import type { AppState } from '../../state/app-state.ts';
import { fill } from '../../i18n/messages.ts';
import { formatTime } from '../../i18n/format.ts';
import { commonScale } from '../../store/names.ts';
import { foldPeriod, rankRows, talliesUnder, trendPoints } from '../../store/period-figures.ts';
import { pct, satisfied } from '../common/figures.tsx';
import { FewMark } from '../district/district-view.tsx';
import { TrendChart } from '../district/trend-chart.tsx';
import { CounterTile } from '../office/counter-tile.tsx';
import { currentWard, sortedCounters } from '../office/office-view.tsx';

/** Seconds each page stays up. */
export const TV_PAGE_SECONDS = 15;

/** Counters per page (3 × 2 at 1920×1080). */
export const TV_TILES_PER_PAGE = 6;

type Page = { kind: 'tiles'; counters: string[] } | { kind: 'wards' } | { kind: 'month' };

/** The TV view. */
export function TvView(props: { app: AppState }) {
  const { app } = props;
  void app.rev.value;
  const t = app.t.value;
  const locale = app.lang.value;
  const ward = currentWard(app);
  const wards = app.wardList.value;
  const pages: Page[] = [];
  if (ward !== undefined) {
    const counters = sortedCounters(app, ward, 'name');
    for (let i = 0; i < counters.length; i += TV_TILES_PER_PAGE) pages.push({ kind: 'tiles', counters: counters.slice(i, i + TV_TILES_PER_PAGE) });
  }
  if (wards.length > 1) pages.push({ kind: 'wards' });
  pages.push({ kind: 'month' });
  const [index, setIndex] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setIndex((i) => i + 1), TV_PAGE_SECONDS * 1000);
    return () => clearInterval(timer);
  }, []);
  const n = index % pages.length;
  const page = pages[n] as Page;
  const scale = commonScale(app.store.offices.values());
  const today = app.today.value;
  let body;
  if (page.kind === 'tiles') {
    body = (
      // Up to four counters: 2 × 2, larger; more: 3 × 2.
      <div class="tiles" style={{ gridTemplateColumns: `repeat(${page.counters.length <= 4 ? 2 : 3}, minmax(0, 1fr))` }}>
        {page.counters.map((key) => (
          <CounterTile key={key} app={app} counterKey={key} />
        ))}
      </div>
    );
  } else {
    const month = periodOf('month', today);
    const range = page.kind === 'wards' ? { from: today, to: today } : { from: month.from, to: today };
    const scopePrefix = page.kind === 'month' && ward !== undefined && wards.length === 1 ? `${ward}/` : '';
    const tallies = talliesUnder(app.store.tallies.values(), scopePrefix);
    const fold = foldPeriod(tallies, range, range, scale, ['ward', 'all']);
    const total = fold.current.get('all')?.get('all');
    if (page.kind === 'wards') {
      const rows = rankRows(fold.current.get('ward'), undefined, '', (k) => app.names.ward(k), (k) => app.wardTarget(k), (k) => app.names.minVotes(k));
      body = (
        <>
          <h2 style={{ fontSize: '2.4rem' }}>{t.tvTodayWards}</h2>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">{t.rank}</th>
                <th scope="col" class="unit">
                  {t.unit}
                </th>
                <th scope="col">{t.votes}</th>
                <th scope="col">{t.satisfiedPercent}</th>
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, 10).map((r, i) => (
                <tr key={r.key}>
                  <td class="num">{i + 1}</td>
                  <td class="unit">{r.name}</td>
                  <td class="num">{formatCount(r.summary.total, locale)}</td>
                  <td class={r.achieved === false ? 'num bad' : 'num good'}>
                    <strong>{pct(r.percent, locale)}</strong>
                    {r.few && r.summary.total > 0 && <FewMark app={app} ward={r.key} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      );
    } else {
      const target = ward !== undefined ? app.wardTarget(ward) : 80;
      const value = total === undefined ? null : satisfied(total);
      body = (
        <div style={{ display: 'grid', gridTemplateColumns: '1fr 2fr', gap: '2rem', alignItems: 'center' }}>
          <p class="tv-summary">
            {t.tvMonth} ({formatDate(range.from, locale)} – {formatDate(range.to, locale)})
            <strong class={value !== null && value < target ? 'bad' : 'good'}>{pct(value, locale)}</strong>
            {fill(t.votesCount, { n: formatCount(total?.total ?? 0, locale) })} · {t.target}{' '}
            {formatPercent(target, { locale, digits: 0 })}
          </p>
          <div class="panel">
            <TrendChart points={trendPoints(tallies, range, scale)} target={target} locale={locale} title={t.trend} empty={t.trendEmpty} />
          </div>
        </div>
      );
    }
  }
  const now = app.clock.value;
  return (
    <div class="tv" lang={locale} data-testid="tv">
      <header class="tv-head">
        <h1>{ward !== undefined ? app.names.ward(ward) : t.appTitle}</h1>
        <span class="clock num">{fill(t.tvClock, { time: formatTime(now), date: formatDate(today, locale) })}</span>
      </header>
      <div class="tv-body">{body}</div>
      <footer class="tv-foot">
        <span>
          {t.appTitle} · {t.appSubtitle}
        </span>
        <span>{fill(t.tvPage, { n: n + 1, total: pages.length })}</span>
      </footer>
    </div>
  );
}
