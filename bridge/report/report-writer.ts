/**
 * Writes the report pack of a period (XLSX + printable HTML) from a report
 * source (an office's journal or a hub's archive) into a folder: used by
 * `hailong report` and by the hub's month- and quarter-end schedule.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { placeName } from '../../core/office.ts';
import { formatDate, parsePeriodKey, periodLabel, previousPeriod, rangeLabel } from '../../core/period.ts';
import { buildReportPack, type ReportPack } from '../../core/report-pack.ts';
import { packSheets, type PackHeading } from '../../core/report-pack-sheets.ts';
import { SCALE_3 } from '../../core/scale.ts';
import { localParts } from '../../core/time.ts';
import { xlsxBytes } from '../../core/xlsx-workbook.ts';
import type { ReportRange } from './report-range.ts';
import { reportPackHtml } from './report-html.ts';
import type { ReportSource } from './report-source.ts';

/** The title every pack carries. */
export const PACK_TITLE = 'BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG';

/** What was written. */
export interface WrittenPack {
  readonly pack: ReportPack;
  readonly heading: PackHeading;
  readonly xlsx: string;
  readonly html: string;
  /** Unreadable rows skipped. */
  readonly bad: number;
}

/** The period line: "Kỳ báo cáo: Quý IV/2026 (01/10/2026 – 31/12/2026); so sánh với kỳ trước: …", "tính đến ngày …" while in progress. */
export function packPeriodLine(range: ReportRange, previous: { from: string; to: string }, today: string): string {
  const p = range.key === undefined ? undefined : parsePeriodKey(range.key);
  const label = p?.ok === true ? periodLabel(p.value, 'vi') : rangeLabel(range, 'vi');
  const inProgress = range.from <= today && today < range.to;
  const span = inProgress
    ? `từ ngày ${formatDate(range.from)}, tính đến ngày ${formatDate(today)}`
    : `${formatDate(range.from)} – ${formatDate(range.to)}`;
  return `Kỳ báo cáo: ${label} (${span}); so sánh với kỳ trước: ${formatDate(previous.from)} – ${formatDate(previous.to)}`;
}

/** "Ba Đình, ngày 06 tháng 12 năm 2026". */
export function placeDateLine(place: string, now: number): string {
  const t = localParts(now);
  return `${place}, ngày ${String(t.day).padStart(2, '0')} tháng ${String(t.month).padStart(2, '0')} năm ${t.year}`;
}

/** Builds the pack of `range` and writes `bao-cao-<from>-<to>.xlsx` and `.html` into `dir`. */
export async function writeReportPack(source: ReportSource, range: ReportRange, dir: string, now: number): Promise<WrittenPack> {
  const p = range.key === undefined ? undefined : parsePeriodKey(range.key);
  const previous = previousPeriod(range, p?.ok === true ? p.value.kind : 'custom');
  const { votes, bad } = source.votes(range.fromMs, range.toMs);
  const before = source.votes(Date.parse(`${previous.from}T00:00:00+07:00`), range.fromMs);
  const pack = buildReportPack({ scale: SCALE_3, units: source.units, votes, previous: before.votes, minVotes: source.minVotes });
  const office = source.kind === 'office' ? (source.units[0]?.name ?? source.parent.name) : source.parent.name;
  const heading: PackHeading = {
    title: PACK_TITLE,
    scope: source.kind === 'office' ? `${office} (${source.parent.name})` : office,
    period: packPeriodLine(range, previous, localParts(now).date),
    placeDate: placeDateLine(placeName(office), now),
  };
  await mkdir(dir, { recursive: true });
  const base = join(dir, `bao-cao-${range.from}-${range.to}`);
  const xlsx = `${base}.xlsx`;
  const html = `${base}.html`;
  await writeFile(xlsx, xlsxBytes(packSheets(pack, heading), now));
  await writeFile(html, reportPackHtml(pack, heading, office));
  return { pack, heading, xlsx, html, bad: bad + before.bad };
}
