/**
 * The content of a district report, PURE: for a period and a level (wards
 * of a district, counters of a ward or of the district, officers), one row
 * per unit in the columns a district report uses — đơn vị, số lượt đánh
 * giá, one column per level, tỷ lệ hài lòng (%), chỉ số điểm, the previous
 * period and the change, the target and Đạt / Chưa đạt ("Ít lượt" under the
 * office's minimum) — plus a total row. A period still in progress is
 * reported "tính đến ngày …". CSV and XLSX writers and the print view all
 * render this.
 */
import {
  DEFAULT_MIN_VOTES,
  PERCENT_DIGITS,
  fewVotes,
  foldReasons,
  reasonLabel,
  formatDate,
  localParts,
  meetsTarget,
  mergeSummaries,
  pointsPercent,
  satisfiedPercent,
  wilsonLowerBound,
} from '../../../core/index.ts';
import { foldMemo } from '../store/tally-digest.ts';
import type { DateRange, GroupBy, Locale, ReasonSummary, Scale, Summary, Tally } from '../../../core/index.ts';

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
  /** Tỷ lệ hài lòng of the previous period (%), null without votes then. */
  readonly previousPercent: number | null;
  /** Change against the previous period in percentage points, null when either is missing. */
  readonly delta: number | null;
  /** Fewer votes than the minimum: not judged. */
  readonly few: boolean;
  /** Đạt / Chưa đạt against `target`; null without a target, without votes or with few votes. */
  readonly achieved: boolean | null;
  /** Counted votes at unsatisfied levels: what reason shares are of. */
  readonly low: number;
  /** Low votes naming each reason of `Report.reasons`, in that order. */
  readonly reasons: readonly number[];
}

/** A whole report. */
export interface Report {
  readonly title: string;
  /** e.g. "Tháng 11/2026", "Quý IV/2026", "Từ ngày … đến ngày …" */
  readonly periodLabel: string;
  /** The office the report is about, e.g. "Quận Ba Đình". */
  readonly scopeLabel: string;
  readonly range: DateRange;
  /** The previous period the rows are compared with, when given. */
  readonly previous: DateRange | null;
  /** The local date the figures go up to when the period is still in progress ("tính đến ngày …"), else null. */
  readonly asOf: string | null;
  /** The place of the place-and-date line ("Ba Đình"), when known. */
  readonly place: string;
  readonly level: ReportLevel;
  readonly scale: Scale;
  readonly locale: Locale;
  /** Reason ids given in the period, most named first: the order of every row's `reasons`. */
  readonly reasons: readonly string[];
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
  /** The target of the total row (e.g. the one ward's, or the parent unit's). */
  readonly totalTarget?: number | null;
  /** The "ít lượt" threshold of a unit. @default DEFAULT_MIN_VOTES (30) */
  readonly minVotes?: (level: ReportLevel, key: string) => number;
  /** The previous period to compare with. */
  readonly previous?: DateRange;
  /** Today (local date): a range holding it is in progress (today is not over) and reported up to today. */
  readonly today?: string;
  /** The place name of the place-and-date line, e.g. "Ba Đình" (see `placeName`). @default '' */
  readonly place?: string;
  readonly generatedAt: number;
}

/** A place's name without its level word (core's `placeName`, shared with the bridge's report pack). */
export { placeName } from '../../../core/office.ts';

function rowOf(
  key: string,
  unit: string,
  s: Summary,
  scale: Scale,
  target: number | null,
  before: Summary | undefined,
  minVotes: number,
  why: { low: number; reasons: readonly number[] },
): ReportRow {
  const p = satisfiedPercent(s, PERCENT_DIGITS.report);
  const pp = before === undefined ? null : satisfiedPercent(before, PERCENT_DIGITS.report);
  const few = fewVotes(s.total, minVotes);
  return {
    key,
    unit,
    total: s.total,
    counts: scale.levels.map((l) => s.counts[l.key] ?? 0),
    satisfiedPercent: p,
    pointsIndex: pointsPercent(s, PERCENT_DIGITS.report),
    filtered: s.filtered.cooldown + s.filtered.gated,
    target,
    previousPercent: pp,
    delta: p === null || pp === null ? null : Math.round(p * 100 - pp * 100) / 100,
    few,
    achieved: target === null || few ? null : meetsTarget(s, target),
    low: why.low,
    reasons: why.reasons,
  };
}

/**
 * Builds a report: rows ranked by the Wilson lower bound of % satisfied
 * (best first, as the dashboard ranks), then by votes, then by name.
 */
export function buildReport(input: ReportInput): Report {
  const prefix = input.prefix ?? '';
  const by: GroupBy = input.level;
  const asOf = input.today !== undefined && input.range.from <= input.today && input.range.to >= input.today ? input.today : null;
  const range = asOf === null ? input.range : { from: input.range.from, to: asOf };
  const minVotes = (key: string) => input.minVotes?.(input.level, key) ?? DEFAULT_MIN_VOTES;
  const relevant = [...input.tallies].filter((t) => `${t.district}/${t.ward}/${t.counter}/`.startsWith(prefix));
  const groups = foldMemo(relevant, range, [by], input.scale).get(by) as Map<string, Summary>;
  const before =
    input.previous === undefined ? undefined : (foldMemo(relevant, input.previous, [by], input.scale).get(by) as Map<string, Summary>);
  // Reasons per unit and for the whole scope; columns in the order of the total.
  const whyBy = foldReasons(relevant, { ...range, scale: input.scale, by });
  const whyAll = foldReasons(relevant, { ...range, scale: input.scale, by: 'all' }).get('all');
  const reasonIds = (whyAll?.reasons ?? []).map((r) => r.id);
  const why = (s: ReasonSummary | undefined) => ({
    low: s?.low ?? 0,
    reasons: reasonIds.map((id) => s?.reasons.find((r) => r.id === id)?.n ?? 0),
  });
  const summaries: Summary[] = [];
  const previous: Summary[] = [];
  const rows: ReportRow[] = [];
  const bound = new Map<string, number>();
  for (const [key, summary] of groups) {
    summaries.push(summary);
    const then = before?.get(key);
    if (then !== undefined) previous.push(then);
    bound.set(key, summary.total === 0 ? -1 : wilsonLowerBound(summary.satisfied, summary.total));
    rows.push(
      rowOf(
        key,
        input.name(input.level, key),
        summary,
        input.scale,
        input.target?.(input.level, key) ?? null,
        then,
        minVotes(key),
        why(whyBy.get(key)),
      ),
    );
  }
  rows.sort(
    (a, b) => (bound.get(b.key) as number) - (bound.get(a.key) as number) || b.total - a.total || a.unit.localeCompare(b.unit, 'vi'),
  );
  const totalLabel = input.locale === 'vi' ? 'Tổng cộng' : 'Total';
  const totalBefore = before === undefined ? undefined : mergeSummaries(previous, input.scale);
  const total = rowOf(
    'all',
    totalLabel,
    mergeSummaries(summaries, input.scale),
    input.scale,
    input.totalTarget ?? null,
    totalBefore,
    DEFAULT_MIN_VOTES,
    why(whyAll),
  );
  return {
    title: input.locale === 'vi' ? 'BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG' : 'CITIZEN SATISFACTION REPORT',
    periodLabel: input.periodLabel,
    scopeLabel: input.scopeLabel,
    range: input.range,
    previous: input.previous ?? null,
    asOf,
    place: input.place ?? '',
    level: input.level,
    scale: input.scale,
    locale: input.locale,
    reasons: reasonIds,
    generatedAt: input.generatedAt,
    rows,
    total,
  };
}

/**
 * Column headings, in order: unit, ratings, one per level, % satisfied,
 * points index, previous period (%), change (points), target (%), verdict,
 * then (with `withReasons`, as CSV and XLSX have them) one per reason given:
 * the low votes naming it.
 */
export function reportHeadings(report: Report, withReasons = true): string[] {
  const vi = report.locale === 'vi';
  const reasons = withReasons
    ? report.reasons.map((id) => (vi ? `Lý do: ${reasonLabel(id, 'vi')} (lượt)` : `Reason: ${reasonLabel(id, 'en')} (ratings)`))
    : [];
  return [
    vi ? 'Đơn vị' : 'Unit',
    vi ? 'Số lượt đánh giá' : 'Ratings',
    ...report.scale.levels.map((l) => l.label[report.locale]),
    vi ? 'Tỷ lệ hài lòng (%)' : 'Satisfied (%)',
    vi ? 'Chỉ số điểm' : 'Points index',
    vi ? 'Kỳ trước (%)' : 'Previous period (%)',
    vi ? 'Thay đổi (điểm %)' : 'Change (points)',
    vi ? 'Mục tiêu (%)' : 'Target (%)',
    vi ? 'Đánh giá' : 'Verdict',
    ...reasons,
  ];
}

/** The verdict of a row in words: "Đạt", "Chưa đạt", "Ít lượt" (too few votes), or '' (no target or no votes). */
export function rowVerdict(row: ReportRow, locale: Locale): string {
  const vi = locale === 'vi';
  if (row.total === 0 || row.target === null) return '';
  if (row.few) return vi ? 'Ít lượt' : 'Few ratings';
  return row.achieved === true ? (vi ? 'Đạt' : 'Met') : vi ? 'Chưa đạt' : 'Not met';
}

/**
 * The line under the title: "Kỳ báo cáo: Tháng 11/2026 (01/11/2026 –
 * 30/11/2026)", or for a period in progress "Kỳ báo cáo: Tháng 12/2026 (từ
 * ngày 01/12/2026, tính đến ngày 06/12/2026)" — never the whole month's
 * dates on the 6th.
 */
export function reportPeriodLine(report: Report): string {
  const l = report.locale;
  const vi = l === 'vi';
  const span =
    report.asOf === null
      ? `${formatDate(report.range.from, l)} – ${formatDate(report.range.to, l)}`
      : vi
        ? `từ ngày ${formatDate(report.range.from, l)}, tính đến ngày ${formatDate(report.asOf, l)}`
        : `from ${formatDate(report.range.from, l)}, up to ${formatDate(report.asOf, l)}`;
  const compare =
    report.previous === null
      ? ''
      : vi
        ? `; so sánh với kỳ trước: ${formatDate(report.previous.from, l)} – ${formatDate(report.previous.to, l)}`
        : `; compared with ${formatDate(report.previous.from, l)} – ${formatDate(report.previous.to, l)}`;
  return vi ? `Kỳ báo cáo: ${report.periodLabel} (${span})${compare}` : `Period: ${report.periodLabel} (${span})${compare}`;
}

/** The place-and-date line of the signature block: "Ba Đình, ngày 06 tháng 12 năm 2026" (the date alone without a place). */
export function reportPlaceDateLine(report: Report): string {
  const date = reportDateLine(report);
  if (report.place === '') return date;
  return report.locale === 'vi' ? `${report.place}, ${date.charAt(0).toLowerCase()}${date.slice(1)}` : `${report.place}, ${date}`;
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
