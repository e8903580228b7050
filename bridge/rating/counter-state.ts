/**
 * What the bridge knows about each counter at the moment a vote is stored:
 * who was serving (the retained `_session`), and, in gated mode, whether a
 * "service finished" (`_served`) opened a rating window that this vote may
 * use. Pure and clock-free: every method takes the time it is about.
 *
 * The terminal enforces cooldown and the gated window itself (it flags
 * presses C/G, PROTOCOL.md §6.4–6.5); the bridge adds what one terminal
 * cannot know: a service opens ONE vote for the whole counter, even when
 * the counter has two terminals, and the officer at the time of the press.
 */
import type { Served, Session } from '../../core/counter-events.ts';
import type { DossierStage } from '../../core/dossier.ts';
import type { FilterReason } from '../../core/vote.ts';

/** How long officer sessions are remembered, to attribute late-delivered votes (8 h). */
export const SESSION_HISTORY_MS = 8 * 3_600_000;

/** Slack for clock and transmission jitter when checking a press against a window (ms). */
export const WINDOW_SLACK_MS = 1000;

/** What a vote gets from its counter. */
export interface CounterVerdict {
  readonly filtered?: FilterReason;
  readonly officer?: string;
  readonly ticket?: string;
  /** The dossier (and stage) the desk named when it ended the service this vote rates. */
  readonly dossier?: string;
  readonly stage?: DossierStage;
}

interface Window {
  readonly openedAt: number;
  readonly closesAt: number;
  readonly ticket?: string;
  readonly officer?: string;
  readonly dossier?: string;
  readonly stage?: DossierStage;
  consumed: boolean;
  /** Press time of the vote that used the window (to give it back if that vote is not stored). */
  consumedAt?: number;
}

/** Per-counter sessions and gated windows. */
export class CounterState {
  private readonly sessions = new Map<string, { at: number; officer: string | null }[]>();
  private readonly windows = new Map<string, Window>();

  /** Records a retained or live `_session` (who is logged in at `counter`). */
  session(counter: string, session: Session): void {
    const list = this.sessions.get(counter) ?? [];
    // Retained copies arrive again after every reconnect: keep one per time.
    if (!list.some((s) => s.at === session.at)) list.push({ at: session.at, officer: session.officer });
    list.sort((a, b) => a.at - b.at);
    const cutoff = session.at - SESSION_HISTORY_MS;
    while (list.length > 1 && (list[1] as { at: number }).at <= cutoff) list.shift();
    this.sessions.set(counter, list);
  }

  /** The officer logged in at `counter` at time `at`, if any. */
  officerAt(counter: string, at: number): string | undefined {
    const list = this.sessions.get(counter);
    if (list === undefined) return undefined;
    let officer: string | null = null;
    for (const s of list) if (s.at <= at) officer = s.officer;
    return officer ?? undefined;
  }

  /** A `_served` event at `counter`: opens one rating window of `windowMs` from `receivedAt`. */
  served(counter: string, served: Served, receivedAt: number, windowMs: number): void {
    const w: Window = { openedAt: receivedAt, closesAt: receivedAt + windowMs, consumed: false };
    this.windows.set(counter, {
      ...w,
      ...(served.ticket === undefined ? {} : { ticket: served.ticket }),
      ...(served.officer === undefined ? {} : { officer: served.officer }),
      ...(served.dossier === undefined ? {} : { dossier: served.dossier, stage: served.stage ?? 'tiep-nhan' }),
    });
  }

  /**
   * Gives the counter's window back when the vote pressed at `pressedAt`,
   * which used it, could not be stored (journal full): the box resends that
   * vote, and it must count then, not be filtered as a second vote.
   */
  release(counter: string, pressedAt: number): void {
    const w = this.windows.get(counter);
    if (w?.consumed && w.consumedAt === pressedAt) {
      w.consumed = false;
      delete w.consumedAt;
    }
  }

  /** True while a window opened at `counter` is unused and not expired at `now`. */
  isOpen(counter: string, now: number): boolean {
    const w = this.windows.get(counter);
    return w !== undefined && !w.consumed && now < w.closesAt;
  }

  /**
   * Decides a vote's attribution and whether it counts. `terminalFilter` is
   * what the terminal flagged; the terminal's flag always stands (it is
   * never upgraded to counted). In gated mode, an unflagged vote consumes
   * the counter's window; a second unflagged vote for the same window is
   * filtered `gated`. When the bridge has seen no `_served` for the
   * counter since it started, it trusts the terminal's window.
   */
  judge(counter: string, gated: boolean, pressedAt: number, terminalFilter: FilterReason | undefined): CounterVerdict {
    const w = this.windows.get(counter);
    let filtered = terminalFilter;
    let ticket: string | undefined;
    let windowOfficer: string | undefined;
    let dossier: { dossier: string; stage: DossierStage } | undefined;
    const inWindow = w !== undefined && pressedAt >= w.openedAt - WINDOW_SLACK_MS && pressedAt <= w.closesAt + WINDOW_SLACK_MS;
    // Open mode: every press counts, but the first one in a window that named
    // a dossier is that dossier's rating and carries its code.
    const takesDossier = !gated && w?.dossier !== undefined && !w.consumed;
    if (filtered === undefined && w !== undefined && (gated || takesDossier)) {
      if (gated && w.consumed && inWindow) filtered = 'gated';
      else if (inWindow) {
        w.consumed = true;
        w.consumedAt = pressedAt;
        ticket = w.ticket;
        windowOfficer = w.officer;
        if (w.dossier !== undefined && w.stage !== undefined) dossier = { dossier: w.dossier, stage: w.stage };
      }
    }
    const officer = this.officerAt(counter, pressedAt) ?? windowOfficer;
    // One object, fields assigned one by one: this runs per vote, and each
    // `...(x ? {} : {…})` was a garbage object (issue 14, GC).
    const verdict: { -readonly [K in keyof CounterVerdict]: CounterVerdict[K] } = {};
    if (filtered !== undefined) verdict.filtered = filtered;
    if (officer !== undefined) verdict.officer = officer;
    if (ticket !== undefined) verdict.ticket = ticket;
    if (dossier !== undefined) {
      verdict.dossier = dossier.dossier;
      verdict.stage = dossier.stage;
    }
    return verdict;
  }
}
