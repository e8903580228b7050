/**
 * Live figures of a ward office for the supervisor's view: one entry per
 * counter with today's summary (from tallies), its terminals' state, the
 * officer logged in and the time of the last vote. Pure functions of the
 * store and a date, so they are the same however messages arrived.
 */
import { emptySummary, foldReasons, foldTalliesBy, localParts, statusSince } from '../../../core/index.ts';
import type { FuseProtection, ReasonSummary, Summary, Tally } from '../../../core/index.ts';
import { scaleOf } from './names.ts';
import type { DashboardStore } from './store.ts';

/** A terminal's state as a tile shows it. */
export interface TerminalFigure {
  /** `d/w/c/t` */
  readonly key: string;
  readonly id: string;
  readonly state: 'online' | 'offline' | 'unknown';
  /** Epoch ms of the last state change, when known. */
  readonly since: number | null;
  /** Two devices were seen using this terminal id (`DashboardStore.deviceConflict`). */
  readonly conflict?: true;
  /** A button box online on a low supply: the mV it measured at boot (Status.supplyMv, EVENT LOWV). */
  readonly supplyMv?: number;
  /** A button box online whose fuses lack the power-cut protection (Status.fuses.missing, EVENT FUSE). */
  readonly fusesMissing?: readonly FuseProtection[];
}

/** What a counter tile shows. */
export interface CounterFigure {
  /** `d/w/c` */
  readonly key: string;
  readonly id: string;
  /** Today's counted votes and filtered presses. */
  readonly today: Summary;
  readonly terminals: readonly TerminalFigure[];
  /** Officer logged in (id and display name), or null. */
  readonly officer: { readonly id: string; readonly name: string } | null;
  /** Epoch ms of the last counted vote: from the vote log, or else from today's tallies. */
  readonly lastVoteAt: number | null;
  /** Today's reasons for low ratings, when any was given. */
  readonly reasons: ReasonSummary | undefined;
}

/** Counter ids of a ward, in office order, then any others seen in tallies, statuses or sessions. */
export function counterIds(store: DashboardStore, ward: string): string[] {
  const office = store.offices.get(ward);
  const ids = office ? office.counters.map((c) => c.id) : [];
  const extra = new Set<string>();
  for (const t of store.wardTallies(ward)) extra.add(t.counter);
  for (const [key] of store.statuses.entries()) if (key.startsWith(`${ward}/`)) extra.add(key.split('/')[2] as string);
  for (const [key] of store.sessions.entries()) if (key.startsWith(`${ward}/`)) extra.add(key.split('/')[2] as string);
  for (const id of [...extra].sort()) if (!ids.includes(id)) ids.push(id);
  return ids;
}

/** Press time of the newest counted vote of a counter (`d/w/c`) seen live on `today`, or null. */
export function lastVoteAt(store: DashboardStore, counter: string, today: string): number | null {
  const [district, ward, id] = counter.split('/');
  const last = store.votes.latest(1, (v) => v.counter === id && v.ward === ward && v.district === district && v.filtered === undefined)[0];
  return last !== undefined && localParts(last.pressedAt).date === today ? last.pressedAt : null;
}

/** Today's summary of a whole ward office (`d/w`): one fold of its tallies. */
export function wardToday(store: DashboardStore, ward: string, today: string): Summary {
  const scale = scaleOf(store.offices.get(ward));
  const month = today.slice(0, 7);
  const tallies = store.wardTallies(ward).filter((t) => t.month === month);
  return (
    foldTalliesBy(tallies, { from: today, to: today, by: ['all'], scale })
      .get('all')
      ?.get('all') ?? emptySummary(scale)
  );
}

/** Figures of one counter (`d/w/c`) on local date `today` (`YYYY-MM-DD`). */
export function counterFigure(store: DashboardStore, counter: string, today: string): CounterFigure {
  const [district = '', wardId = '', id = ''] = counter.split('/');
  const ward = `${district}/${wardId}`;
  const office = store.offices.get(ward);
  const scale = scaleOf(office);
  const month = today.slice(0, 7);
  const tallies: Tally[] = store.counterTallies(counter, month);
  const summary =
    foldTalliesBy(tallies, { from: today, to: today, by: ['all'], scale })
      .get('all')
      ?.get('all') ?? emptySummary(scale);
  const terminalIds = new Set<string>(office?.counters.find((c) => c.id === id)?.terminals.map((t) => t.id) ?? []);
  for (const t of store.terminalsAt(counter)) terminalIds.add(t);
  const bridge = store.bridges.get(ward);
  const kinds = new Map(office?.counters.find((c) => c.id === id)?.terminals.map((t) => [t.id, t.kind]) ?? []);
  const terminals = [...terminalIds].map((t): TerminalFigure => {
    const key = `${counter}/${t}`;
    const status = store.statuses.get(key);
    // A button box's status is published by its ward's bridge; when that
    // bridge dies, only the bridge's last will fires and the box's retained
    // "online" goes stale. So a box is offline while its bridge is (a bridge
    // that comes back republishes every box's status). Kiosks speak for
    // themselves.
    const served = (status?.kind ?? kinds.get(t)) === 'button';
    if (served && bridge?.state === 'offline' && status?.state !== 'offline') {
      return { key, id: t, state: 'offline', since: statusSince(bridge) };
    }
    const base: TerminalFigure = {
      key,
      id: t,
      state: status?.state ?? 'unknown',
      since: status === undefined ? null : statusSince(status),
    };
    // Only while online: the value is from the box's current session, stale once it is gone.
    const online = status?.state === 'online';
    const figure: TerminalFigure = {
      ...base,
      ...(online && status.supplyMv !== undefined ? { supplyMv: status.supplyMv } : {}),
      ...(online && status.fuses !== undefined ? { fusesMissing: status.fuses.missing } : {}),
    };
    return store.deviceConflict(key) ? { ...figure, conflict: true } : figure;
  });
  const session = store.sessions.get(counter);
  const officer =
    session?.officer != null
      ? {
          id: session.officer,
          name:
            session.name ??
            store.officerNames.get(`${ward}/${session.officer}`)?.name ??
            office?.officers?.find((o) => o.id === session.officer)?.name ??
            session.officer,
        }
      : null;
  // No vote seen live today: the tallies' updatedAt is the bridge's receive time of the last press.
  let fromTallies: number | null = null;
  for (const t of tallies) if (t.days[today.slice(8, 10)] !== undefined) fromTallies = Math.max(fromTallies ?? 0, t.updatedAt);
  const reasons = foldReasons(tallies, { from: today, to: today, by: 'all', scale }).get('all');
  return { key: counter, id, today: summary, terminals, officer, lastVoteAt: lastVoteAt(store, counter, today) ?? fromTallies, reasons };
}

/** Figures of every counter of a ward (`d/w`). */
export function wardCounterFigures(store: DashboardStore, ward: string, today: string): CounterFigure[] {
  return counterIds(store, ward).map((id) => counterFigure(store, `${ward}/${id}`, today));
}
