/**
 * The one XLSX writer of hailong: an Office Open XML workbook (ECMA-376)
 * from sheets of styled cells — bold title lines, a shaded header, bordered
 * cells, thousands-separated counts and 2-decimal percentages (Excel shows
 * them with the reader's separators: 35.100 and 98,97 in Vietnamese), A4
 * page setup. Used by the dashboard's report download and the bridge's
 * report pack. An XLSX is a zip of XML parts; the parts are small, so they
 * are STORED (fflate's `ZipPassThrough`), which keeps the deflate code out
 * of the dashboard's bundle. Pure: cells in, bytes out.
 */
import { Zip, ZipPassThrough, strToU8 } from 'fflate';

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

/** Cell styles (cellXfs indexes of the workbook's styles part). */
export const XLSX_STYLE = {
  plain: 0,
  title: 1,
  bold: 2,
  header: 3,
  text: 4,
  int: 5,
  dec: 6,
  totalText: 7,
  totalInt: 8,
  totalDec: 9,
} as const;

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

/** A cell: text, or a number (null = an empty bordered cell for a missing figure, not a 0). */
export type XlsxCell = { readonly text: string; readonly style: number } | { readonly number: number | null; readonly style: number };

/** One worksheet: rows of cells, column widths, merged title rows. */
export interface XlsxSheet {
  readonly name: string;
  readonly rows: readonly (readonly XlsxCell[])[];
  /** Width of the first column, then of the others (characters). @default [42, 16] */
  readonly widths?: readonly [number, number];
  /** 1-based rows merged across the table's width (title lines). @default [] */
  readonly mergedRows?: readonly number[];
  /** Landscape A4 (wide tables). @default false */
  readonly landscape?: boolean;
}

function cellXml(ref: string, cell: XlsxCell): string {
  if ('text' in cell) {
    const space = /^\s|\s$/.test(cell.text) ? ' xml:space="preserve"' : '';
    return `<c r="${ref}" s="${cell.style}" t="inlineStr"><is><t${space}>${xmlText(cell.text)}</t></is></c>`;
  }
  if (cell.number === null) return `<c r="${ref}" s="${cell.style}"/>`;
  return `<c r="${ref}" s="${cell.style}"><v>${cell.number}</v></c>`;
}

/** The worksheet XML of a sheet. */
export function worksheetXml(sheet: XlsxSheet): string {
  const width = Math.max(1, ...sheet.rows.map((r) => r.length));
  const body = sheet.rows
    .map((cells, r) => `<row r="${r + 1}">${cells.map((c, i) => cellXml(`${columnName(i)}${r + 1}`, c)).join('')}</row>`)
    .join('');
  const last = columnName(width - 1);
  const [w1, w2] = sheet.widths ?? [42, 16];
  const cols =
    width > 1
      ? `<cols><col min="1" max="1" width="${w1}" customWidth="1"/><col min="2" max="${width}" width="${w2}" customWidth="1"/></cols>`
      : '';
  const merged = sheet.mergedRows ?? [];
  const merges =
    merged.length === 0
      ? ''
      : `<mergeCells count="${merged.length}">${merged.map((r) => `<mergeCell ref="A${r}:${last}${r}"/>`).join('')}</mergeCells>`;
  return (
    `${HEAD}<worksheet xmlns="${MAIN}" xmlns:r="${REL}">` +
    `<dimension ref="A1:${last}${Math.max(1, sheet.rows.length)}"/>${cols}<sheetData>${body}</sheetData>${merges}` +
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>' +
    // paperSize 9 = A4 (ECMA-376 Part 1, §18.3.1.63).
    `<pageSetup paperSize="9" orientation="${sheet.landscape === true ? 'landscape' : 'portrait'}" fitToHeight="0"/>` +
    '</worksheet>'
  );
}

/** Sheet names: at most 31 characters, none of `[]:*?/\` (ECMA-376 / Excel). */
function sheetName(name: string): string {
  return name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31);
}

/** Every part of a workbook: path → XML text. */
export function workbookParts(sheets: readonly XlsxSheet[]): [string, string][] {
  const n = sheets.length;
  const idx = sheets.map((_, i) => i + 1);
  return [
    [
      '[Content_Types].xml',
      `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        idx
          .map(
            (i) =>
              `<Override PartName="/xl/worksheets/sheet${i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
          )
          .join('') +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        '</Types>',
    ],
    [
      '_rels/.rels',
      `${HEAD}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      'xl/workbook.xml',
      `${HEAD}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets>${sheets.map((s, i) => `<sheet name="${xmlText(sheetName(s.name))}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `${HEAD}<Relationships xmlns="${PKG_REL}">` +
        idx.map((i) => `<Relationship Id="rId${i}" Type="${REL}/worksheet" Target="worksheets/sheet${i}.xml"/>`).join('') +
        `<Relationship Id="rId${n + 1}" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    ],
    ['xl/styles.xml', STYLES],
    ...sheets.map((s, i): [string, string] => [`xl/worksheets/sheet${i + 1}.xml`, worksheetXml(s)]),
  ];
}

/** The XLSX file bytes. Deterministic: entry times are `mtime` (epoch ms, clamped to the DOS range). */
export function xlsxBytes(sheets: readonly XlsxSheet[], mtime: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let done = false;
  let failure: Error | null = null;
  const zip = new Zip((error, chunk, final) => {
    if (error) failure = error;
    else chunks.push(chunk);
    if (final) done = true;
  });
  // ZIP times are DOS times (1980–2107); clamp so any clock works.
  const time = Math.min(Math.max(mtime, Date.UTC(1980, 0, 2)), Date.UTC(2099, 11, 31));
  for (const [path, xml] of workbookParts(sheets)) {
    const file = new ZipPassThrough(path);
    file.mtime = time;
    zip.add(file);
    file.push(strToU8(xml), true);
  }
  zip.end();
  // Stored entries are written synchronously; anything else is a bug.
  if (failure !== null) throw failure;
  if (!done) throw new Error('XLSX archive did not complete synchronously');
  const out = new Uint8Array(chunks.reduce((k, c) => k + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
