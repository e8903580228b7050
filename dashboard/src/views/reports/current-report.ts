/** The report the reports view and the print view show, built from the app's selection. */
import type { AppState } from '../../state/app-state.ts';
import { resolvePeriod } from '../../period/period-choice.ts';
import { buildReport } from '../../reports/report.ts';
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
  return buildReport({
    tallies: app.store.tallies.values(),
    range: period.range,
    level,
    scale: commonScale(app.store.offices.values()),
    locale,
    periodLabel: period.label(locale),
    scopeLabel: scopeName(app, scope),
    prefix: scope === '' ? '' : `${scope}/`,
    name,
    target: (_l, key) => app.wardTarget(key.split('/').slice(0, 2).join('/')),
    generatedAt: app.clock.value,
  });
}
