/**
 * The 2025 mergers of communes and wards (NQ 202/2025/QH15 and the
 * Standing Committee's resolutions on rearranging commune-level units,
 * effective 1 July 2025): a unit of a hub declares the units it absorbed,
 * each with the last day it existed (`mergedFrom: [{id, until}]`). Their
 * history rolls up into it, so a trend does not break at the merger, and
 * can still be shown apart.
 *
 * One rule decides everything: the unit a vote counts for in a report
 * ending on `date` is found by following "merged into" while the current
 * unit had ceased to exist by `date` (`until < date`). A period that ends
 * before the merger shows the old units as they were; a period that spans
 * it (or comes after it) shows the new unit with its predecessors' votes
 * folded in. Pure: no I/O.
 */
import { isDateString } from './time.ts';

/** One absorbed unit: its id and the last day it existed (YYYY-MM-DD, local). */
export interface Predecessor {
  readonly id: string;
  readonly until: string;
  /** Its name, e.g. "Phường Phúc Xá", for reports that show it apart. */
  readonly name?: string;
}

/** A unit and the units it absorbed (as in the hub config). */
export interface UnitLineageInput {
  readonly id: string;
  readonly mergedFrom?: readonly Predecessor[];
}

/** Where each absorbed unit went, and when it ceased. */
export type Lineage = ReadonlyMap<string, { readonly successor: string; readonly until: string }>;

/** A problem of the declared mergers, with the path of the offending entry under `units`. */
export interface LineageProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Builds the lineage of the units, or every problem: a bad date, a unit
 * absorbing itself, one predecessor absorbed by two units (a split ward:
 * name the unit that took its office), a cycle, or a predecessor that
 * ceased after its successor did.
 */
export function lineageOf(
  units: readonly UnitLineageInput[],
): { readonly ok: true; readonly lineage: Lineage } | { readonly ok: false; readonly problems: readonly LineageProblem[] } {
  const problems: LineageProblem[] = [];
  const lineage = new Map<string, { successor: string; until: string }>();
  units.forEach((unit, i) => {
    (unit.mergedFrom ?? []).forEach((p, k) => {
      const path = `units[${i}].mergedFrom[${k}]`;
      if (!isDateString(p.until))
        problems.push({ path: `${path}.until`, message: `must be a date YYYY-MM-DD (the last day ${p.id} existed), got "${p.until}"` });
      else if (p.id === unit.id) problems.push({ path: `${path}.id`, message: `unit ${unit.id} cannot absorb itself` });
      else if (lineage.has(p.id))
        problems.push({
          path: `${path}.id`,
          message: `${p.id} is already merged into ${lineage.get(p.id)?.successor}: a unit folds into one successor (for a split ward, name the unit that took its office)`,
        });
      else lineage.set(p.id, { successor: unit.id, until: p.until });
    });
  });
  for (const [id, entry] of lineage) {
    const next = lineage.get(entry.successor);
    if (next !== undefined && next.until < entry.until) {
      problems.push({
        path: pathOf(units, id),
        message: `${id} ceased on ${entry.until}, after its successor ${entry.successor} (ceased ${next.until})`,
      });
    }
    // Walk up the successors: coming back to a unit already seen is a cycle.
    const seen = [id];
    for (let at = entry.successor; lineage.has(at); at = lineage.get(at)?.successor ?? at) {
      if (seen.includes(at)) {
        if (at === id)
          problems.push({ path: pathOf(units, id), message: `${id} is part of a merger cycle (${[...seen, at].join(' → ')})` });
        break;
      }
      seen.push(at);
    }
  }
  return problems.length === 0 ? { ok: true, lineage } : { ok: false, problems };
}

function pathOf(units: readonly UnitLineageInput[], id: string): string {
  for (const [i, u] of units.entries()) {
    const k = (u.mergedFrom ?? []).findIndex((p) => p.id === id);
    if (k >= 0) return `units[${i}].mergedFrom[${k}].id`;
  }
  return 'units';
}

/**
 * The unit `id`'s votes count for in a report ending on `date`: `id` while
 * it existed on that date, else its successor's (recursively). Always ends:
 * `lineageOf` refuses cycles, and a walk is capped at the lineage's size.
 */
export function unitOn(lineage: Lineage, id: string, date: string): string {
  let at = id;
  for (let steps = 0; steps <= lineage.size; steps++) {
    const entry = lineage.get(at);
    if (entry === undefined || entry.until >= date) return at;
    at = entry.successor;
  }
  return at;
}

/** The unit that finally absorbed `id` (itself when never merged): `unitOn` after every merger. */
export function currentUnitOf(lineage: Lineage, id: string): string {
  return unitOn(lineage, id, '9999-12-31');
}

/** Every unit that folded (directly or not) into `id`, itself excluded. */
export function predecessorsOf(lineage: Lineage, id: string): string[] {
  return [...lineage.keys()].filter((p) => p !== id && currentUnitOf(lineage, p) === id);
}

/**
 * Folds per-unit values into the units of a report ending on `date`
 * (`unitOn`): each input key is re-keyed, values of keys landing on the
 * same unit are combined with `combine`. Nothing is lost or counted twice:
 * every input value goes to exactly one output key.
 */
export function foldByUnit<T>(values: ReadonlyMap<string, T>, lineage: Lineage, date: string, combine: (a: T, b: T) => T): Map<string, T> {
  const out = new Map<string, T>();
  for (const [id, value] of values) {
    const unit = unitOn(lineage, id, date);
    const had = out.get(unit);
    out.set(unit, had === undefined ? value : combine(had, value));
  }
  return out;
}

/**
 * The lineage of a parent dashboard's units from their offices
 * (`Office.mergedFrom`, set by the hub), keyed `district/ward` like the
 * dashboard's folds. Inconsistent declarations (which a hub's validated
 * config never makes) give no lineage rather than a wrong one.
 */
export function lineageOfOffices(
  offices: Iterable<{ readonly district: string; readonly ward: string; readonly mergedFrom?: readonly Predecessor[] }>,
): Lineage {
  const units: UnitLineageInput[] = [];
  for (const o of offices) {
    if (o.mergedFrom === undefined || o.mergedFrom.length === 0) continue;
    units.push({ id: `${o.district}/${o.ward}`, mergedFrom: o.mergedFrom.map((p) => ({ id: `${o.district}/${p.id}`, until: p.until })) });
  }
  const r = lineageOf(units);
  return r.ok ? r.lineage : new Map();
}
