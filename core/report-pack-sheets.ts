/**
 * The report pack as workbook sheets (core/xlsx-workbook.ts) and the
 * labels both the XLSX and the print view use. Vietnamese, as official
 * reports are. Sheet 1 "Tổng hợp": the units ranked, with counts and % of
 * each level, % (HL + RHL), target, Đạt / Chưa đạt, previous period, TT 01
 * points index and the QĐ 766 component; sheet 2 "Theo quầy", sheet 3
 * "Theo cán bộ"; sheet 4 "Lý do" (low-rating reasons by TT 01 criterion);
 * sheet 5 "Công thức" (each formula in words). Not re-exported by core/index.ts:
 * it pulls in fflate, which the kiosk's bundle must not carry.
 */
import type { PackRow, PackUnitRow, ReportPack } from './report-pack.ts';
import { QD766_SATISFACTION_POINTS } from './report-pack.ts';
import { XLSX_STYLE as S, type XlsxCell, type XlsxSheet } from './xlsx-workbook.ts';

/** The heading lines of the pack (title, scope, period, place-and-date). */
export interface PackHeading {
  readonly title: string;
  readonly scope: string;
  readonly period: string;
  readonly placeDate: string;
}

/** The verdict of a unit row in words. */
export function packVerdict(row: PackUnitRow): string {
  if (row.total === 0) return 'Chưa có lượt đánh giá';
  if (row.few) return 'Ít lượt';
  return row.achieved === true ? 'Đạt' : 'Chưa đạt';
}

/** Headings of the unit table, in column order. */
export function unitHeadings(pack: ReportPack): string[] {
  return [
    'Hạng',
    'Đơn vị',
    'Số lượt đánh giá',
    ...pack.scale.levels.flatMap((l) => [`${l.label.vi} (lượt)`, `${l.label.vi} (%)`]),
    'Tỷ lệ hài lòng (HL + RHL) (%)',
    'Mục tiêu (%)',
    'Kết quả',
    'Kỳ trước (%)',
    'Thay đổi (điểm %)',
    'Chỉ số điểm TT 01 (%)',
    `Điểm hài lòng QĐ 766 (/${QD766_SATISFACTION_POINTS})`,
    'Lượt bị lọc',
  ];
}

/** Headings of the counter and officer tables. */
export function subHeadings(pack: ReportPack, what: 'Quầy' | 'Cán bộ', withUnit: boolean): string[] {
  return [
    ...(withUnit ? ['Đơn vị'] : []),
    what,
    'Số lượt đánh giá',
    ...pack.scale.levels.flatMap((l) => [`${l.label.vi} (lượt)`, `${l.label.vi} (%)`]),
    'Tỷ lệ hài lòng (HL + RHL) (%)',
  ];
}

const levelCells = (r: PackRow, total: boolean): XlsxCell[] =>
  r.counts.flatMap((n, i) => [
    { number: n, style: total ? S.totalInt : S.int },
    { number: r.percents[i] ?? null, style: total ? S.totalDec : S.dec },
  ]);

/** A unit row's cells. */
export function unitCells(r: PackUnitRow): XlsxCell[] {
  return [
    { number: r.rank, style: S.int },
    { text: r.name, style: S.text },
    { number: r.total, style: S.int },
    ...levelCells(r, false),
    { number: r.satisfiedPercent, style: S.dec },
    { number: r.target, style: S.int },
    { text: packVerdict(r), style: S.text },
    { number: r.previousPercent, style: S.dec },
    { number: r.delta, style: S.dec },
    { number: r.pointsIndex, style: S.dec },
    { number: r.qd766, style: S.dec },
    { number: r.filtered, style: S.int },
  ];
}

function totalCells(r: PackRow): XlsxCell[] {
  return [
    { text: '', style: S.totalText },
    { text: r.name, style: S.totalText },
    { number: r.total, style: S.totalInt },
    ...levelCells(r, true),
    { number: r.satisfiedPercent, style: S.totalDec },
    { text: '', style: S.totalText },
    { text: '', style: S.totalText },
    { text: '', style: S.totalText },
    { text: '', style: S.totalText },
    { number: r.pointsIndex, style: S.totalDec },
    { number: r.qd766, style: S.totalDec },
    { number: r.filtered, style: S.totalInt },
  ];
}

function subCells(r: PackRow, unitName: string | undefined): XlsxCell[] {
  return [
    ...(unitName === undefined ? [] : [{ text: unitName, style: S.text }]),
    { text: r.name, style: S.text },
    { number: r.total, style: S.int },
    ...levelCells(r, false),
    { number: r.satisfiedPercent, style: S.dec },
  ];
}

const headLines = (h: PackHeading, sub: string): XlsxCell[][] => [
  [{ text: h.title, style: S.title }],
  [{ text: `${h.scope} — ${sub}`, style: S.bold }],
  [{ text: h.period, style: S.plain }],
  [{ text: h.placeDate, style: S.plain }],
  [],
];

/** The formulas, in words (sheet "Công thức", the print view and docs/REPORTS.md say the same). */
export const PACK_FORMULAS: readonly (readonly [string, string])[] = [
  ['Tỷ lệ hài lòng (%)', '(số lượt Rất hài lòng + số lượt Hài lòng) / tổng số lượt đánh giá × 100'],
  ['Tỷ lệ mỗi mức (%)', 'số lượt của mức / tổng số lượt đánh giá × 100'],
  ['Kết quả', 'Đạt khi tỷ lệ hài lòng ≥ mục tiêu (so sánh trên số chính xác, không làm tròn); Ít lượt khi dưới số lượt tối thiểu'],
  [
    'Chỉ số điểm TT 01 (%)',
    'Σ điểm / (2 × tổng số lượt) × 100, với Rất hài lòng = 2, Hài lòng = 1, Không hài lòng = 0 (TT 01/2018/TT-VPCP)',
  ],
  [
    'Điểm hài lòng QĐ 766 (ước tính)',
    `${QD766_SATISFACTION_POINTS} × Σ điểm / (2 × tổng số lượt) = ${QD766_SATISFACTION_POINTS} × chỉ số điểm TT 01 / 100 (QĐ 766/QĐ-TTg: mức độ hài lòng ${QD766_SATISFACTION_POINTS}/100 điểm)`,
  ],
  ['Xếp hạng', 'theo cận dưới khoảng tin cậy Wilson 95% của tỷ lệ hài lòng, rồi số lượt, rồi tên'],
  ['Lý do (%)', 'số lượt không hài lòng nêu lý do thuộc tiêu chí / tổng số lượt không hài lòng × 100'],
  ['Làm tròn', 'hai chữ số thập phân, làm tròn nửa lên, tính một lần từ số chính xác'],
];

/** Every sheet of the pack's workbook. */
export function packSheets(pack: ReportPack, h: PackHeading): XlsxSheet[] {
  const unitName = new Map(pack.units.map((u) => [u.key, u.name]));
  const multi = pack.units.length > 1;
  const merged = [1, 2, 3, 4];
  return [
    {
      name: 'Tổng hợp',
      landscape: true,
      widths: [8, 14],
      mergedRows: merged,
      rows: [
        ...headLines(h, 'Tổng hợp theo đơn vị'),
        unitHeadings(pack).map((t) => ({ text: t, style: S.header })),
        ...pack.units.map(unitCells),
        totalCells(pack.total),
      ],
    },
    {
      name: 'Theo quầy',
      landscape: true,
      widths: [30, 14],
      mergedRows: merged,
      rows: [
        ...headLines(h, 'Theo quầy'),
        subHeadings(pack, 'Quầy', multi).map((t) => ({ text: t, style: S.header })),
        ...pack.counters.map((r) => subCells(r, multi ? (unitName.get(r.unit) ?? r.unit) : undefined)),
      ],
    },
    {
      name: 'Theo cán bộ',
      landscape: true,
      widths: [30, 14],
      mergedRows: merged,
      rows: [
        ...headLines(h, 'Theo cán bộ'),
        subHeadings(pack, 'Cán bộ', multi).map((t) => ({ text: t, style: S.header })),
        ...pack.officers.map((r) => subCells(r, multi ? (unitName.get(r.unit) ?? r.unit) : undefined)),
      ],
    },
    {
      name: 'Lý do',
      widths: [42, 16],
      mergedRows: merged,
      rows: [
        ...headLines(h, 'Lý do không hài lòng theo tiêu chí TT 01/2018/TT-VPCP'),
        ['Tiêu chí', 'Số lượt', 'Tỷ lệ (%)'].map((t) => ({ text: t, style: S.header })),
        ...pack.reasons.criteria.map((c): XlsxCell[] => [
          { text: c.label, style: S.text },
          { number: c.n, style: S.int },
          { number: c.percent, style: S.dec },
        ]),
        [
          { text: 'Tổng số lượt không hài lòng', style: S.totalText },
          { number: pack.reasons.low, style: S.totalInt },
          { text: '', style: S.totalText },
        ],
        [
          { text: 'Trong đó có nêu lý do', style: S.text },
          { number: pack.reasons.withReason, style: S.int },
          { text: '', style: S.text },
        ],
      ],
    },
    {
      name: 'Công thức',
      widths: [34, 110],
      rows: [
        [{ text: 'Cách tính', style: S.title }],
        [],
        ...PACK_FORMULAS.map(([k, v]): XlsxCell[] => [
          { text: k, style: S.bold },
          { text: v, style: S.plain },
        ]),
      ],
    },
  ];
}
