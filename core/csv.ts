/**
 * The one CSV writer of hailong (RFC 4180), used by the bridge's vote export
 * and the dashboard's report export. Pure: strings in, a string out.
 *
 * Formula-safe: a text cell that begins with `=`, `+`, `-`, `@`, a tab or a
 * carriage return is run as a formula by Excel and LibreOffice ("CSV
 * injection", OWASP: https://owasp.org/www-community/attacks/CSV_Injection).
 * Officer names, tickets and unit names reach a report from MQTT, so such a
 * cell gets a leading apostrophe and is read as text; removing that one
 * apostrophe gives the text back exactly (`csvUndefuse`). Numbers are
 * written as numbers: they come from hailong's own arithmetic.
 */

/** The UTF-8 byte-order mark Excel needs to read a CSV as UTF-8 (for the Vietnamese diacritics). */
export const CSV_BOM = '\uFEFF';

/** What a cell may hold: text, a number, or nothing (an empty cell). */
export type CsvValue = string | number | null | undefined;

/**
 * Text that gets an apostrophe: a formula start, also behind apostrophes
 * of the text itself, so that `'=x` (written as `''=x`) reads back as
 * `'=x` and defusing is reversible.
 */
const DEFUSED = /^'*[=+\-@\t\r]/;

/** `text`, with a leading apostrophe when a spreadsheet would run it as a formula. */
export function csvDefuse(text: string): string {
  return DEFUSED.test(text) ? `'${text}` : text;
}

/** The text `csvDefuse` was given: drops the apostrophe it added, and only that one. */
export function csvUndefuse(cell: string): string {
  return cell.startsWith("'") && DEFUSED.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/**
 * One cell: text defused, then quoted when it holds a comma, quote, CR or
 * LF (RFC 4180 §2.6–2.7); a finite number as is; null, undefined or a
 * non-finite number as an empty cell.
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const safe = csvDefuse(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One record, CRLF-terminated (RFC 4180 §2.1). */
export function csvLine(cells: readonly CsvValue[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** A whole file: the BOM, then one line per record. */
export function csvDocument(records: readonly (readonly CsvValue[])[]): string {
  return CSV_BOM + records.map(csvLine).join('');
}
