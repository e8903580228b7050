import { describe, expect, it } from 'vitest';
import { CounterState, SESSION_HISTORY_MS } from '../../../bridge/rating/counter-state.ts';

const T = 1_763_866_800_000;

describe('CounterState', () => {
  it('attributes a vote to the officer on duty when it was pressed, even if delivered later', () => {
    const c = new CounterState();
    c.session('quay-1', { v: 1, officer: 'lan', at: T });
    c.session('quay-1', { v: 1, officer: 'minh', at: T + 3_600_000 });
    c.session('quay-1', { v: 1, officer: null, at: T + 7_200_000 });
    expect(c.judge('quay-1', false, T + 60_000, undefined)).toEqual({ officer: 'lan' });
    expect(c.judge('quay-1', false, T + 3_700_000, undefined)).toEqual({ officer: 'minh' });
    expect(c.judge('quay-1', false, T + 7_300_000, undefined)).toEqual({});
    expect(c.judge('quay-1', false, T - 1, undefined)).toEqual({});
    expect(c.judge('quay-2', false, T + 60_000, undefined)).toEqual({});
  });

  it('keeps one entry per retained session however often it is redelivered, and forgets old ones', () => {
    const c = new CounterState();
    for (let i = 0; i < 5; i++) c.session('quay-1', { v: 1, officer: 'lan', at: T });
    c.session('quay-1', { v: 1, officer: 'minh', at: T + 1 });
    expect(c.officerAt('quay-1', T)).toBe('lan');
    c.session('quay-1', { v: 1, officer: 'chi', at: T + SESSION_HISTORY_MS + 10 });
    // lan's shift ended more than the history ago: forgotten; minh's covers the cutoff: kept.
    expect(c.officerAt('quay-1', T)).toBeUndefined();
    expect(c.officerAt('quay-1', T + 5)).toBe('minh');
    expect(c.officerAt('quay-1', T + SESSION_HISTORY_MS + 20)).toBe('chi');
  });

  it('a window that names a dossier gives its code and stage to the first vote, gated or open (issue 15)', () => {
    const c = new CounterState();
    c.served('quay-2', { v: 1, at: T, dossier: 'H26-0042', stage: 'tra-ket-qua' }, T, 30_000);
    expect(c.judge('quay-2', true, T + 5000, undefined)).toEqual({ dossier: 'H26-0042', stage: 'tra-ket-qua' });
    c.served('quay-1', { v: 1, at: T, dossier: 'H26-0043' }, T, 30_000);
    // Open mode: every press counts, only the first in the window carries the dossier.
    expect(c.judge('quay-1', false, T + 5000, undefined)).toEqual({ dossier: 'H26-0043', stage: 'tiep-nhan' });
    expect(c.judge('quay-1', false, T + 6000, undefined)).toEqual({});
    // Outside the window, or a press the terminal flagged: no dossier.
    c.served('quay-1', { v: 1, at: T, dossier: 'H26-0044' }, T, 30_000);
    expect(c.judge('quay-1', false, T + 40_000, undefined)).toEqual({});
    expect(c.judge('quay-1', false, T + 5000, 'cooldown')).toEqual({ filtered: 'cooldown' });
  });

  it('gated: one service opens ONE counted vote for the whole counter', () => {
    const c = new CounterState();
    c.served('quay-2', { v: 1, at: T, ticket: 'A-012', officer: 'lan' }, T, 30_000);
    expect(c.isOpen('quay-2', T + 1000)).toBe(true);
    expect(c.judge('quay-2', true, T + 5000, undefined)).toEqual({ ticket: 'A-012', officer: 'lan' });
    expect(c.isOpen('quay-2', T + 6000)).toBe(false);
    // A second terminal at the same counter, inside the same window: not counted.
    expect(c.judge('quay-2', true, T + 7000, undefined)).toEqual({ filtered: 'gated' });
    // The next service opens the next vote.
    c.served('quay-2', { v: 1, at: T + 60_000 }, T + 60_000, 30_000);
    expect(c.judge('quay-2', true, T + 61_000, undefined)).toEqual({});
  });

  it("never un-filters the terminal's own flags, and trusts the terminal when it saw no service", () => {
    const c = new CounterState();
    expect(c.judge('quay-2', true, T, 'cooldown')).toEqual({ filtered: 'cooldown' });
    expect(c.judge('quay-2', true, T, undefined)).toEqual({});
    c.served('quay-2', { v: 1, at: T }, T, 30_000);
    expect(c.judge('quay-2', true, T + 1, 'gated')).toEqual({ filtered: 'gated' });
    expect(c.isOpen('quay-2', T + 2)).toBe(true);
  });

  it('gives the window back to a vote that used it but could not be stored, and only to that vote', () => {
    const c = new CounterState();
    c.served('quay-2', { v: 1, at: T, ticket: 'A-1' }, T, 30_000);
    expect(c.judge('quay-2', true, T + 5000, undefined)).toEqual({ ticket: 'A-1' });
    c.release('quay-2', T + 4000); // another press: no effect
    expect(c.isOpen('quay-2', T + 6000)).toBe(false);
    c.release('quay-2', T + 5000); // the journal refused that vote
    expect(c.isOpen('quay-2', T + 6000)).toBe(true);
    // Its resend (same press time) counts, with the ticket.
    expect(c.judge('quay-2', true, T + 5000, undefined)).toEqual({ ticket: 'A-1' });
  });

  it('expires a window after windowMs', () => {
    const c = new CounterState();
    c.served('quay-2', { v: 1, at: T }, T, 30_000);
    expect(c.isOpen('quay-2', T + 29_999)).toBe(true);
    expect(c.isOpen('quay-2', T + 30_000)).toBe(false);
  });
});
