/**
 * The official report pack of issue 15, PURE: from the votes of a period
 * (an office's journal or a hub's archive), per unit the counts and % of
 * each level, % (HL + RHL) against the target (Đạt / Chưa đạt / Ít lượt),
 * the previous period, the TT 01/2018 points index and the QĐ 766
 * satisfaction component estimated from it; per counter and per officer
 * (RHL / HL / KHL counts and %); the reasons behind low ratings mapped to
 * the TT 01/2018 criteria; the units ranked. The XLSX and print writers
 * render this model; docs/REPORTS.md states each formula.
 */
import { fewVotes, wilsonLowerBound } from './confidence.ts';
import { PERCENT_DIGITS } from './format.ts';
import { percent, roundHalfUp } from './percent.ts';
import type { Scale } from './scale.ts';
import { meetsTarget, pointsPercent, satisfiedPercent, summaryOf, type Summary } from './summary.ts';
import type { Vote } from './vote.ts';

/** Points of the QĐ 766/QĐ-TTg (2022) index given to "mức độ hài lòng" (of 100). */
export const QD766_SATISFACTION_POINTS = 18;

/**
 * The TT 01/2018/TT-VPCP criteria a low-rating reason maps to, where one
 * matches (the standard reason ids of core/reason.ts); other reasons are
 * "Khác". The criteria are those the circular scores: officer attitude,
 * processing and waiting time, guidance, procedure, fees.
 */
export const TT01_CRITERIA: readonly { readonly id: string; readonly label: string; readonly reasons: readonly string[] }[] = [
  { id: 'thai-do', label: 'Thái độ, tác phong của cán bộ', reasons: ['thai-do'] },
  { id: 'thoi-gian', label: 'Thời gian giải quyết, chờ đợi', reasons: ['thoi-gian-cho'] },
  { id: 'huong-dan', label: 'Hướng dẫn, giải thích của cán bộ', reasons: ['huong-dan'] },
  { id: 'thu-tuc', label: 'Thủ tục hành chính, hồ sơ', reasons: ['thu-tuc'] },
  { id: 'phi', label: 'Phí, lệ phí', reasons: ['phi-le-phi'] },
  { id: 'khac', label: 'Khác (không thuộc tiêu chí)', reasons: [] },
];

/** The TT 01 criterion of a reason id (`khac` when none matches). */
export function criterionOf(reason: string): string {
  return TT01_CRITERIA.find((c) => c.reasons.includes(reason))?.id ?? 'khac';
}

/** One line of a pack table: a unit, a counter or an officer. */
export interface PackRow {
  readonly key: string;
  readonly name: string;
  /** The ward the row belongs to (its own id for a unit row). */
  readonly unit: string;
  readonly total: number;
  /** Counted votes per level, in scale order. */
  readonly counts: readonly number[];
  /** % of each level (2 decimals, half-up), null without votes. */
  readonly percents: readonly (number | null)[];
  /** % (HL + RHL) = satisfied / total × 100. */
  readonly satisfiedPercent: number | null;
  /** TT 01 points index = Σ points / (2 × total) × 100 (scale-3: RHL 2, HL 1, KHL 0). */
  readonly pointsIndex: number | null;
  /** QĐ 766 satisfaction component ≈ 18 × Σ points / (2 × total), in points of 18. */
  readonly qd766: number | null;
  /** Left out: cooldown, second vote for a service or a dossier. */
  readonly filtered: number;
  readonly few: boolean;
}

/** A unit (ward) row: with target, verdict, previous period and rank. */
export interface PackUnitRow extends PackRow {
  readonly target: number;
  /** Đạt (true) / Chưa đạt (false); null with no votes or too few ("Ít lượt"). */
  readonly achieved: boolean | null;
  readonly previousPercent: number | null;
  readonly delta: number | null;
  /** 1 = best, by the Wilson lower bound of % satisfied (then votes, then name). */
  readonly rank: number;
}

/** Low-rating reasons, per TT 01 criterion. */
export interface PackReasons {
  /** Counted votes at unsatisfied levels. */
  readonly low: number;
  /** Of those, how many gave at least one reason. */
  readonly withReason: number;
  /** Per criterion of TT01_CRITERIA, in that order: low votes naming it, and their share of `low`. */
  readonly criteria: readonly { readonly id: string; readonly label: string; readonly n: number; readonly percent: number | null }[];
}

/** The whole pack. */
export interface ReportPack {
  readonly scale: Scale;
  readonly units: readonly PackUnitRow[];
  readonly counters: readonly PackRow[];
  readonly officers: readonly PackRow[];
  readonly total: PackRow;
  readonly reasons: PackReasons;
}

/** A unit the pack covers. */
export interface PackUnit {
  readonly id: string;
  readonly name: string;
  readonly target: number;
  readonly counters: ReadonlyMap<string, string>;
  readonly officers: ReadonlyMap<string, string>;
}

/** What `buildReportPack` needs. */
export interface PackInput {
  readonly scale: Scale;
  readonly units: readonly PackUnit[];
  /** Votes of the period (filtered ones included: they are counted apart). Votes of units not listed are ignored. */
  readonly votes: Iterable<Vote>;
  /** Votes of the previous period, for the comparison. */
  readonly previous?: Iterable<Vote>;
  /** Fewest votes for a figure to be judged. @default 30 */
  readonly minVotes?: number;
}

interface Acc {
  counts: number[];
  filtered: number;
}

function bump(map: Map<string, Acc>, key: string, width: number): Acc {
  let a = map.get(key);
  if (a === undefined) {
    a = { counts: new Array<number>(width).fill(0), filtered: 0 };
    map.set(key, a);
  }
  return a;
}

function fold(votes: Iterable<Vote>, scale: Scale, units: ReadonlySet<string>, by: (v: Vote) => string | undefined): Map<string, Acc> {
  const out = new Map<string, Acc>();
  const width = scale.levels.length;
  for (const v of votes) {
    if (!units.has(v.ward)) continue;
    const key = by(v);
    if (key === undefined) continue;
    const a = bump(out, key, width);
    if (v.filtered !== undefined) a.filtered += 1;
    else {
      const i = scale.levels.findIndex((l) => l.key === v.level);
      if (i >= 0) a.counts[i] = (a.counts[i] ?? 0) + 1;
    }
  }
  return out;
}

function rowOf(
  key: string,
  name: string,
  unit: string,
  a: Acc | undefined,
  scale: Scale,
  minVotes: number,
): PackRow & { summary: Summary } {
  const counts = a?.counts ?? new Array<number>(scale.levels.length).fill(0);
  const s = summaryOf(scale, counts);
  const digits = PERCENT_DIGITS.report;
  return {
    key,
    name,
    unit,
    total: s.total,
    counts,
    percents: counts.map((n) => percent(n, s.total, digits)),
    satisfiedPercent: satisfiedPercent(s, digits),
    pointsIndex: pointsPercent(s, digits),
    // 18 × points / (maxPoints × total), rounded once at the report precision.
    qd766:
      s.total === 0 || s.maxPoints === 0 ? null : roundHalfUp((QD766_SATISFACTION_POINTS * s.points) / (s.maxPoints * s.total), digits),
    filtered: a?.filtered ?? 0,
    few: fewVotes(s.total, minVotes),
    summary: s,
  };
}

const strip = <T extends { summary: Summary }>(r: T): Omit<T, 'summary'> => {
  const { summary: _s, ...rest } = r;
  return rest;
};

/** Builds the pack. Rows of counters and officers are sorted by unit, then by name. */
export function buildReportPack(input: PackInput): ReportPack {
  const { scale } = input;
  const minVotes = input.minVotes ?? 30;
  const ids = new Set(input.units.map((u) => u.id));
  const votes = [...input.votes];
  const byUnit = fold(votes, scale, ids, (v) => v.ward);
  const before = input.previous === undefined ? undefined : fold(input.previous, scale, ids, (v) => v.ward);
  const unitRows = input.units.map((u) => {
    const r = rowOf(u.id, u.name, u.id, byUnit.get(u.id), scale, minVotes);
    const prev =
      before === undefined
        ? null
        : satisfiedPercent(rowOf(u.id, u.name, u.id, before.get(u.id), scale, minVotes).summary, PERCENT_DIGITS.report);
    return {
      ...r,
      target: u.target,
      achieved: r.few ? null : meetsTarget(r.summary, u.target),
      previousPercent: prev,
      delta: r.satisfiedPercent === null || prev === null ? null : Math.round(r.satisfiedPercent * 100 - prev * 100) / 100,
      bound: r.total === 0 ? -1 : wilsonLowerBound(r.summary.satisfied, r.total),
    };
  });
  unitRows.sort((a, b) => b.bound - a.bound || b.total - a.total || a.name.localeCompare(b.name, 'vi'));
  const units: PackUnitRow[] = unitRows.map((r, i) => {
    const { bound: _b, ...rest } = r;
    return { ...strip(rest), rank: i + 1 };
  });
  const unitOf = new Map(input.units.map((u) => [u.id, u]));
  const sub = (by: 'counter' | 'officer') => {
    const acc = fold(votes, scale, ids, (v) =>
      by === 'counter' ? `${v.ward}/${v.counter}` : v.officer === undefined ? undefined : `${v.ward}/${v.officer}`,
    );
    return [...acc.entries()]
      .map(([key, a]) => {
        const [ward, id] = key.split('/') as [string, string];
        const u = unitOf.get(ward);
        const name = (by === 'counter' ? u?.counters.get(id) : u?.officers.get(id)) ?? id;
        return strip(rowOf(key, name, ward, a, scale, minVotes));
      })
      .sort((a, b) => a.unit.localeCompare(b.unit) || a.name.localeCompare(b.name, 'vi'));
  };
  const all = new Map<string, Acc>();
  const width = scale.levels.length;
  for (const a of byUnit.values()) {
    const t = bump(all, 'all', width);
    a.counts.forEach((n, i) => (t.counts[i] = (t.counts[i] ?? 0) + n));
    t.filtered += a.filtered;
  }
  const total = strip(rowOf('all', 'Tổng cộng', '', all.get('all'), scale, minVotes));
  return { scale, units, counters: sub('counter'), officers: sub('officer'), total, reasons: reasonsOf(votes, scale, ids) };
}

function reasonsOf(votes: readonly Vote[], scale: Scale, units: ReadonlySet<string>): PackReasons {
  const unsatisfied = new Set(scale.levels.filter((l) => !l.satisfied).map((l) => l.key));
  let low = 0;
  let withReason = 0;
  const n = new Map<string, number>();
  for (const v of votes) {
    if (!units.has(v.ward) || v.filtered !== undefined || !unsatisfied.has(v.level)) continue;
    low += 1;
    const reasons = v.reasons ?? [];
    if (reasons.length > 0) withReason += 1;
    // A vote naming two reasons of one criterion counts once for it.
    for (const c of new Set(reasons.map(criterionOf))) n.set(c, (n.get(c) ?? 0) + 1);
  }
  return {
    low,
    withReason,
    criteria: TT01_CRITERIA.map((c) => ({
      id: c.id,
      label: c.label,
      n: n.get(c.id) ?? 0,
      percent: percent(n.get(c.id) ?? 0, low, PERCENT_DIGITS.report),
    })),
  };
}
