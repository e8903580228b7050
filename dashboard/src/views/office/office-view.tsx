/**
 * The supervisor's view of one ward office: today's total against the
 * target, one tile per counter (sortable), and the recent votes.
 */
import { fewVotes, formatCount, formatPercent, meetsTarget } from '../../../../core/index.ts';
import type { AppState } from '../../state/app-state.ts';
import type { TileSort } from '../../state/settings.ts';
import { fill } from '../../i18n/messages.ts';
import { formatMoment } from '../../i18n/format.ts';
import { counterIds, wardCounterFigures, wardToday } from '../../store/office-figures.ts';
import { pct, satisfied } from '../common/figures.tsx';
import { FewMark } from '../district/district-view.tsx';
import { PressDiagnostics } from '../common/press-diagnostics.tsx';
import { CounterTile } from './counter-tile.tsx';
import { RecentVotes } from './recent-votes.tsx';

/** The ward the office view shows: the route's, the scope's, or the first known. */
export function currentWard(app: AppState): string | undefined {
  const wards = app.wardList.value;
  const routed = app.route.value.ward ?? app.selection.officeWard.value;
  if (routed !== undefined) return routed;
  const { district, ward } = {
    district: app.params.district ?? app.settings.value.district,
    ward: app.params.ward ?? app.settings.value.ward,
  };
  if (district !== undefined && ward !== undefined) return `${district}/${ward}`;
  return wards.find((w) => district === undefined || w.startsWith(`${district}/`)) ?? wards[0];
}

/** Counter keys of a ward in the chosen order (figure sorts use today's figures). */
export function sortedCounters(app: AppState, ward: string, sort: TileSort): string[] {
  const ids = counterIds(app.store, ward).map((id) => `${ward}/${id}`);
  if (sort === 'name') return ids;
  const figures = new Map(wardCounterFigures(app.store, ward, app.today.value).map((f) => [f.key, f]));
  const value = (k: string) => satisfied(figures.get(k)!.today);
  return ids.sort((a, b) => {
    if (sort === 'votes') return figures.get(b)!.today.total - figures.get(a)!.today.total;
    const va = value(a);
    const vb = value(b);
    if (va === null || vb === null) return va === null ? (vb === null ? 0 : 1) : -1;
    return sort === 'worst' ? va - vb : vb - va;
  });
}

/** Today's total of the whole office; follows every counter of the ward. */
function OfficeTotal(props: { app: AppState; ward: string; counters: readonly string[] }) {
  const { app, ward } = props;
  for (const key of props.counters) void app.counterRev(key).value;
  const t = app.t.value;
  const locale = app.lang.value;
  const total = wardToday(app.store, ward, app.today.value);
  const target = app.wardTarget(ward);
  const value = satisfied(total);
  const few = fewVotes(total.total, app.names.minVotes(ward));
  if (total.total === 0) {
    return (
      <p class="total" data-testid="office-total">
        {t.officeTotal}: <strong class="muted">{t.noVotes}</strong> · {t.target} {formatPercent(target, { locale, digits: 0 })}
      </p>
    );
  }
  return (
    <p class="total" data-testid="office-total">
      {t.officeTotal}: <strong class={!few && meetsTarget(total, target) === false ? 'bad' : 'good'}>{pct(value, locale)}</strong>
      {few && total.total > 0 && <FewMark app={app} ward={ward} />} · {fill(t.votesToday, { n: formatCount(total.total, locale) })} ·{' '}
      {t.target} {formatPercent(target, { locale, digits: 0 })}
    </p>
  );
}

/** Today's filtered presses per counter, folded away for the supervisor (never on the TV). */
function OfficeDiagnostics(props: { app: AppState; ward: string; counters: readonly string[] }) {
  const { app, ward } = props;
  for (const key of props.counters) void app.counterRev(key).value;
  const lines = wardCounterFigures(app.store, ward, app.today.value).map((f) => ({
    key: f.key,
    name: app.names.counter(f.key),
    summary: f.today,
  }));
  return <PressDiagnostics lines={lines} t={app.t.value} locale={app.lang.value} heading={app.t.value.diagnosticsToday} />;
}

/**
 * The office view. It re-lays out only when the ward's structure changes
 * (office, new counter) or, for figure sorts, on the clock: each tile
 * follows its own counter, so a live vote re-renders one tile.
 */
export function OfficeView(props: { app: AppState }) {
  const { app } = props;
  const t = app.t.value;
  const locale = app.lang.value;
  const wards = app.wardList.value;
  const ward = currentWard(app);
  if (ward === undefined) return <p class="panel">{app.hydrated.value ? t.noWards : t.waitingForData}</p>;
  void app.wardRev(ward).value;
  const sort = app.settings.value.sort;
  if (sort !== 'name') void app.clock.value;
  const counters = sortedCounters(app, ward, sort);
  const bridge = app.store.bridges.get(ward);
  return (
    <>
      <div class="office-head">
        <h2>{app.names.ward(ward)}</h2>
        {wards.length > 1 && (
          <label class="field">
            {t.chooseWard}
            <select value={ward} onChange={(e) => app.navigate({ view: 'office', ward: (e.target as HTMLSelectElement).value })}>
              {wards.map((w) => (
                <option key={w} value={w}>
                  {app.names.ward(w)}
                </option>
              ))}
            </select>
          </label>
        )}
        <OfficeTotal app={app} ward={ward} counters={counters} />
        <label class="field">
          {t.sortBy}
          <select
            value={sort}
            onChange={(e) => app.updateSettings((s) => ({ ...s, sort: (e.target as HTMLSelectElement).value as TileSort }))}
          >
            <option value="name">{t.sortName}</option>
            <option value="worst">{t.sortWorst}</option>
            <option value="best">{t.sortBest}</option>
            <option value="votes">{t.sortVotes}</option>
          </select>
        </label>
      </div>
      {bridge?.state === 'offline' && (
        <p class="banner bad" role="status">
          {fill(t.bridgeOffline, { time: formatMoment(bridge.at, app.clock.value, locale) })}
        </p>
      )}
      <div class="office-body">
        <div class="tiles">
          {counters.map((key) => (
            <CounterTile key={key} app={app} counterKey={key} />
          ))}
        </div>
        <RecentVotes app={app} ward={ward} />
      </div>
      <OfficeDiagnostics app={app} ward={ward} counters={counters} />
    </>
  );
}
