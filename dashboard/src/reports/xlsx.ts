/**
 * XLSX export of a report: one sheet — title, office, period and date
 * lines, then the table with a bold header, thousands-separated counts and
 * 2-decimal percentages, A4 page setup — written by core's one XLSX writer
 * (core/xlsx-workbook.ts), which the bridge's report pack shares.
 */
import {
  XLSX_MIME,
  XLSX_STYLE as S,
  columnName,
  workbookParts as parts,
  xlsxBytes,
  xmlText,
  worksheetXml,
} from '../../../core/xlsx-workbook.ts';
import type { XlsxCell, XlsxSheet } from '../../../core/xlsx-workbook.ts';
import type { Report, ReportRow } from './report.ts';
import { reportHeadings, reportPeriodLine, reportPlaceDateLine, rowVerdict } from './report.ts';

export { XLSX_MIME, columnName, xmlText };

function tableRow(row: ReportRow, total: boolean, report: Report): XlsxCell[] {
  const [t, i, d] = total ? [S.totalText, S.totalInt, S.totalDec] : [S.text, S.int, S.dec];
  return [
    { text: row.unit, style: t },
    { number: row.total, style: i },
    ...row.counts.map((n) => ({ number: n, style: i })),
    { number: row.satisfiedPercent, style: d },
    { number: row.pointsIndex, style: d },
    { number: row.previousPercent, style: d },
    { number: row.delta, style: d },
    { number: row.target, style: i },
    { text: rowVerdict(row, report.locale), style: t },
    ...row.reasons.map((n) => ({ number: n, style: i })),
  ];
}

/** The report as one sheet of core's writer. */
export function reportSheet(report: Report): XlsxSheet {
  return {
    name: report.locale === 'vi' ? 'Báo cáo' : 'Report',
    rows: [
      [{ text: report.title, style: S.title }],
      [{ text: report.scopeLabel, style: S.bold }],
      [{ text: reportPeriodLine(report), style: S.plain }],
      [{ text: reportPlaceDateLine(report), style: S.plain }],
      [],
      reportHeadings(report).map((h) => ({ text: h, style: S.header })),
      ...report.rows.map((r) => tableRow(r, false, report)),
      tableRow(report.total, true, report),
    ],
    mergedRows: [1, 2, 3, 4],
  };
}

/** The worksheet XML of a report. */
export function sheetXml(report: Report): string {
  return worksheetXml(reportSheet(report));
}

/** Every part of the workbook: path → XML text. */
export function workbookParts(report: Report): [string, string][] {
  return parts([reportSheet(report)]);
}

/** The XLSX file bytes of a report. Deterministic: entry times are the report's `generatedAt`. */
export function reportXlsx(report: Report): Uint8Array {
  return xlsxBytes([reportSheet(report)], report.generatedAt);
}
