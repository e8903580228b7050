/**
 * A year (or any range) of simulated history for demos, screenshots, tests
 * and benchmarks: PURE and deterministic (seeded), so the same options give
 * byte-identical tallies on every machine. It lives in bridge/ because the
 * demo (`npm start`) seeds neighbouring wards with it, but it imports only
 * the pure core — no Node or DOM API — so the dashboard's tests and benches
 * use it too.
 *
 * The shape of the numbers follows what offices publish: they open
 * Monday–Friday 07:30–11:30 and 13:30–17:00 plus Saturday morning
 * (`DEFAULT_OPENING_HOURS`, README "Set up"), a counter sees tens of
 * citizens a day with a morning peak, and published results sit at 95–99%
 * "hài lòng và rất hài lòng" with differences between wards (98,97% in
 * "Tỷ lệ hồ sơ giải quyết đúng hạn ở quận Bình Tân đạt 100%", Bình Tân
 * district portal, 7 March 2020; 99,4% of 35.100 visits in "Hoà Thành:
 * Giải quyết hồ sơ trước hạn và đúng hạn đạt 99,26%", Báo Tây Ninh, 3 May
 * 2023); a few presses fall inside the cooldown and are filtered.
 */
import {
  DEFAULT_OPENING_HOURS,
  DEFAULT_SCALE,
  WEEKDAYS,
  addDays,
  localMidnight,
  requireId,
  requireRange,
  scaleKeys,
  weekdayOf,
} from '../../core/index.ts';
import type { OpeningHours, Scale, Tally, TallyDay } from '../../core/index.ts';

/** A counter (quầy) of a simulated ward. */
export interface HistoryCounter {
  readonly id: string;
  /** Display name for `historyOffice`; default "Quầy N – <field>". */
  readonly name?: string;
  /** Terminal ids at this counter (votes are spread evenly over them). */
  readonly terminals: readonly string[];
  /** Officer ids who take turns at this counter (morning/afternoon shifts); none = votes name no officer. */
  readonly officers?: readonly string[];
}

/** A simulated ward office. */
export interface HistoryWard {
  readonly id: string;
  /** Display name for `historyOffice`; default from `DEMO_WARD_NAMES`. */
  readonly name?: string;
  readonly counters: readonly HistoryCounter[];
  /**
   * Long-run share of satisfied votes (0..1).
   * @default a seeded value between 0.955 and 0.99
   */
  readonly satisfiedShare?: number;
}

/** Options of `generateHistory`. */
export interface HistoryOptions {
  readonly district: string;
  readonly wards: readonly HistoryWard[];
  /** First local date `YYYY-MM-DD`, inclusive. */
  readonly from: string;
  /** Last local date `YYYY-MM-DD`, inclusive. */
  readonly to: string;
  /**
   * Seed of the pseudo-random generator: same options, same tallies.
   * @default 1
   */
  readonly seed?: number;
  /**
   * Opening hours; no vote falls outside them.
   * @default DEFAULT_OPENING_HOURS (Mon–Fri 07:30–11:30, 13:30–17:00; Sat 07:30–11:30)
   */
  readonly openingHours?: OpeningHours;
  /**
   * Relative traffic per local hour 0..23, multiplied by the share of the hour the office is open.
   * @default DEFAULT_HOUR_PROFILE (a morning peak at 09:00)
   */
  readonly hourProfile?: readonly number[];
  /**
   * Mean counted votes per counter on a full weekday.
   * @default 36
   */
  readonly votesPerCounterDay?: number;
  /**
   * Filtered (cooldown) presses per counted vote.
   * @default 0.02
   */
  readonly cooldownShare?: number;
  /**
   * The scale votes are cast on.
   * @default DEFAULT_SCALE (the official 3 levels)
   */
  readonly scale?: Scale;
  /**
   * Epoch ms after which nothing is pressed (e.g. `Date.now()`, so that
   * "today" stops at the current hour). Hours starting after it are empty.
   * @default no limit
   */
  readonly until?: number;
}

/** Relative traffic per hour: citizens come early, the afternoon is calmer. */
export const DEFAULT_HOUR_PROFILE: readonly number[] = Object.freeze([
  0, 0, 0, 0, 0, 0, 0, 1.0, 1.4, 1.5, 1.3, 1.0, 0.6, 0.8, 1.1, 1.1, 0.9, 0.6, 0, 0, 0, 0, 0, 0,
]);

/** mulberry32: a tiny, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A stable 32-bit hash of a string (FNV-1a), so each ward/counter gets its
// own stream: adding a ward does not change the numbers of the others.
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Traffic weight of each hour of a weekday: profile × open share of that hour. */
function hourWeights(hours: OpeningHours, weekday: number, profile: readonly number[]): number[] {
  const day = WEEKDAYS[weekday] as (typeof WEEKDAYS)[number];
  const weights = new Array<number>(24).fill(0);
  for (const [start, end] of hours[day] ?? []) {
    const a = minutesOf(start);
    const b = minutesOf(end);
    for (let h = 0; h < 24; h++) {
      const open = Math.max(0, Math.min(b, (h + 1) * 60) - Math.max(a, h * 60));
      weights[h] = (weights[h] as number) + (open / 60) * (profile[h] ?? 0);
    }
  }
  return weights;
}

// Normal deviate (Box–Muller), for day-to-day variation of volumes.
function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

interface TerminalMonth {
  readonly terminal: string;
  readonly month: string;
  days: Record<string, TallyDay>;
  seq: number;
  updatedAt: number;
}

/** Validates options once; throws naming the option (programmer error). */
function resolve(options: HistoryOptions) {
  requireId(options.district, 'options.district');
  requireRange({ from: options.from, to: options.to }, 'options');
  const wards: readonly HistoryWard[] = options.wards;
  if (!Array.isArray(wards)) throw new TypeError('"options.wards" must be an array');
  wards.forEach((w: HistoryWard, i: number) => {
    requireId(w.id, `options.wards[${i}].id`);
    w.counters.forEach((c, j) => {
      requireId(c.id, `options.wards[${i}].counters[${j}].id`);
      if (c.terminals.length === 0) throw new RangeError(`options.wards[${i}].counters[${j}].terminals is empty`);
      c.terminals.forEach((t, k) => requireId(t, `options.wards[${i}].counters[${j}].terminals[${k}]`));
      (c.officers ?? []).forEach((o, k) => requireId(o, `options.wards[${i}].counters[${j}].officers[${k}]`));
    });
    if (w.satisfiedShare !== undefined && !(w.satisfiedShare >= 0 && w.satisfiedShare <= 1)) {
      throw new RangeError(`"options.wards[${i}].satisfiedShare" must be in 0..1`);
    }
  });
  const votesPerCounterDay = options.votesPerCounterDay ?? 36;
  if (!(votesPerCounterDay >= 0)) throw new RangeError('"options.votesPerCounterDay" must be ≥ 0');
  const cooldownShare = options.cooldownShare ?? 0.02;
  if (!(cooldownShare >= 0 && cooldownShare <= 1)) throw new RangeError('"options.cooldownShare" must be in 0..1');
  return {
    seed: options.seed ?? 1,
    hours: options.openingHours ?? DEFAULT_OPENING_HOURS,
    profile: options.hourProfile ?? DEFAULT_HOUR_PROFILE,
    votesPerCounterDay,
    cooldownShare,
    scale: options.scale ?? DEFAULT_SCALE,
    until: options.until ?? Number.POSITIVE_INFINITY,
  };
}

/**
 * Simulated monthly tallies for every terminal of every ward over
 * `from`..`to`, sorted by terminal path then month. Every tally passes core
 * `parseTally`: hours add up to the day, officers never exceed it, and
 * `seq` numbers every press (filtered ones too) in time order.
 */
export function generateHistory(options: HistoryOptions): Tally[] {
  const o = resolve(options);
  const levels = scaleKeys(o.scale);
  const width = levels.length;
  const satisfiedIdx = o.scale.levels.flatMap((l, i) => (l.satisfied ? [i] : []));
  const unhappyIdx = o.scale.levels.flatMap((l, i) => (l.satisfied ? [] : [i]));
  const fullDay = hourWeights(o.hours, 0, o.profile).reduce((a, b) => a + b, 0) || 1;
  const out: Tally[] = [];
  for (const ward of options.wards) {
    const wardRand = seededRandom(o.seed ^ hash(`${options.district}/${ward.id}`));
    const share = ward.satisfiedShare ?? 0.955 + wardRand() * 0.035;
    for (const counter of ward.counters) {
      const rand = seededRandom(o.seed ^ hash(`${options.district}/${ward.id}/${counter.id}`));
      // Counters differ in traffic (hộ tịch is busier than chứng thực).
      const busyness = 0.7 + rand() * 0.6;
      const officers = counter.officers ?? [];
      const months = new Map<string, TerminalMonth>();
      const seqs = new Map<string, number>(counter.terminals.map((t) => [t, 0]));
      for (let date = options.from, dayIndex = 0; date <= options.to; date = addDays(date, 1), dayIndex++) {
        const weights = hourWeights(o.hours, weekdayOf(date), o.profile);
        const open = weights.reduce((a, b) => a + b, 0);
        if (open === 0) continue;
        const midnight = localMidnight(date);
        const mean = o.votesPerCounterDay * busyness * (open / fullDay);
        const dayShare = Math.min(1, Math.max(0, share + gaussian(rand) * 0.01));
        let votes = Math.max(0, Math.round(mean + gaussian(rand) * Math.sqrt(mean)));
        // Per terminal: counts per hour per level, per officer, and filtered presses.
        const perTerminal = counter.terminals.map(() => ({
          c: new Array<number>(width).fill(0),
          h: new Map<number, number[]>(),
          o: new Map<string, number[]>(),
          cooldown: 0,
          last: -1,
        }));
        const cumulative: number[] = [];
        weights.reduce((sum, w) => (cumulative.push(sum + w), sum + w), 0);
        for (; votes > 0; votes--) {
          const x = rand() * open;
          const hour = cumulative.findIndex((c) => x < c);
          const at = midnight + hour * 3_600_000 + Math.floor(rand() * 3_600_000);
          if (at > o.until) continue;
          const level =
            rand() < dayShare
              ? (satisfiedIdx[rand() < 0.62 ? 0 : Math.min(1, satisfiedIdx.length - 1)] as number)
              : (unhappyIdx[Math.floor(rand() * unhappyIdx.length)] as number);
          const term = perTerminal[Math.floor(rand() * perTerminal.length)]!;
          term.c[level] = (term.c[level] as number) + 1;
          const hourRow = term.h.get(hour) ?? new Array<number>(width).fill(0);
          hourRow[level] = (hourRow[level] as number) + 1;
          term.h.set(hour, hourRow);
          if (officers.length > 0) {
            // Morning and afternoon shifts rotate daily between the counter's officers.
            const officer = officers[(dayIndex + (hour >= 12 ? 1 : 0)) % officers.length] as string;
            const row = term.o.get(officer) ?? new Array<number>(width).fill(0);
            row[level] = (row[level] as number) + 1;
            term.o.set(officer, row);
          }
          term.last = Math.max(term.last, at);
          if (rand() < o.cooldownShare) {
            term.cooldown += 1;
            term.last = Math.max(term.last, Math.min(at + 2000, o.until));
          }
        }
        counter.terminals.forEach((terminal, i) => {
          const t = perTerminal[i]!;
          const presses = t.c.reduce((a, b) => a + b, 0) + t.cooldown;
          if (presses === 0) return;
          const month = date.slice(0, 7);
          const key = `${terminal}/${month}`;
          let tm = months.get(key);
          if (tm === undefined) {
            tm = { terminal, month, days: {}, seq: 0, updatedAt: 0 };
            months.set(key, tm);
          }
          const seq = (seqs.get(terminal) as number) + presses;
          seqs.set(terminal, seq);
          tm.seq = seq;
          tm.updatedAt = Math.max(tm.updatedAt, t.last);
          const h: Record<string, number[]> = {};
          for (const hour of [...t.h.keys()].sort((a, b) => a - b)) h[String(hour).padStart(2, '0')] = t.h.get(hour)!;
          const day: TallyDay = { c: t.c, f: [t.cooldown, 0], h };
          if (t.o.size > 0) {
            const byOfficer: Record<string, number[]> = {};
            for (const id of [...t.o.keys()].sort()) byOfficer[id] = t.o.get(id)!;
            tm.days[date.slice(8, 10)] = { ...day, o: byOfficer };
          } else tm.days[date.slice(8, 10)] = day;
        });
      }
      const terminalOrder = [...counter.terminals].sort();
      const sorted = [...months.values()].sort((a, b) =>
        a.terminal === b.terminal ? a.month.localeCompare(b.month) : terminalOrder.indexOf(a.terminal) - terminalOrder.indexOf(b.terminal),
      );
      for (const tm of sorted) {
        out.push({
          v: 1,
          district: options.district,
          ward: ward.id,
          counter: counter.id,
          terminal: tm.terminal,
          month: tm.month,
          seq: tm.seq,
          updatedAt: tm.updatedAt,
          levels,
          days: tm.days,
        });
      }
    }
  }
  return out;
}
