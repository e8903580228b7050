/** A report as an HTML table (preview and A4 print). */
import { PERCENT_DIGITS, formatCount, formatPercent, percent, reasonLabel } from '../../../../core/index.ts';
import type { Report, ReportRow } from '../../reports/report.ts';
import { reportHeadings, rowVerdict } from '../../reports/report.ts';

function Row(props: { row: ReportRow; report: Report }) {
  const { row, report } = props;
  const l = report.locale;
  return (
    <>
      <td class="unit">{row.unit}</td>
      <td class="num">{formatCount(row.total, l)}</td>
      {row.counts.map((n, i) => (
        <td key={i} class="num">
          {formatCount(n, l)}
        </td>
      ))}
      <td class="num">{formatPercent(row.satisfiedPercent, { locale: l, digits: PERCENT_DIGITS.report })}</td>
      {/* Two fixed decimals, like the percentage: 78,80 rather than 78,8. */}
      <td class="num">{formatPercent(row.pointsIndex, { locale: l, digits: PERCENT_DIGITS.report }).replace('%', '')}</td>
      <td class="num">{formatPercent(row.previousPercent, { locale: l, digits: PERCENT_DIGITS.report })}</td>
      <td class="num">
        {row.delta === null
          ? '—'
          : `${row.delta > 0 ? '+' : row.delta < 0 ? '−' : '±'}${formatPercent(Math.abs(row.delta), { locale: l, digits: PERCENT_DIGITS.report }).replace('%', '')}`}
      </td>
      <td class="num">{row.target === null ? '' : formatPercent(row.target, { locale: l, digits: 0 })}</td>
      <td class={row.achieved === false ? 'verdict bad' : 'verdict'} data-testid="verdict">
        {rowVerdict(row, l)}
      </td>
    </>
  );
}

/** The table, with the total row in the footer. */
export function ReportTable(props: { report: Report; className?: string }) {
  const { report } = props;
  return (
    <table class={props.className ?? 'data'} data-testid="report-table">
      <thead>
        <tr>
          {/* Reasons get their own table below: the A4 page has no room for a column each. */}
          {reportHeadings(report, false).map((h, i) => (
            <th key={i} scope="col" class={i === 0 ? 'unit' : ''}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {report.rows.map((r) => (
          <tr key={r.key}>
            <Row row={r} report={report} />
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <Row row={report.total} report={report} />
        </tr>
      </tfoot>
    </table>
  );
}

/** The reasons given for low ratings over the whole report: each with its votes and share of the low votes. */
export function ReportReasons(props: { report: Report }) {
  const { report } = props;
  const l = report.locale;
  const vi = l === 'vi';
  if (report.reasons.length === 0) return null;
  const low = report.total.low;
  return (
    <table class={'data report-reasons'} data-testid="report-reasons">
      <caption>
        {vi
          ? `Lý do chưa hài lòng (trên ${formatCount(low, l)} lượt không hài lòng)`
          : `Reasons for dissatisfaction (of ${formatCount(low, l)} dissatisfied ratings)`}
      </caption>
      <thead>
        <tr>
          <th scope="col" class="unit">
            {vi ? 'Lý do' : 'Reason'}
          </th>
          <th scope="col">{vi ? 'Số lượt' : 'Ratings'}</th>
          <th scope="col">{vi ? 'Tỷ lệ trên lượt không hài lòng (%)' : 'Share of dissatisfied (%)'}</th>
        </tr>
      </thead>
      <tbody>
        {report.reasons.map((id, i) => {
          const n = report.total.reasons[i] ?? 0;
          return (
            <tr key={id}>
              <td class="unit">{reasonLabel(id, l)}</td>
              <td class="num">{formatCount(n, l)}</td>
              <td class="num">
                {formatPercent(percent(Math.min(n, low), low, PERCENT_DIGITS.report), { locale: l, digits: PERCENT_DIGITS.report })}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
