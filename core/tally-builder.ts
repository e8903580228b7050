/**
 * A mutable accumulator with exactly the semantics of `applyVote`, for
 * places that fold many votes one by one (the bridge's journal folds every
 * committed vote). `applyVote` copies the day and hour records for every
 * vote, which is right for a pure API and too much garbage at thousands of
 * votes per second; the builder counts in place and makes an immutable
 * `Tally` only when asked. A property test holds the two to the same
 * result for any vote sequence.
 */
import { requireTerminalPath, sameTerminal } from './path.ts';
import type { TerminalPath } from './path.ts';
import type { LevelKey } from './scale.ts';
import { MAX_OFFICERS_PER_DAY, MAX_REASONS_PER_DAY } from './tally.ts';
import type { Tally, TallyDay } from './tally.ts';
import { VN_OFFSET_MINUTES, localHourKeys } from './time.ts';
import type { Vote } from './vote.ts';

interface Day {
  c: number[];
  f: [number, number];
  h: Map<string, number[]>;
  o: Map<string, number[]> | undefined;
  r: Map<string, number> | undefined;
  ro: Map<string, Map<string, number>> | undefined;
}

// Counts one reason, with applyVote's limit on distinct reasons.
function countReason(map: Map<string, number>, id: string): void {
  const n = map.get(id);
  if (n !== undefined) map.set(id, n + 1);
  else if (map.size < MAX_REASONS_PER_DAY) map.set(id, 1);
}

function sortedCounts(map: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of [...map.keys()].sort()) out[key] = map.get(key) as number;
  return out;
}

function padTo(counts: number[], width: number): void {
  while (counts.length < width) counts.push(0);
}

function sortedRecord(map: ReadonlyMap<string, number[]>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const key of [...map.keys()].sort()) out[key] = [...(map.get(key) as number[])];
  return out;
}

/** Folds votes into one terminal-month tally in place. */
export class TallyBuilder {
  private readonly path: TerminalPath;
  private readonly month: string;
  private seq: number;
  private updatedAt: number;
  private readonly levels: LevelKey[];
  private readonly days = new Map<string, Day>();
  private snapshot: Tally | undefined;

  /** Starts from `tally` (which is not modified). */
  constructor(tally: Tally) {
    this.path = requireTerminalPath(tally, 'tally');
    this.month = tally.month;
    this.seq = tally.seq;
    this.updatedAt = tally.updatedAt;
    this.levels = [...tally.levels];
    for (const [key, d] of Object.entries(tally.days)) {
      const h = new Map(Object.entries(d.h).map(([k, v]) => [k, [...v]]));
      const o = d.o === undefined ? undefined : new Map(Object.entries(d.o).map(([k, v]) => [k, [...v]]));
      const r = d.r === undefined ? undefined : new Map(Object.entries(d.r));
      const ro = d.ro === undefined ? undefined : new Map(Object.entries(d.ro).map(([k, v]) => [k, new Map(Object.entries(v))]));
      this.days.set(key, { c: [...d.c], f: [d.f[0], d.f[1]], h, o, r, ro });
    }
    this.snapshot = tally;
  }

  /** The highest seq folded in. */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * Folds one vote, with the rules of `applyVote`: a vote of another
   * terminal or local month, or with `seq` not above the tally's, changes
   * nothing (returns false).
   */
  add(vote: Vote, offsetMinutes: number = VN_OFFSET_MINUTES): boolean {
    if (vote.seq <= this.seq || !sameTerminal(this.path, vote)) return false;
    const t = localHourKeys(vote.pressedAt, offsetMinutes);
    if (t.monthKey !== this.month) return false;
    let index = this.levels.indexOf(vote.level);
    if (index < 0 && vote.filtered === undefined) {
      this.levels.push(vote.level);
      index = this.levels.length - 1;
      const width = this.levels.length;
      for (const d of this.days.values()) {
        padTo(d.c, width);
        for (const counts of d.h.values()) padTo(counts, width);
        if (d.o !== undefined) for (const counts of d.o.values()) padTo(counts, width);
      }
    }
    const width = this.levels.length;
    let day = this.days.get(t.dayKey);
    if (day === undefined) {
      day = { c: new Array<number>(width).fill(0), f: [0, 0], h: new Map(), o: undefined, r: undefined, ro: undefined };
      this.days.set(t.dayKey, day);
    }
    if (vote.filtered === 'cooldown') day.f[0] += 1;
    // A second vote for a dossier and stage is a second vote for one service, like `gated`.
    else if (vote.filtered === 'gated' || vote.filtered === 'dossier') day.f[1] += 1;
    else {
      day.c[index] = (day.c[index] ?? 0) + 1;
      let hour = day.h.get(t.hourKey);
      if (hour === undefined) {
        hour = new Array<number>(width).fill(0);
        day.h.set(t.hourKey, hour);
      }
      hour[index] = (hour[index] ?? 0) + 1;
      const officer = vote.officer;
      if (officer !== undefined && (day.o?.has(officer) === true || (day.o?.size ?? 0) < MAX_OFFICERS_PER_DAY)) {
        day.o ??= new Map();
        let counts = day.o.get(officer);
        if (counts === undefined) {
          counts = new Array<number>(width).fill(0);
          day.o.set(officer, counts);
        }
        counts[index] = (counts[index] ?? 0) + 1;
      }
      if (vote.reasons !== undefined && vote.reasons.length > 0) {
        const ids = [...new Set(vote.reasons)];
        day.r ??= new Map();
        for (const id of ids) countReason(day.r, id);
        if (officer !== undefined && day.o?.has(officer) === true) {
          day.ro ??= new Map();
          let mine = day.ro.get(officer);
          if (mine === undefined) day.ro.set(officer, (mine = new Map()));
          for (const id of ids) countReason(mine, id);
        }
      }
    }
    this.seq = vote.seq;
    this.updatedAt = Math.max(this.updatedAt, vote.receivedAt);
    this.snapshot = undefined;
    return true;
  }

  /** The tally as an immutable value (made once per change, keys sorted like applyVote's). */
  toTally(): Tally {
    if (this.snapshot !== undefined) return this.snapshot;
    const days: Record<string, TallyDay> = {};
    for (const key of [...this.days.keys()].sort()) {
      const d = this.days.get(key) as Day;
      const base = { c: [...d.c], f: [d.f[0], d.f[1]] as [number, number], h: sortedRecord(d.h) };
      const ro: Record<string, Record<string, number>> = {};
      if (d.ro !== undefined)
        for (const officer of [...d.ro.keys()].sort()) ro[officer] = sortedCounts(d.ro.get(officer) as Map<string, number>);
      days[key] = {
        ...base,
        ...(d.o === undefined ? {} : { o: sortedRecord(d.o) }),
        ...(d.r === undefined ? {} : { r: sortedCounts(d.r) }),
        ...(d.ro === undefined ? {} : { ro }),
      };
    }
    const { district, ward, counter, terminal } = this.path;
    this.snapshot = {
      v: 1,
      district,
      ward,
      counter,
      terminal,
      month: this.month,
      seq: this.seq,
      updatedAt: this.updatedAt,
      levels: [...this.levels],
      days,
    };
    return this.snapshot;
  }
}
