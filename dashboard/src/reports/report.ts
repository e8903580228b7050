/**
 * The content of a district report, PURE: for a period and a level (wards
 * of a district, counters of a ward or of the district, officers), one row
 * per unit in the columns a district report uses — đơn vị, số lượt đánh
 * giá, one column per level, tỷ lệ hài lòng (%), chỉ số điểm — plus a
 * total row. CSV and XLSX writers and the print view all render this.
 */
import { PERCENT_DIGITS, formatDate, localParts, mergeSummaries, pointsPercent, satisfiedPercent } from '../../../core/index.ts';
import { foldMemo } from '../store/tally-digest.ts';
import type { DateRange, GroupBy, Locale, Scale, Summary, Tally } from '../../../core/index.ts';

/** What a report lists one row for. */
export type ReportLevel = 'ward' | 'counter' | 'officer';

/** Every level, for pickers. */
export const REPORT_LEVELS: readonly ReportLevel[] = ['ward', 'counter', 'officer'];

/** One line of a report. Percentages are exact, rounded half-up at the report precision (`PERCENT_DIGITS.report`). */
export interface ReportRow {
  /** Group key (`d/w`, `d/w/c`, `d/w/officer`), or `all` for the total. */
  readonly key: string;
  /** Đơn vị: the unit's display name. */
  readonly unit: string;
  /** Số lượt đánh giá: counted votes. */
  readonly total: number;
  /** Votes per level, in scale order. */
  readonly counts: readonly number[];
  /** Tỷ lệ hài lòng (%), null without votes. */
  readonly satisfiedPercent: number | null;
  /** Chỉ số điểm (0–100), null without votes. */
  readonly pointsIndex: number | null;
  /** Filtered presses (cooldown + gated), never counted: shown apart. */
  readonly filtered: number;
  /** The unit's target (%), when it has one. */
  readonly target: number | null;
}

/** A whole report. */
export interface Report {
  readonly title: string;
  /** e.g. "Tháng 11/2026", "Quý IV/2026", "Từ ngày … đến ngày …" */
  readonly periodLabel: string;
  /** The office the report is about, e.g. "Quận Ba Đình". */
  readonly scopeLabel: string;
  readonly range: DateRange;
  readonly level: ReportLevel;
  readonly scale: Scale;
  readonly locale: Locale;
  /** Epoch ms when the report was made (printed as "ngày … tháng … năm …"). */
  readonly generatedAt: number;
  readonly rows: readonly ReportRow[];
  readonly total: ReportRow;
}

/** What `buildReport` needs. */
export interface ReportInput {
  readonly tallies: Iterable<Tally>;
  readonly range: DateRange;
  readonly level: ReportLevel;
  readonly scale: Scale;
  readonly locale: Locale;
  readonly periodLabel: string;
  readonly scopeLabel: string;
  /** Only units whose key starts with this prefix (`d/` for a district, `d/w/` for a ward). */
  readonly prefix?: string;
  readonly name: (level: ReportLevel, key: string) => string;
  readonly target?: (level: ReportLevel, key: string) => number | null;
  readonly generatedAt: number;
}

function rowOf(key: string, unit: string, s: Summary, scale: Scale, target: number | null): ReportRow {
  return {
    key,
    unit,
    total: s.total,
    counts: scale.levels.map((l) => s.counts[l.key] ?? 0),
    satisfiedPercent: satisfiedPercent(s, PERCENT_DIGITS.report),
    pointsIndex: pointsPercent(s, PERCENT_DIGITS.report),
    filtered: s.filtered.cooldown + s.filtered.gated,
    target,
  };
}

/** Builds a report: rows sorted by % satisfied (best first), then by name. */
export function buildReport(input: ReportInput): Report {
  const prefix = input.prefix ?? '';
  const by: GroupBy = input.level;
  const relevant = [...input.tallies].filter((t) => `${t.district}/${t.ward}/${t.counter}/`.startsWith(prefix));
  const groups = foldMemo(relevant, input.range, [by], input.scale).get(by) as Map<string, Summary>;
  const summaries: Summary[] = [];
  const rows: ReportRow[] = [];
  for (const [key, summary] of groups) {
    summaries.push(summary);
    rows.push(rowOf(key, input.name(input.level, key), summary, input.scale, input.target?.(input.level, key) ?? null));
  }
  rows.sort(
    (a, b) =>
      (b.satisfiedPercent ?? -1) - (a.satisfiedPercent ?? -1) || b.total - a.total || a.unit.localeCompare(b.unit, 'vi'),
  );
  const totalLabel = input.locale === 'vi' ? 'Tổng cộng' : 'Total';
  const total = rowOf('all', totalLabel, mergeSummaries(summaries, input.scale), input.scale, null);
  return {
    title:
      input.locale === 'vi'
        ? 'BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG'
        : 'CITIZEN SATISFACTION REPORT',
    periodLabel: input.periodLabel,
    scopeLabel: input.scopeLabel,
    range: input.range,
    level: input.level,
    scale: input.scale,
    locale: input.locale,
    generatedAt: input.generatedAt,
    rows,
    total,
  };
}

/** Column headings, in order: unit, ratings, one per level, % satisfied, points index. */
export function reportHeadings(report: Report): string[] {
  const vi = report.locale === 'vi';
  return [
    vi ? 'Đơn vị' : 'Unit',
    vi ? 'Số lượt đánh giá' : 'Ratings',
    ...report.scale.levels.map((l) => l.label[report.locale]),
    vi ? 'Tỷ lệ hài lòng (%)' : 'Satisfied (%)',
    vi ? 'Chỉ số điểm' : 'Points index',
  ];
}

/** The line under the title: "Kỳ báo cáo: Tháng 11/2026 (01/11/2026 – 30/11/2026)". */
export function reportPeriodLine(report: Report): string {
  const span = `${formatDate(report.range.from, report.locale)} – ${formatDate(report.range.to, report.locale)}`;
  return report.locale === 'vi' ? `Kỳ báo cáo: ${report.periodLabel} (${span})` : `Period: ${report.periodLabel} (${span})`;
}

/** The date line: "Ngày 22 tháng 11 năm 2026" / "22 Nov 2026" (Vietnam time). */
export function reportDateLine(report: Report): string {
  const t = localParts(report.generatedAt);
  return report.locale === 'vi'
    ? `Ngày ${String(t.day).padStart(2, '0')} tháng ${String(t.month).padStart(2, '0')} năm ${t.year}`
    : formatDate(t.date, 'en');
}

/** A file name for downloads: `bao-cao-hai-long-2026-11-01_2026-11-30-phuong.csv`. */
export function reportFileName(report: Report, extension: 'csv' | 'xlsx'): string {
  return `bao-cao-hai-long-${report.range.from}_${report.range.to}-${report.level}.${extension}`;
}
