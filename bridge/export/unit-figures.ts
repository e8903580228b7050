/**
 * A hub's figures per unit over a period, from archived votes, with the
 * 2025 mergers folded in (core/merger.ts): over a period that reaches past
 * a merger, the new unit's line holds its predecessors' votes and names
 * them; `apart` keeps every old unit on its own line, saying where it went.
 * The CSV is written by core's formula-safe writer, headed with the level
 * words of the configured names ("Xã", "Phường"), never a hard-coded one.
 */
import { csvLine } from '../../core/csv.ts';
import { formatDecimal } from '../../core/format.ts';
import { currentUnitOf, foldByUnit, unitOn, type Lineage } from '../../core/merger.ts';
import { SCALE_5 } from '../../core/scale.ts';
import { satisfiedPercent, summarize } from '../../core/summary.ts';
import type { Vote } from '../../core/vote.ts';

/** One line of the per-unit figures. */
export interface UnitFigures {
  readonly unit: string;
  /** The configured name, or the id of a unit no longer configured. */
  readonly name: string;
  /** Predecessors whose votes are folded into this line (empty when apart). */
  readonly includes: readonly string[];
  /** The unit this one was merged into by the period's end (apart only). */
  readonly mergedInto?: string;
  /** Counted votes (filtered presses excluded, as in every percentage). */
  readonly total: number;
  /** "Hài lòng" and "rất hài lòng" votes. */
  readonly satisfied: number;
  /** "% hài lòng và rất hài lòng", 2 digits; null without votes. */
  readonly percent: number | null;
}

/** Options of `unitFigures`. */
export interface UnitFiguresOptions {
  readonly lineage: Lineage;
  /** Last day of the period, YYYY-MM-DD: decides which units exist (`unitOn`). */
  readonly to: string;
  /** Unit id → configured name. */
  readonly names: ReadonlyMap<string, string>;
  /**
   * Keep every old unit on its own line instead of folding it into its successor.
   * @default false
   */
  readonly apart?: boolean;
}

type Counts = Record<string, number>;

function add(a: Counts, b: Counts): Counts {
  const out: Counts = { ...a };
  for (const [k, n] of Object.entries(b)) out[k] = (out[k] ?? 0) + n;
  return out;
}

/** Figures per unit, in the order of the configured names, then any other unit by id. */
export function unitFigures(votes: Iterable<Vote>, options: UnitFiguresOptions): UnitFigures[] {
  const raw = new Map<string, Counts>();
  for (const v of votes) {
    if (v.filtered !== undefined) continue;
    const c = raw.get(v.ward) ?? {};
    c[v.level] = (c[v.level] ?? 0) + 1;
    raw.set(v.ward, c);
  }
  const { lineage, to } = options;
  const byUnit = options.apart === true ? raw : foldByUnit(raw, lineage, to, add);
  const order = [...options.names.keys()];
  const keys = [...byUnit.keys()].sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b));
  return keys.map((unit) => {
    // Every level is in SCALE_5, so nothing falls outside the ratio.
    const s = summarize(byUnit.get(unit) ?? {}, SCALE_5);
    const includes = options.apart === true ? [] : [...raw.keys()].filter((id) => id !== unit && unitOn(lineage, id, to) === unit).sort();
    const final = currentUnitOf(lineage, unit);
    return {
      unit,
      name: options.names.get(unit) ?? unit,
      includes,
      ...(options.apart === true && final !== unit ? { mergedInto: final } : {}),
      total: s.total,
      satisfied: s.satisfied,
      percent: satisfiedPercent(s, 2),
    };
  });
}

function rank(order: readonly string[], id: string): number {
  const i = order.indexOf(id);
  return i < 0 ? order.length : i;
}

/** The header of the per-unit CSV; `unitWord` is the level word(s) of the configured units, e.g. "Xã/phường". */
export function unitFiguresCsvHeader(unitWord: string): string {
  return csvLine([
    `Mã ${unitWord.toLocaleLowerCase('vi-VN')} (unit id)`,
    `${unitWord} (unit)`,
    'Gồm cả đơn vị cũ (includes merged units)',
    'Đã sáp nhập vào (merged into)',
    'Số phiếu (votes)',
    'Hài lòng và rất hài lòng (satisfied)',
    '% hài lòng và rất hài lòng (satisfied %)',
  ]);
}

/** One per-unit CSV line; the percentage in vi-VN ("98,97"). */
export function unitFiguresCsvRow(row: UnitFigures, names: ReadonlyMap<string, string>): string {
  return csvLine([
    row.unit,
    row.name,
    row.includes.map((id) => names.get(id) ?? id).join('; '),
    row.mergedInto === undefined ? '' : (names.get(row.mergedInto) ?? row.mergedInto),
    String(row.total),
    String(row.satisfied),
    row.percent === null ? '' : formatDecimal(row.percent, 'vi', 2),
  ]);
}
