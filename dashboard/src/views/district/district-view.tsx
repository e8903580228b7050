/**
 * The district office's view: wards ranked by % satisfied over a period,
 * compared with the previous period and the target, with a drill-down
 * ward → counters → officers, a trend chart and an hour × weekday heat map.
 * Whole-period folds follow the slow revision (at most every few seconds).
 */
import { useMemo, useState } from 'preact/hooks';
import {
  PERCENT_DIGITS,
  foldByUnit,
  foldReasons,
  formatCount,
  formatPercent,
  lineageOfOffices,
  mergeSummaries,
  pointsPercent,
  unitOn,
} from '../../../../core/index.ts';
import { heatmapMemo } from '../../store/tally-digest.ts';
import type { ReasonSummary, Summary } from '../../../../core/index.ts';
import type { AppState } from '../../state/app-state.ts';
import { fill } from '../../i18n/messages.ts';
import { resolvePeriod } from '../../period/period-choice.ts';
import { commonScale } from '../../store/names.ts';
import { foldPeriod, rankRows, talliesUnder, trendPoints } from '../../store/period-figures.ts';
import { districtTallies } from '../../store/unit-figures.ts';
import type { RankedRow } from '../../store/period-figures.ts';
import { pct, satisfied } from '../common/figures.tsx';
import { PressDiagnostics } from '../common/press-diagnostics.tsx';
import { ReasonsPanel, reasonsLine } from '../common/reasons-panel.tsx';
import { HeatmapGrid } from './heatmap-grid.tsx';
import { PeriodPicker } from './period-picker.tsx';
import { TargetsEditor } from './targets-editor.tsx';
import { TrendChart, trendLabels } from './trend-chart.tsx';

function Delta(props: { value: number | null; locale: 'vi' | 'en'; unit: string }) {
  if (props.value === null) return <span class="muted">—</span>;
  const sign = props.value > 0 ? '+' : props.value < 0 ? '−' : '±';
  const cls = props.value > 0 ? 'good' : props.value < 0 ? 'bad' : 'muted';
  return (
    <span class={cls}>
      {sign}
      {fill(props.unit, { value: pct(Math.abs(props.value), props.locale).replace('%', '') })}
    </span>
  );
}

/** The "ít lượt" mark beside a figure on too few votes, with the ward's minimum in its tooltip. */
export function FewMark(props: { app: AppState; ward: string }) {
  const t = props.app.t.value;
  return (
    <span class="tag few" data-testid="few" title={fill(t.fewVotesHint, { n: props.app.names.minVotes(props.ward) })}>
      {t.fewVotes}
    </span>
  );
}

/** The ranking table of one drill level. */
function Ranking(props: {
  app: AppState;
  rows: readonly RankedRow[];
  total: Summary;
  reasons: Map<string, ReasonSummary>;
  onOpen?: (key: string) => void;
}) {
  const { app, rows } = props;
  const t = app.t.value;
  const locale = app.lang.value;
  return (
    <table class="data" data-testid="ranking">
      <caption class="muted" style={{ textAlign: 'left' }}>
        {t.ranking}
        {props.onOpen ? ` · ${t.drillHint}` : ''}
      </caption>
      <thead>
        <tr>
          <th scope="col">{t.rank}</th>
          <th scope="col" class="unit">
            {t.unit}
          </th>
          <th scope="col">{t.votes}</th>
          <th scope="col">{t.satisfiedPercent}</th>
          <th scope="col">{t.previousPeriod}</th>
          <th scope="col">{t.change}</th>
          <th scope="col">{t.pointsIndex}</th>
          <th scope="col">{t.target}</th>
          <th scope="col">{t.status}</th>
          <th scope="col" class="reason-col">
            {t.mainReason}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={r.key} data-key={r.key}>
            <td class="num">{i + 1}</td>
            <td class="unit">
              {props.onOpen ? (
                <button type="button" class="link" onClick={() => props.onOpen?.(r.key)}>
                  {r.name}
                </button>
              ) : (
                r.name
              )}
            </td>
            <td class="num">{formatCount(r.summary.total, locale)}</td>
            <td class="num">
              <strong>{pct(r.percent, locale)}</strong>
              {r.few && r.summary.total > 0 && <FewMark app={app} ward={r.key.split('/').slice(0, 2).join('/')} />}
            </td>
            <td class="num">{pct(r.previousPercent, locale)}</td>
            <td class="num">
              <Delta value={r.delta} locale={locale} unit={t.pointsDelta} />
            </td>
            <td class="num">{pct(pointsPercent(r.summary, PERCENT_DIGITS.live), locale).replace('%', '')}</td>
            <td class="num">{formatPercent(r.target, { locale, digits: 0 })}</td>
            <td>
              {r.achieved === null ? (
                <span class="muted">{r.summary.total > 0 ? t.fewVotes : t.noData}</span>
              ) : (
                <span class={r.achieved ? 'tag good' : 'tag bad'}>{r.achieved ? t.achieved : t.notAchieved}</span>
              )}
            </td>
            <td class="reason-col" data-testid="main-reason">
              {reasonsLine(props.reasons.get(r.key), locale, 1)}
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td />
          <td class="unit">{t.total}</td>
          <td class="num">{formatCount(props.total.total, locale)}</td>
          <td class="num">{pct(satisfied(props.total), locale)}</td>
          <td colSpan={6} />
        </tr>
      </tfoot>
    </table>
  );
}

/** The district view. */
export function DistrictView(props: { app: AppState }) {
  const { app } = props;
  const rev = app.slowRev.value;
  const t = app.t.value;
  const locale = app.lang.value;
  const period = resolvePeriod(app.selection.period.value, app.today.value);
  const drill = app.selection.drill.value;
  const scale = commonScale(app.store.offices.values());
  const periodKey = `${period.range.from}:${period.range.to}:${period.previous.from}`;
  const drilled = drill.length > 0;
  // At a hub's top level the units' monthly summaries (same figures, ~1/10 of the data); tallies on drill-down.
  const tallies = useMemo(
    () => districtTallies(app.atHub, drilled, app.store.unitMonths.values(), app.store.tallies.values()),
    [rev, drilled],
  );
  const fold = useMemo(() => foldPeriod(tallies, period.range, period.previous, scale), [tallies, periodKey, scale]);
  const lineage = useMemo(() => lineageOfOffices(app.store.offices.values()), [rev]);
  const [apart, setApart] = useState(false);
  const [ward, counter] = drill;
  const prefix = counter !== undefined ? `${counter}/` : ward !== undefined ? `${ward}/` : '';
  const scoped = useMemo(() => talliesUnder(tallies, prefix), [tallies, prefix]);
  const officerFold = useMemo(
    () => (counter === undefined ? undefined : foldPeriod(scoped, period.range, period.previous, scale, ['officer'])),
    [scoped, periodKey, scale, counter],
  );
  // The chart stops at today: the rest of this month or year has no figures yet.
  const today = app.today.value;
  const chartRange = period.range.from <= today && period.range.to > today ? { from: period.range.from, to: today } : period.range;
  const trend = useMemo(() => trendPoints(scoped, chartRange, scale), [scoped, periodKey, scale, chartRange.to]);
  const heat = useMemo(() => heatmapMemo(scoped, period.range), [scoped, periodKey]);
  // Reasons per row of this drill level, and for the whole scope.
  const rowReasons = useMemo(
    () =>
      foldReasons(counter !== undefined ? scoped : tallies, {
        ...period.range,
        scale,
        by: counter !== undefined ? 'officer' : ward !== undefined ? 'counter' : 'ward',
      }),
    [tallies, scoped, periodKey, scale, ward, counter],
  );
  const scopeReasons = useMemo(() => foldReasons(scoped, { ...period.range, scale, by: 'all' }).get('all'), [scoped, periodKey, scale]);
  const districts = [
    ...new Set([...[...(fold.current.get('ward')?.keys() ?? [])].map((k) => k.split('/')[0] as string), ...app.districtList.value]),
  ];
  let rows: RankedRow[];
  let total: Summary;
  let target: number;
  let title: string;
  if (counter !== undefined && ward !== undefined) {
    rows = rankRows(
      officerFold?.current.get('officer'),
      officerFold?.previous.get('officer'),
      `${ward}/`,
      (k) => app.names.officer(k),
      () => app.wardTarget(ward),
      () => app.names.minVotes(ward),
    );
    total = fold.current.get('counter')?.get(counter) ?? mergeSummaries([], scale);
    target = app.wardTarget(ward);
    title = `${app.names.ward(ward)} · ${app.names.counter(counter)}`;
  } else if (ward !== undefined) {
    rows = rankRows(
      fold.current.get('counter'),
      fold.previous.get('counter'),
      `${ward}/`,
      (k) => app.names.counter(k),
      () => app.wardTarget(ward),
      () => app.names.minVotes(ward),
    );
    total = fold.current.get('ward')?.get(ward) ?? mergeSummaries([], scale);
    target = app.wardTarget(ward);
    title = app.names.ward(ward);
  } else {
    // The 2025 mergers (Office.mergedFrom, from the hub): over a period that reaches past a
    // merger, a former unit's figures count in the unit that absorbed it (core/merger.ts);
    // the previous period is folded at the same date so the rows compare like with like.
    const fold1 = (m: Map<string, Summary> | undefined) =>
      m === undefined || lineage.size === 0 || apart ? m : foldByUnit(m, lineage, period.range.to, (a, b) => mergeSummaries([a, b], scale));
    const cur = fold.current.get('ward');
    const includes = new Map<string, string[]>();
    if (!apart) {
      for (const k of cur?.keys() ?? []) {
        const into = unitOn(lineage, k, period.range.to);
        if (into !== k) includes.set(into, [...(includes.get(into) ?? []), app.names.ward(k)]);
      }
    }
    const nameOf = (k: string) => {
      const inc = includes.get(k);
      return inc === undefined ? app.names.ward(k) : `${app.names.ward(k)} (${fill(t.mergedIncludes, { names: inc.join(', ') })})`;
    };
    rows = rankRows(
      fold1(cur),
      fold1(fold.previous.get('ward')),
      '',
      nameOf,
      (k) => app.wardTarget(k),
      (k) => app.names.minVotes(k),
    );
    total = fold.current.get('all')?.get('all') ?? mergeSummaries([], scale);
    target = districts.length === 1 ? app.districtTarget(districts[0] as string) : 80;
    title = districts.map((d) => app.names.district(d)).join(', ') || t.navDistrict;
  }
  const value = satisfied(total);
  const open = (key: string) => {
    if (drill.length === 0) app.loadUnit(key);
    app.selection.drill.value = [...drill, key];
  };
  return (
    <>
      <PeriodPicker choice={app.selection.period} t={t} range={period.range} />
      <div class="crumbs">
        {drill.length > 0 && (
          <button type="button" onClick={() => (app.selection.drill.value = drill.slice(0, -1))}>
            ← {t.back}
          </button>
        )}
        <h2 style={{ margin: 0 }}>
          {title} · {period.label(locale)}
        </h2>
      </div>
      {app.loadingMonths.value && drill.length === 0 && (
        <p class="banner warn" role="status" data-testid="loading-period">
          {t.loadingPeriod}
        </p>
      )}
      <p class="headline" data-testid="headline">
        <strong class={value !== null && value < target ? 'bad' : 'good'}>{pct(value, locale)}</strong>{' '}
        {fill(t.summaryLine, { percent: '', n: formatCount(total.total, locale) }).trim()} · {t.target}{' '}
        {formatPercent(target, { locale, digits: 0 })}
      </p>
      <div class="district-grid">
        <div>
          {drill.length === 0 && lineage.size > 0 && (
            <label class="merged-apart">
              <input
                type="checkbox"
                checked={apart}
                onChange={(e) => setApart((e.currentTarget as HTMLInputElement).checked)}
                data-testid="merged-apart"
              />{' '}
              {t.mergedApart}
            </label>
          )}
          <section class="panel" style={{ overflowX: 'auto' }}>
            <Ranking app={app} rows={rows} total={total} reasons={rowReasons} {...(drill.length < 2 ? { onOpen: open } : {})} />
          </section>
          <ReasonsPanel summary={scopeReasons} t={t} locale={locale} heading={`${title} · ${period.label(locale)}`} />
        </div>
        <div>
          <section class="panel">
            <h3>{t.trend}</h3>
            <TrendChart
              points={trend}
              target={target}
              locale={locale}
              title={t.trend}
              empty={t.trendEmpty}
              labels={trendLabels(t)}
              today={today}
            />
          </section>
          <section class="panel">
            <HeatmapGrid grid={heat} t={t} locale={locale} />
          </section>
          {drill.length === 0 && <TargetsEditor app={app} districts={districts} />}
          <PressDiagnostics
            lines={rows.map((r) => ({ key: r.key, name: r.name, summary: r.summary }))}
            t={t}
            locale={locale}
            heading={period.label(locale)}
          />
        </div>
      </div>
    </>
  );
}
