/** Reports: pick a period, a level and a scope; preview; export CSV / XLSX; print on A4. */
import type { AppState } from '../../state/app-state.ts';
import { reportCsv } from '../../reports/csv.ts';
import { downloadFile } from '../../reports/download.ts';
import { REPORT_LEVELS, reportFileName, reportPeriodLine } from '../../reports/report.ts';
import type { ReportLevel } from '../../reports/report.ts';
import { XLSX_MIME, reportXlsx } from '../../reports/xlsx.ts';
import { resolvePeriod } from '../../period/period-choice.ts';
import { PeriodPicker } from '../district/period-picker.tsx';
import { currentReport, scopeName } from './current-report.ts';
import { ReportReasons, ReportTable } from './report-table.tsx';

const LEVEL_LABEL = { ward: 'levelWards', counter: 'levelCounters', officer: 'levelOfficers' } as const;

/** The reports view. */
export function ReportsView(props: { app: AppState }) {
  const { app } = props;
  void app.slowRev.value;
  const t = app.t.value;
  const sel = app.selection;
  const report = currentReport(app);
  const districts = [...new Set(app.wardList.value.map((w) => w.split('/')[0] as string))];
  const scopes = ['', ...(districts.length > 1 ? districts : []), ...app.wardList.value];
  return (
    <>
      <h2>{t.reportsTitle}</h2>
      <PeriodPicker choice={sel.period} t={t} range={resolvePeriod(sel.period.value, app.today.value).range} />
      <div class="bar-row">
        <label class="field">
          {t.reportLevel}
          <select
            value={sel.reportLevel.value}
            onChange={(e) => (sel.reportLevel.value = (e.target as HTMLSelectElement).value as ReportLevel)}
          >
            {REPORT_LEVELS.map((l) => (
              <option key={l} value={l}>
                {t[LEVEL_LABEL[l]]}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          {t.scope}
          <select value={sel.reportScope.value} onChange={(e) => (sel.reportScope.value = (e.target as HTMLSelectElement).value)}>
            {scopes.map((s) => (
              <option key={s} value={s}>
                {s === '' ? `${t.allDistricts} (${scopeName(app, '')})` : scopeName(app, s)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          class="primary"
          data-testid="export-csv"
          onClick={() => downloadFile(reportFileName(report, 'csv'), reportCsv(report), 'text/csv;charset=utf-8')}
        >
          {t.exportCsv}
        </button>
        <button
          type="button"
          class="primary"
          data-testid="export-xlsx"
          onClick={() => downloadFile(reportFileName(report, 'xlsx'), reportXlsx(report), XLSX_MIME)}
        >
          {t.exportXlsx}
        </button>
        <button type="button" onClick={() => app.navigate({ view: 'print' })}>
          {t.print}
        </button>
      </div>
      <section class="panel" style={{ overflowX: 'auto' }}>
        <h3>{report.scopeLabel}</h3>
        <p class="muted">{reportPeriodLine(report)}</p>
        <ReportTable report={report} />
        <ReportReasons report={report} />
      </section>
    </>
  );
}
