/**
 * Wall-TV mode: dark, large type, no interaction needed. It shows ONE ward,
 * named in the URL (`#/tv/{d}/{w}`, or `?district=&ward=`, see
 * dashboard/README.md); without one it asks which, rather than guessing.
 * Pages rotate on their own: the ward's counters (six per page), the wards
 * of its district ranked today (when there are several), and the ward's
 * month so far with its trend. Each page is headed with what it shows, and
 * "no data" is said in words.
 */
import { useEffect, useState } from 'preact/hooks';
import { formatCount, formatDate, formatPercent, meetsTarget, periodOf } from '../../../../core/index.ts';
import type { AppState } from '../../state/app-state.ts';
import { fill } from '../../i18n/messages.ts';
import { formatTime } from '../../i18n/format.ts';
import { commonScale } from '../../store/names.ts';
import { foldPeriod, rankRows, talliesUnder, trendPoints } from '../../store/period-figures.ts';
import { pct, satisfied } from '../common/figures.tsx';
import { FewMark } from '../district/district-view.tsx';
import { TrendChart, trendLabels } from '../district/trend-chart.tsx';
import { CounterTile } from '../office/counter-tile.tsx';
import { sortedCounters } from '../office/office-view.tsx';

/** Seconds each page stays up. */
export const TV_PAGE_SECONDS = 15;

/** Counters per page (3 × 2 at 1920×1080). */
export const TV_TILES_PER_PAGE = 6;

type Page = { kind: 'tiles'; counters: string[] } | { kind: 'wards' } | { kind: 'month' };

/**
 * The ward the TV shows: the route's, else the ward the office view showed
 * in this session, else the URL's or the saved scope's district + ward,
 * else the only ward known; undefined = ask.
 */
export function tvWard(app: AppState): string | undefined {
  const routed = app.route.value.ward ?? app.selection.officeWard.value;
  if (routed !== undefined) return routed;
  const district = app.params.district ?? app.settings.value.district;
  const ward = app.params.ward ?? app.settings.value.ward;
  if (district !== undefined && ward !== undefined) return `${district}/${ward}`;
  const wards = app.wardList.value;
  return wards.length === 1 ? wards[0] : undefined;
}

/** The ward list: links to `#/tv/{d}/{w}`. */
function TvPicker(props: { app: AppState }) {
  const { app } = props;
  const t = app.t.value;
  const wards = app.wardList.value;
  return (
    <div class="tv-pick" data-testid="tv-picker">
      <h2>{t.tvPick}</h2>
      {wards.length === 0 ? (
        <p>{t.tvWaiting}</p>
      ) : (
        <ul>
          {wards.map((w) => (
            <li key={w}>
              <a href={`#/tv/${w}`} onClick={(e) => (e.preventDefault(), app.navigate({ view: 'tv', ward: w }))}>
                {app.names.ward(w)}
                <small> · {app.names.district(w.split('/')[0] as string)}</small>
              </a>
            </li>
          ))}
        </ul>
      )}
      <p class="hint">{t.tvPickHint}</p>
    </div>
  );
}

/** The TV view. */
export function TvView(props: { app: AppState }) {
  const { app } = props;
  void app.rev.value;
  const t = app.t.value;
  const locale = app.lang.value;
  const ward = tvWard(app);
  const district = ward?.split('/')[0];
  const siblings = app.wardList.value.filter((w) => w.startsWith(`${district}/`));
  const pages: Page[] = [];
  if (ward !== undefined) {
    const counters = sortedCounters(app, ward, 'name');
    for (let i = 0; i < counters.length; i += TV_TILES_PER_PAGE)
      pages.push({ kind: 'tiles', counters: counters.slice(i, i + TV_TILES_PER_PAGE) });
    if (siblings.length > 1) pages.push({ kind: 'wards' });
    pages.push({ kind: 'month' });
  }
  const [index, setIndex] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setIndex((i) => i + 1), TV_PAGE_SECONDS * 1000);
    return () => clearInterval(timer);
  }, []);
  const now = app.clock.value;
  const today = app.today.value;
  const clock = <span class="clock num">{fill(t.tvClock, { time: formatTime(now), date: formatDate(today, locale) })}</span>;
  if (ward === undefined || district === undefined) {
    return (
      <div class="tv" lang={locale} data-testid="tv">
        <header class="tv-head">
          <h1>{t.appTitle}</h1>
          {clock}
        </header>
        <div class="tv-body">
          <TvPicker app={app} />
        </div>
      </div>
    );
  }
  const n = index % pages.length;
  const page = pages[n] as Page;
  const scale = commonScale(app.store.offices.values());
  let heading = app.names.ward(ward);
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
  } else if (page.kind === 'wards') {
    heading = fill(t.tvWardsOf, { district: app.names.district(district) });
    const range = { from: today, to: today };
    const fold = foldPeriod(talliesUnder(app.store.tallies.values(), `${district}/`), range, range, scale, ['ward']);
    const rows = rankRows(
      fold.current.get('ward'),
      undefined,
      `${district}/`,
      (k) => app.names.ward(k),
      (k) => app.wardTarget(k),
      (k) => app.names.minVotes(k),
    );
    body = (
      <table class="data" data-testid="tv-wards">
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
            <tr key={r.key} class={r.key === ward ? 'current' : ''}>
              <td class="num">{i + 1}</td>
              <td class="unit">{r.name}</td>
              <td class="num">{formatCount(r.summary.total, locale)}</td>
              {r.summary.total === 0 ? (
                <td class="muted no-votes">{t.noVotes}</td>
              ) : (
                <td class={r.achieved === false ? 'num bad' : 'num good'}>
                  <strong>{pct(r.percent, locale)}</strong>
                  {r.few && <FewMark app={app} ward={r.key} />}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    );
  } else {
    // The ward's own month: the page is headed with the ward, so it shows the ward.
    const month = periodOf('month', today);
    const range = { from: month.from, to: today };
    const tallies = talliesUnder(app.store.tallies.values(), `${ward}/`);
    const total = foldPeriod(tallies, range, range, scale, ['all']).current.get('all')?.get('all');
    const target = app.wardTarget(ward);
    const value = total === undefined ? null : satisfied(total);
    const votes = total?.total ?? 0;
    body = (
      <div class="tv-month">
        <p class="tv-summary" data-testid="tv-month">
          {fill(t.tvMonthSoFar, { month: `${today.slice(5, 7)}/${today.slice(0, 4)}`, date: formatDate(today, locale) })}
          {votes === 0 ? (
            <strong class="muted no-votes">{t.noVotes}</strong>
          ) : (
            <strong class={meetsTarget(total!, target) === false ? 'bad' : 'good'}>{pct(value, locale)}</strong>
          )}
          {fill(t.votesCount, { n: formatCount(votes, locale) })} · {t.target} {formatPercent(target, { locale, digits: 0 })}
        </p>
        <div class="panel">
          <TrendChart
            points={trendPoints(tallies, range, scale)}
            target={target}
            locale={locale}
            title={t.trend}
            empty={t.noVotes}
            labels={trendLabels(t)}
            today={today}
          />
        </div>
      </div>
    );
  }
  const wards = app.wardList.value;
  return (
    <div class="tv" lang={locale} data-testid="tv" data-page={page.kind}>
      <header class="tv-head">
        <h1>{heading}</h1>
        {wards.length > 1 && (
          <select
            class="tv-switch"
            aria-label={t.tvPick}
            value={ward}
            onChange={(e) => app.navigate({ view: 'tv', ward: (e.target as HTMLSelectElement).value })}
          >
            {wards.map((w) => (
              <option key={w} value={w}>
                {app.names.ward(w)}
              </option>
            ))}
          </select>
        )}
        {clock}
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
