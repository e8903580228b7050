/**
 * The A4 print view in the layout of a Vietnamese administrative report:
 * the office and the national motto at the top, the title, the period, the
 * table, the place-and-date line and the signature blocks.
 */
import type { AppState } from '../../state/app-state.ts';
import { reportPeriodLine, reportPlaceDateLine } from '../../reports/report.ts';
import { currentReport } from './current-report.ts';
import { ReportTable } from './report-table.tsx';

/** The print view (the browser's print dialog prints only the page). */
export function PrintView(props: { app: AppState }) {
  const { app } = props;
  void app.slowRev.value;
  const t = app.t.value;
  const report = currentReport(app);
  const vi = report.locale === 'vi';
  return (
    <div lang={report.locale}>
      <div class="print-tools no-print">
        <button type="button" class="primary" onClick={() => window.print()}>
          {t.printNow}
        </button>
        <button type="button" onClick={() => app.navigate({ view: 'reports' })}>
          {t.back}
        </button>
      </div>
      <article class="print-page" data-testid="print-page">
        <div class="print-head">
          <div>
            <b>{report.scopeLabel.toUpperCase()}</b>
            {vi ? 'BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ' : 'ONE-STOP SERVICE OFFICE'}
          </div>
          <div>
            {vi ? (
              <>
                <b class="motto" data-testid="national-heading">
                  CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
                </b>
                <u class="motto">Độc lập - Tự do - Hạnh phúc</u>
              </>
            ) : (
              <b>SOCIALIST REPUBLIC OF VIET NAM</b>
            )}
          </div>
        </div>
        <h1>{report.title}</h1>
        <p class="period">{reportPeriodLine(report)}</p>
        <ReportTable report={report} className="" />
        <div class="print-sign">
          <div>
            <p>&nbsp;</p>
            <b>{t.preparedBy}</b>
          </div>
          <div>
            <p class="date" data-testid="place-date">
              {reportPlaceDateLine(report)}
            </p>
            <b>{t.headOfUnit}</b>
          </div>
        </div>
      </article>
    </div>
  );
}
