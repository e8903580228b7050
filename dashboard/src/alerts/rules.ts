/**
 * Alert rules: a counter with too many
 * unhappy votes inside a time window (with a minimum number of votes, so one
 * angry citizen is not an alert), a terminal or bridge offline while the
 * office is open, and suspected stuffing — many presses filtered by the
 * cooldown — and a run of unhappy votes naming the same reason ("5 lượt
 * không hài lòng vì thời gian chờ trong 1 giờ"). PURE: alerts are a function of the votes, the statuses, the
 * offices and `now`, so the same state always raises the same alerts with
 * the same ids (which is what acknowledgements are keyed by).
 */
import { DEFAULT_OPENING_HOURS, counterKey, isOpenAt, statusSince, terminalKey, wardKey } from '../../../core/index.ts';
import type { Office, Scale, Status, Vote } from '../../../core/index.ts';

/** The kinds of alert. */
export type AlertKind = 'low-satisfaction' | 'reason-run' | 'terminal-offline' | 'bridge-offline' | 'stuffing';

/** One alert: an episode during which a rule held. */
export interface Alert {
  /** Stable id: kind, place and start; acknowledgements are keyed by it. */
  readonly id: string;
  readonly kind: AlertKind;
  /** Place key: `d/w/c` (low satisfaction), `d/w/c/t` (terminal, stuffing) or `d/w` (bridge). */
  readonly place: string;
  /** Epoch ms when the episode started. */
  readonly since: number;
  /** Whether the rule still holds at `now`. */
  readonly active: boolean;
  /** Votes and unhappy votes in the window (low satisfaction), or filtered presses (stuffing), at the episode's peak. */
  readonly votes?: number;
  readonly unhappy?: number;
  readonly filtered?: number;
  /** The reason id of a reason run. */
  readonly reason?: string;
}

/** Thresholds of the rules. */
export interface AlertRules {
  /** Low satisfaction: window length. @default 15 min */
  readonly windowMs: number;
  /** Low satisfaction: at least this many counted votes in the window. @default 4 */
  readonly minVotes: number;
  /** Low satisfaction: unhappy share at or above this percentage. @default 50 */
  readonly unhappyPercent: number;
  /** Offline: how long a terminal/bridge must have been offline during opening hours. @default 2 min */
  readonly offlineGraceMs: number;
  /** Stuffing: window length. @default 10 min */
  readonly stuffingWindowMs: number;
  /** Stuffing: at least this many filtered presses at one terminal in the window. @default 8 */
  readonly stuffingPresses: number;
  /** Episodes that ended longer ago than this are dropped. @default 12 h */
  readonly lookbackMs: number;
  /** Reason run: window length. @default 1 h */
  readonly reasonWindowMs: number;
  /** Reason run: at least this many unhappy votes at one counter naming the same reason in the window. @default 5 */
  readonly reasonVotes: number;
}

/** HappyOrNot's example rule (≥ 50% unhappy in 15 min with ≥ 4 votes) and sensible defaults for the rest. */
export const DEFAULT_ALERT_RULES: AlertRules = Object.freeze({
  windowMs: 15 * 60_000,
  minVotes: 4,
  unhappyPercent: 50,
  offlineGraceMs: 2 * 60_000,
  stuffingWindowMs: 10 * 60_000,
  stuffingPresses: 8,
  lookbackMs: 12 * 3_600_000,
  reasonWindowMs: 3_600_000,
  reasonVotes: 5,
});

/** Checks rules from settings; returns the defaults for anything missing or out of range. */
export function resolveAlertRules(input: Partial<Record<keyof AlertRules, unknown>> | undefined): AlertRules {
  const out: Record<string, number> = { ...DEFAULT_ALERT_RULES };
  const limits: Record<keyof AlertRules, [number, number]> = {
    windowMs: [60_000, 24 * 3_600_000],
    minVotes: [1, 10_000],
    unhappyPercent: [1, 100],
    offlineGraceMs: [0, 24 * 3_600_000],
    stuffingWindowMs: [60_000, 24 * 3_600_000],
    stuffingPresses: [1, 10_000],
    lookbackMs: [3_600_000, 7 * 24 * 3_600_000],
    reasonWindowMs: [60_000, 24 * 3_600_000],
    reasonVotes: [1, 10_000],
  };
  for (const key of Object.keys(limits) as (keyof AlertRules)[]) {
    const value = input?.[key];
    const [min, max] = limits[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) out[key] = value;
  }
  return out as unknown as AlertRules;
}

/** What the rules look at. */
export interface AlertInput {
  /** Votes, oldest first (the store's vote log). */
  readonly votes: readonly Vote[];
  /** Terminal statuses by `d/w/c/t`. */
  readonly statuses: Iterable<readonly [string, Status]>;
  /** Bridge statuses by `d/w`. */
  readonly bridges: Iterable<readonly [string, Status]>;
  /** Offices by `d/w` (opening hours, scale). */
  readonly offices: ReadonlyMap<string, Office> | { get(key: string): Office | undefined };
  /** The scale of a ward (`d/w`): which levels are satisfied. */
  readonly scaleOf: (ward: string) => Scale;
  readonly now: number;
}

// Sliding-window episodes over one place's events (sorted by time): an
// episode starts at the event where `holds` becomes true and ends at the
// first later event (or `now`) where it is false.
function episodes<E extends { pressedAt: number }>(
  events: readonly E[],
  windowMs: number,
  now: number,
  holds: (window: readonly E[]) => boolean,
  peak: (window: readonly E[]) => { votes?: number; unhappy?: number; filtered?: number },
): { since: number; active: boolean; detail: ReturnType<typeof peak> }[] {
  const out: { since: number; active: boolean; detail: ReturnType<typeof peak> }[] = [];
  let start = 0;
  let open: { since: number; active: boolean; detail: ReturnType<typeof peak> } | undefined;
  for (let i = 0; i < events.length; i++) {
    const t = (events[i] as E).pressedAt;
    while ((events[start] as E).pressedAt <= t - windowMs) start++;
    const window = events.slice(start, i + 1);
    if (holds(window)) {
      if (open === undefined) {
        open = { since: t, active: false, detail: peak(window) };
        out.push(open);
      } else open.detail = peak(window);
    } else open = undefined;
  }
  if (open !== undefined) {
    // Still holding at `now`? Only if the window ending now still satisfies the rule.
    const current = events.filter((e) => e.pressedAt > now - windowMs && e.pressedAt <= now);
    open.active = holds(current);
  }
  return out;
}

/** Evaluates every rule; alerts sorted newest first, active ones first. */
export function evaluateAlerts(input: AlertInput, rules: AlertRules = DEFAULT_ALERT_RULES): Alert[] {
  const { now } = input;
  const alerts: Alert[] = [];
  const horizon = now - rules.lookbackMs - Math.max(rules.windowMs, rules.stuffingWindowMs, rules.reasonWindowMs);
  const counted = new Map<string, Vote[]>();
  const filtered = new Map<string, Vote[]>();
  for (const v of input.votes) {
    if (v.pressedAt < horizon || v.pressedAt > now) continue;
    const map = v.filtered === undefined ? counted : v.filtered === 'cooldown' ? filtered : undefined;
    if (map === undefined) continue;
    const key = v.filtered === undefined ? counterKey(v) : terminalKey(v);
    let list = map.get(key);
    if (list === undefined) map.set(key, (list = []));
    list.push(v);
  }
  for (const [place, votes] of counted) {
    const scale = input.scaleOf(place.split('/').slice(0, 2).join('/'));
    const satisfied = new Set(scale.levels.filter((l) => l.satisfied).map((l) => l.key));
    const unhappyOf = (w: readonly Vote[]) => w.reduce((n, v) => n + (satisfied.has(v.level) ? 0 : 1), 0);
    const found = episodes(
      votes,
      rules.windowMs,
      now,
      (w) => w.length >= rules.minVotes && unhappyOf(w) * 100 >= rules.unhappyPercent * w.length,
      (w) => ({ votes: w.length, unhappy: unhappyOf(w) }),
    );
    for (const e of found)
      alerts.push({
        id: `low-satisfaction:${place}:${e.since}`,
        kind: 'low-satisfaction',
        place,
        since: e.since,
        active: e.active,
        ...e.detail,
      });
    // Unhappy votes by the reason they name: one run per counter and reason.
    const byReason = new Map<string, Vote[]>();
    for (const v of votes) {
      if (satisfied.has(v.level)) continue;
      for (const reason of new Set(v.reasons ?? [])) {
        let list = byReason.get(reason);
        if (list === undefined) byReason.set(reason, (list = []));
        list.push(v);
      }
    }
    for (const [reason, named] of byReason) {
      const runs = episodes(
        named,
        rules.reasonWindowMs,
        now,
        (w) => w.length >= rules.reasonVotes,
        (w) => ({ unhappy: w.length }),
      );
      for (const e of runs)
        alerts.push({
          id: `reason-run:${place}:${reason}:${e.since}`,
          kind: 'reason-run',
          place,
          since: e.since,
          active: e.active,
          reason,
          ...e.detail,
        });
    }
  }
  for (const [place, presses] of filtered) {
    const found = episodes(
      presses,
      rules.stuffingWindowMs,
      now,
      (w) => w.length >= rules.stuffingPresses,
      (w) => ({ filtered: w.length }),
    );
    for (const e of found)
      alerts.push({ id: `stuffing:${place}:${e.since}`, kind: 'stuffing', place, since: e.since, active: e.active, ...e.detail });
  }
  const hoursOf = (ward: string) => input.offices.get(ward)?.openingHours ?? DEFAULT_OPENING_HOURS;
  const offline = (kind: 'terminal-offline' | 'bridge-offline', place: string, ward: string, status: Status) => {
    const since = statusSince(status);
    if (status.state !== 'offline' || now - since < rules.offlineGraceMs) return;
    if (!isOpenAt(hoursOf(ward), now)) return;
    alerts.push({ id: `${kind}:${place}:${status.at}`, kind, place, since, active: true });
  };
  for (const [place, status] of input.bridges) offline('bridge-offline', place, place, status);
  for (const [place, status] of input.statuses) offline('terminal-offline', place, place.split('/').slice(0, 2).join('/'), status);
  return alerts
    .filter((a) => a.active || a.since >= now - rules.lookbackMs)
    .sort((a, b) => (a.active !== b.active ? (a.active ? -1 : 1) : b.since - a.since || (a.id < b.id ? -1 : 1)));
}

/** The ward key of an alert's place. */
export function alertWard(alert: Alert): string {
  const [d = '', w = ''] = alert.place.split('/');
  return wardKey({ district: d, ward: w });
}
