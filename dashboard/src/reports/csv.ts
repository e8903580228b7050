/**
 * CSV export of a report (RFC 4180): UTF-8 with a byte-order mark, so Excel
 * shows the Vietnamese diacritics; comma-separated; numbers in plain
 * machine form (98.97, no thousands separator) so other tools read them —
 * the XLSX export is the one formatted for people.
 */
import type { Report, ReportRow } from './report.ts';
import { reportHeadings, rowVerdict } from './report.ts';

/** The UTF-8 byte-order mark Excel needs to read a CSV as UTF-8. */
export const BOM = '\uFEFF';

/** Quotes a field when it holds a comma, quote or line break (RFC 4180 §2.6–2.7). */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function rowCells(row: ReportRow, report: Report): (string | number | null)[] {
  return [row.unit, row.total, ...row.counts, row.satisfiedPercent, row.pointsIndex, row.previousPercent, row.delta, row.target, rowVerdict(row, report.locale)];
}

/**
 * The whole CSV text: the header, one row per unit and the total row, CRLF
 * line ends. The header comes first so that tools read it as a table; the
 * period is in the file name (`reportFileName`).
 */
export function reportCsv(report: Report): string {
  const lines: (string | number | null)[][] = [
    reportHeadings(report),
    ...report.rows.map((r) => rowCells(r, report)),
    rowCells(report.total, report),
  ];
  return BOM + lines.map((cells) => cells.map(csvField).join(',')).join('\r\n') + '\r\n';
}
