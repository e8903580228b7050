/**
 * XLSX export of a report: an Office Open XML workbook (ECMA-376) with one
 * sheet — title, office, period and date lines, then the table with a bold
 * header, thousands-separated counts and 2-decimal percentages (Excel shows
 * them with the reader's separators: 35.100 and 98,97 in Vietnamese), A4
 * page setup. An XLSX is a zip of XML parts; the parts are small, so they
 * are STORED (fflate's `ZipPassThrough`), which keeps the deflate code out
 * of the bundle.
 */
import { Zip, ZipPassThrough } from 'fflate';
import type { Report, ReportRow } from './report.ts';
import { reportHeadings, reportPeriodLine, reportPlaceDateLine, rowVerdict } from './report.ts';

/** MIME type of an XLSX workbook. */
export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Escapes text for XML and drops characters XML 1.0 cannot hold. */
export function xmlText(value: string): string {
  return value
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Column letter of a 0-based index (A…Z, AA…). */
export function columnName(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

// Cell styles (cellXfs indexes in STYLES).
const S = { title: 1, bold: 2, header: 3, text: 4, int: 5, dec: 6, totalText: 7, totalInt: 8, totalDec: 9 } as const;

const STYLES = `${HEAD}<styleSheet xmlns="${MAIN}">
<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="14"/><name val="Calibri"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF4"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="10">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1"/>
<xf numFmtId="3" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1"/>
<xf numFmtId="2" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1"/>
<xf numFmtId="3" fontId="1" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"/>
<xf numFmtId="2" fontId="1" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"/>
</cellXfs>
</styleSheet>`;

type Cell = { readonly text: string; readonly style: number } | { readonly number: number | null; readonly style: number };

function cellXml(ref: string, cell: Cell): string {
  if ('text' in cell) {
    const space = /^\s|\s$/.test(cell.text) ? ' xml:space="preserve"' : '';
    return `<c r="${ref}" s="${cell.style}" t="inlineStr"><is><t${space}>${xmlText(cell.text)}</t></is></c>`;
  }
  // An empty cell with borders for a missing figure (no votes), not a 0.
  if (cell.number === null) return `<c r="${ref}" s="${cell.style}"/>`;
  return `<c r="${ref}" s="${cell.style}"><v>${cell.number}</v></c>`;
}

function tableRow(row: ReportRow, total: boolean, report: Report): Cell[] {
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
  ];
}

/** The worksheet XML of a report. */
export function sheetXml(report: Report): string {
  const headings = reportHeadings(report);
  const width = headings.length;
  const rows: Cell[][] = [
    [{ text: report.title, style: S.title }],
    [{ text: report.scopeLabel, style: S.bold }],
    [{ text: reportPeriodLine(report), style: 0 }],
    [{ text: reportPlaceDateLine(report), style: 0 }],
    [],
    headings.map((h) => ({ text: h, style: S.header })),
    ...report.rows.map((r) => tableRow(r, false, report)),
    tableRow(report.total, true, report),
  ];
  const body = rows
    .map((cells, r) => `<row r="${r + 1}">${cells.map((c, i) => cellXml(`${columnName(i)}${r + 1}`, c)).join('')}</row>`)
    .join('');
  const last = columnName(width - 1);
  const cols = `<cols><col min="1" max="1" width="42" customWidth="1"/><col min="2" max="${width}" width="16" customWidth="1"/></cols>`;
  const merges = [1, 2, 3, 4].map((r) => `<mergeCell ref="A${r}:${last}${r}"/>`).join('');
  return (
    `${HEAD}<worksheet xmlns="${MAIN}" xmlns:r="${REL}">` +
    `<dimension ref="A1:${last}${rows.length}"/>${cols}<sheetData>${body}</sheetData>` +
    `<mergeCells count="4">${merges}</mergeCells>` +
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>' +
    // paperSize 9 = A4 (ECMA-376 Part 1, §18.3.1.63).
    '<pageSetup paperSize="9" orientation="portrait" fitToHeight="0"/>' +
    '</worksheet>'
  );
}

/** Every part of the workbook: path → XML text. */
export function workbookParts(report: Report): [string, string][] {
  const sheetName = report.locale === 'vi' ? 'Báo cáo' : 'Report';
  return [
    [
      '[Content_Types].xml',
      `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        '</Types>',
    ],
    [
      '_rels/.rels',
      `${HEAD}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      'xl/workbook.xml',
      `${HEAD}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="${xmlText(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `${HEAD}<Relationships xmlns="${PKG_REL}">` +
        `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    ],
    ['xl/styles.xml', STYLES],
    ['xl/worksheets/sheet1.xml', sheetXml(report)],
  ];
}

/** The XLSX file bytes of a report. Deterministic: entry times are the report's `generatedAt`. */
export function reportXlsx(report: Report): Uint8Array {
  const chunks: Uint8Array[] = [];
  let done = false;
  let failure: Error | null = null;
  const zip = new Zip((error, chunk, final) => {
    if (error) failure = error;
    else chunks.push(chunk);
    if (final) done = true;
  });
  const encoder = new TextEncoder();
  // ZIP times are DOS times (1980–2107); clamp so any clock works.
  const mtime = Math.min(Math.max(report.generatedAt, Date.UTC(1980, 0, 2)), Date.UTC(2099, 11, 31));
  for (const [path, xml] of workbookParts(report)) {
    const file = new ZipPassThrough(path);
    file.mtime = mtime;
    zip.add(file);
    file.push(encoder.encode(xml), true);
  }
  zip.end();
  // Stored entries are written synchronously; anything else is a bug.
  if (failure !== null) throw failure;
  if (!done) throw new Error('XLSX archive did not complete synchronously');
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
