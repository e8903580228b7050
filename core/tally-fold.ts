/**
 * Folding votes into a tally: `applyVote`/`applyVotes`, which make a tally a
 * pure function of the votes in seq order (a replay is a no-op), and
 * `addReasons` for the reason counts. Pure (core/: no I/O, no Buffer).
 *
 * Separate from tally.ts because it is the counting maths; parsing is in
 * tally-parse.ts and choosing between copies in tally-merge.ts.
 */
import { sameTerminal } from './path.ts';
import { MAX_OFFICERS_PER_DAY, MAX_REASONS_PER_DAY, ownEntry, withKey, type Tally, type TallyDay } from './tally-shape.ts';
import { VN_OFFSET_MINUTES, localParts } from './time.ts';
import type { Vote } from './vote.ts';

/**
 * Adds one to each of `ids` in a sorted count record; ids beyond
 * `MAX_REASONS_PER_DAY` distinct ones are not itemised (the vote still counts).
 */
export function addReasons(
  record: Readonly<Record<string, number>> | undefined,
  ids: Iterable<string>,
): Record<string, number> | undefined {
  let out = record === undefined ? undefined : { ...record };
  for (const id of ids) {
    const known = out !== undefined && Object.hasOwn(out, id);
    if (!known && Object.keys(out ?? {}).length >= MAX_REASONS_PER_DAY) continue;
    out = withKey(out ?? {}, id, (known ? ((out as Record<string, number>)[id] as number) : 0) + 1);
  }
  return out;
}

function bump(counts: readonly number[] | undefined, index: number, width: number): number[] {
  const out = counts === undefined ? new Array<number>(width).fill(0) : counts.slice();
  out[index] = (out[index] ?? 0) + 1;
  return out;
}

function pad(counts: readonly number[], width: number): number[] {
  const out = counts.slice();
  while (out.length < width) out.push(0);
  return out;
}

function padRecord(record: Readonly<Record<string, readonly number[]>>, width: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const k of Object.keys(record)) out[k] = pad(record[k] as readonly number[], width);
  return out;
}

// Adding a level widens every count array so that all stay as long as `levels`.
function widen(days: Readonly<Record<string, TallyDay>>, width: number): Record<string, TallyDay> {
  const out: Record<string, TallyDay> = {};
  for (const k of Object.keys(days)) {
    const d = days[k] as TallyDay;
    const wide: TallyDay = { c: pad(d.c, width), f: [d.f[0], d.f[1]], h: padRecord(d.h, width) };
    out[k] = {
      ...wide,
      ...(d.o === undefined ? {} : { o: padRecord(d.o, width) }),
      ...(d.r === undefined ? {} : { r: d.r }),
      ...(d.ro === undefined ? {} : { ro: d.ro }),
    };
  }
  return out;
}

/**
 * Folds one vote into a tally and returns the new tally (the input is not
 * modified). Returns the SAME object, unchanged, when the vote belongs to
 * another terminal or local month, or when `vote.seq <= tally.seq` (a
 * replay): this is what makes re-delivery idempotent. Votes of a terminal
 * must therefore be applied in seq order, which the serial protocol's
 * stop-and-wait delivery guarantees. Days and hours come from `pressedAt`
 * at `offsetMinutes` (default Vietnam, UTC+7).
 */
export function applyVote(tally: Tally, vote: Vote, offsetMinutes: number = VN_OFFSET_MINUTES): Tally {
  if (vote.seq <= tally.seq || !sameTerminal(tally, vote)) return tally;
  const t = localParts(vote.pressedAt, offsetMinutes);
  if (t.monthKey !== tally.month) return tally;
  let levels = tally.levels;
  let days = tally.days;
  let index = levels.indexOf(vote.level);
  // Only counted votes need a level slot; filtered presses are level-less.
  if (index < 0 && vote.filtered === undefined) {
    levels = [...levels, vote.level];
    days = widen(days, levels.length);
    index = levels.length - 1;
  }
  const width = levels.length;
  const day = ownEntry(days, t.dayKey);
  const f: [number, number] = day === undefined ? [0, 0] : [day.f[0], day.f[1]];
  let c = day === undefined ? new Array<number>(width).fill(0) : day.c;
  let h = day === undefined ? {} : day.h;
  let o = day?.o;
  let r = day?.r;
  let ro = day?.ro;
  if (vote.filtered === 'cooldown') f[0] += 1;
  // A second vote for a dossier and stage is a second vote for one service, like `gated`.
  else if (vote.filtered === 'gated' || vote.filtered === 'dossier') f[1] += 1;
  else {
    c = bump(c, index, width);
    h = withKey(h, t.hourKey, bump(ownEntry(h, t.hourKey), index, width));
    const known = o !== undefined && Object.hasOwn(o, vote.officer ?? '');
    // Past MAX_OFFICERS_PER_DAY a new officer is not itemised (the vote still
    // counts in c and h), so every tally applyVote makes also parses.
    if (vote.officer !== undefined && (known || Object.keys(o ?? {}).length < MAX_OFFICERS_PER_DAY)) {
      o = withKey(o ?? {}, vote.officer, bump(o === undefined ? undefined : ownEntry(o, vote.officer), index, width));
    }
    if (vote.reasons !== undefined && vote.reasons.length > 0) {
      const ids = [...new Set(vote.reasons)];
      r = addReasons(r, ids);
      if (vote.officer !== undefined && o !== undefined && Object.hasOwn(o, vote.officer)) {
        const mine = addReasons(ro === undefined ? undefined : ownEntry(ro, vote.officer), ids);
        if (mine !== undefined) ro = withKey(ro ?? {}, vote.officer, mine);
      }
    }
  }
  const nextDay: TallyDay = {
    c,
    f,
    h,
    ...(o === undefined ? {} : { o }),
    ...(r === undefined ? {} : { r }),
    ...(ro === undefined ? {} : { ro }),
  };
  return {
    v: 1,
    district: tally.district,
    ward: tally.ward,
    counter: tally.counter,
    terminal: tally.terminal,
    month: tally.month,
    seq: vote.seq,
    // Derived from the votes, not from a clock, so replicas that fold the
    // same votes produce byte-identical tallies.
    updatedAt: Math.max(tally.updatedAt, vote.receivedAt),
    levels,
    days: withKey(days, t.dayKey, nextDay),
  };
}

/** Folds many votes in order (see `applyVote`). */
export function applyVotes(tally: Tally, votes: Iterable<Vote>, offsetMinutes: number = VN_OFFSET_MINUTES): Tally {
  let out = tally;
  for (const vote of votes) out = applyVote(out, vote, offsetMinutes);
  return out;
}
