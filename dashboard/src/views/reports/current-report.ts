/** The report the reports view and the print view show, built from the app's selection. */
import type { AppState } from '../../state/app-state.ts';
import { resolvePeriod } from '../../period/period-choice.ts';
import { buildReport, placeName } from '../../reports/report.ts';
import type { Report, ReportLevel } from '../../reports/report.ts';
import { commonScale } from '../../store/names.ts';

/** The scope's display name: a ward, a district, or every district known. */
export function scopeName(app: AppState, scope: string): string {
  if (scope.includes('/')) return `${app.names.ward(scope)}, ${app.names.district(scope.split('/')[0] as string)}`;
  if (scope !== '') return app.names.district(scope);
  const districts = [...new Set(app.wardList.value.map((w) => w.split('/')[0] as string))];
  return districts.map((d) => app.names.district(d)).join(', ');
}

/** Builds the selected report now. */
export function currentReport(app: AppState): Report {
  const locale = app.lang.value;
  const period = resolvePeriod(app.selection.period.value, app.today.value);
  const scope = app.selection.reportScope.value;
  const level = app.selection.reportLevel.value;
  const name = (l: ReportLevel, key: string) => {
    if (l === 'ward') return app.names.ward(key);
    const ward = key.split('/').slice(0, 2).join('/');
    const many = !scope.includes('/');
    const own = l === 'counter' ? app.names.counter(key) : app.names.officer(key);
    // Counters and officers of several wards need the ward to tell them apart.
    return many ? `${app.names.ward(ward)} · ${own}` : own;
  };
  const wardOf = (key: string) => key.split('/').slice(0, 2).join('/');
  const districts = [...new Set(app.wardList.value.map((w) => w.split('/')[0] as string))];
  const district = scope !== '' ? (scope.split('/')[0] as string) : districts.length === 1 ? (districts[0] as string) : '';
  const wards = app.wardList.value.filter((w) => scope === '' || w === scope || w.startsWith(`${scope}/`));
  // The place of the place-and-date line: the ward for a ward's report, else the parent unit, named as its office data names it.
  const place = scope.includes('/') ? app.names.ward(scope) : district !== '' ? app.names.district(district) : '';
  return buildReport({
    tallies: app.store.tallies.values(),
    range: period.range,
    previous: period.previous,
    today: app.today.value,
    place: placeName(place),
    level,
    scale: commonScale(app.store.offices.values()),
    locale,
    periodLabel: period.label(locale),
    scopeLabel: scopeName(app, scope),
    prefix: scope === '' ? '' : `${scope}/`,
    name,
    target: (_l, key) => app.wardTarget(wardOf(key)),
    totalTarget: wards.length === 1 ? app.wardTarget(wards[0] as string) : district !== '' ? app.districtTarget(district) : null,
    minVotes: (_l, key) => app.names.minVotes(wardOf(key)),
    generatedAt: app.clock.value,
  });
}
