/**
 * CSV export of a report (RFC 4180) through core's formula-safe writer:
 * UTF-8 with a byte-order mark, so Excel shows the Vietnamese diacritics;
 * comma-separated; numbers in plain machine form (98.97, no thousands
 * separator) so other tools read them — the XLSX export is the one
 * formatted for people. Unit names come from MQTT: a name such as
 * `=HYPERLINK(…)` stays text (core/csv.ts).
 */
import { CSV_BOM, csvDocument } from '../../../core/index.ts';
import type { Report, ReportRow } from './report.ts';
import { reportHeadings, rowVerdict } from './report.ts';

/** The UTF-8 byte-order mark Excel needs to read a CSV as UTF-8. */
export const BOM = CSV_BOM;

function rowCells(row: ReportRow, report: Report): (string | number | null)[] {
  return [
    row.unit,
    row.total,
    ...row.counts,
    row.satisfiedPercent,
    row.pointsIndex,
    row.previousPercent,
    row.delta,
    row.target,
    rowVerdict(row, report.locale),
    ...row.reasons,
  ];
}

/**
 * The whole CSV text: the header, one row per unit and the total row, CRLF
 * line ends. The header comes first so that tools read it as a table; the
 * period is in the file name (`reportFileName`).
 */
export function reportCsv(report: Report): string {
  return csvDocument([reportHeadings(report), ...report.rows.map((r) => rowCells(r, report)), rowCells(report.total, report)]);
}
