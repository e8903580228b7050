import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCALE_3, SCALE_5, STANDARD_REASON_IDS } from '../../../core/index.ts';
import {
  configure,
  draftStored,
  finishReasons,
  gateOpen,
  initialState,
  nextDeadline,
  served,
  tap,
  tick,
  toggleReason,
} from '../../../kiosk/src/terminal/terminal-machine.ts';
import type { Effect, TerminalSettings, TerminalState } from '../../../kiosk/src/terminal/terminal-machine.ts';

const T0 = Date.UTC(2025, 4, 12, 2, 0, 0);

function settings(patch: Partial<TerminalSettings> = {}): TerminalSettings {
  return {
    scale: SCALE_3,
    cooldownMs: 3000,
    mode: 'open',
    windowMs: 30_000,
    reasons: STANDARD_REASON_IDS,
    reasonTimeoutMs: 20_000,
    thanksMs: 4000,
    reasonArmMs: 400,
    noticeMs: 3000,
    ...patch,
  };
}

function records(effects: readonly Effect[]) {
  return effects.flatMap((e) => (e.type === 'record' ? [e.record] : []));
}

describe('terminal machine: open mode', () => {
  it('a satisfied tap records one counted vote and shows the thank-you, then resets when idle', () => {
    const s0 = initialState(settings());
    const step = tap(s0, 'rat-hai-long', T0);
    expect(records(step.effects)).toEqual([{ level: 'rat-hai-long', pressedAt: T0, draft: false }]);
    expect(step.state.screen).toEqual({ kind: 'thanks', level: 'rat-hai-long', until: T0 + 4000 });
    expect(nextDeadline(step.state)).toBe(T0 + 4000);
    expect(tick(step.state, T0 + 3999).state.screen.kind).toBe('thanks');
    expect(tick(step.state, T0 + 4000).state.screen).toEqual({ kind: 'rate' });
  });

  it('a second tap inside the cooldown is recorded as filtered, never dropped, and does not restart the cooldown', () => {
    let s: TerminalState = initialState(settings());
    s = tap(s, 'hai-long', T0).state;
    const second = tap(s, 'hai-long', T0 + 120);
    expect(records(second.effects)).toEqual([{ level: 'hai-long', pressedAt: T0 + 120, filtered: 'cooldown', draft: false }]);
    expect(second.state.notice?.kind).toBe('recorded');
    // §6.5: the cooldown runs from the last press that was NOT C-flagged.
    const third = tap(second.state, 'hai-long', T0 + 3000);
    expect(records(third.effects)[0]?.filtered).toBeUndefined();
  });

  it('cooldown 0 disables the check', () => {
    let s: TerminalState = initialState(settings({ cooldownMs: 0, reasons: [] }));
    s = tap(s, 'khong-hai-long', T0).state;
    expect(records(tap(s, 'khong-hai-long', T0 + 1).effects)[0]?.filtered).toBeUndefined();
  });

  it('an unsatisfied tap stores a draft, asks for reasons, and sends it with the chosen ones', () => {
    const s0 = initialState(settings());
    const step = tap(s0, 'khong-hai-long', T0);
    expect(records(step.effects)).toEqual([{ level: 'khong-hai-long', pressedAt: T0, draft: true, draftUntil: T0 + 20_000 }]);
    let s = draftStored(step.state, 41);
    expect(s.screen).toMatchObject({ kind: 'reasons', draft: 41, chosen: [] });
    // The second half of a double tap lands before the follow-up is armed: ignored.
    expect(toggleReason(s, 'thai-do', T0 + 100).state).toBe(s);
    s = toggleReason(s, 'thai-do', T0 + 500).state;
    s = toggleReason(s, 'thoi-gian-cho', T0 + 600).state;
    s = toggleReason(s, 'thai-do', T0 + 700).state; // toggled off again
    s = toggleReason(s, 'not-offered', T0 + 800).state;
    const done = finishReasons(s, T0 + 900);
    expect(done.effects).toEqual([{ type: 'finalize', draft: 41, reasons: ['thoi-gian-cho'] }]);
    expect(done.state.screen.kind).toBe('thanks');
  });

  it('skip sends the vote without reasons; the timeout sends it with what was chosen: it counts either way', () => {
    const s = draftStored(tap(initialState(settings()), 'khong-hai-long', T0).state, 7);
    expect(finishReasons(s, T0 + 1000, true).effects).toEqual([{ type: 'finalize', draft: 7, reasons: [] }]);
    const chosen = toggleReason(s, 'phi-le-phi', T0 + 1000).state;
    const late = tick(chosen, T0 + 20_000);
    expect(late.effects).toEqual([{ type: 'finalize', draft: 7, reasons: ['phi-le-phi'] }]);
    expect(late.state.screen.kind).toBe('thanks');
  });

  it('no reasons configured: an unsatisfied tap goes straight to the thank-you', () => {
    const step = tap(initialState(settings({ reasons: [] })), 'khong-hai-long', T0);
    expect(records(step.effects)[0]?.draft).toBe(false);
    expect(step.state.screen.kind).toBe('thanks');
  });

  it('refuses a level outside the scale (programmer error)', () => {
    expect(() => tap(initialState(settings()), 'binh-thuong', T0)).toThrow(/not in scale/);
    expect(() => tap(initialState(settings({ scale: SCALE_5 })), 'binh-thuong', T0)).not.toThrow();
  });
});

describe('terminal machine: gated mode (PROTOCOL.md §6.4)', () => {
  const gated = settings({ mode: 'gated', reasons: [] });

  it('starts closed: a tap is recorded as gated-filtered with a notice', () => {
    const s0 = initialState(gated);
    expect(gateOpen(s0, T0)).toBe(false);
    const step = tap(s0, 'rat-hai-long', T0);
    expect(records(step.effects)).toEqual([{ level: 'rat-hai-long', pressedAt: T0, filtered: 'gated', draft: false }]);
    expect(step.state.notice?.kind).toBe('gated');
    expect(step.state.screen.kind).toBe('rate');
  });

  it('_served opens one vote with its ticket and officer; the vote closes the window', () => {
    let s = served(initialState(gated), T0, { ticket: 'A-1023', officer: 'can-bo-lan' });
    expect(gateOpen(s, T0 + 29_999)).toBe(true);
    const vote = tap(s, 'hai-long', T0 + 5000);
    expect(records(vote.effects)).toEqual([
      { level: 'hai-long', pressedAt: T0 + 5000, ticket: 'A-1023', officer: 'can-bo-lan', draft: false },
    ]);
    s = tick(vote.state, T0 + 9000).state; // thank-you over
    const again = tap(s, 'hai-long', T0 + 9000);
    expect(records(again.effects)[0]).toMatchObject({ filtered: 'gated' });
    expect(records(again.effects)[0]?.ticket).toBeUndefined();
  });

  it('the window expires by itself; a cooldown-flagged press does not close it', () => {
    let s = served(initialState(settings({ mode: 'gated', reasons: [], windowMs: 10_000 })), T0);
    s = tap(s, 'hai-long', T0 + 1000).state; // counted: closes
    s = served(s, T0 + 1500);
    const c = tap(s, 'hai-long', T0 + 2000); // inside the 3 s cooldown
    expect(records(c.effects)[0]?.filtered).toBe('cooldown');
    expect(gateOpen(c.state, T0 + 2001)).toBe(true);
    expect(gateOpen(tick(c.state, T0 + 11_500).state, T0 + 11_500)).toBe(false);
  });

  it('switching to gated starts closed; _served is ignored in open mode', () => {
    const open = served(initialState(settings()), T0);
    expect(open.gate.until).toBe(0);
    const s = configure(served(initialState(gated), T0), gated);
    expect(gateOpen(s, T0 + 1)).toBe(true); // already gated: window kept
    expect(gateOpen(configure(initialState(settings()), gated), T0)).toBe(false);
  });
});

describe('terminal machine properties', () => {
  it('every tap yields exactly one record; the filter follows the cooldown rule', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.constantFrom('rat-hai-long', 'hai-long', 'khong-hai-long')), {
          maxLength: 60,
        }),
        fc.integer({ min: 0, max: 4000 }),
        (taps, cooldownMs) => {
          let s: TerminalState = initialState(settings({ cooldownMs, reasons: [] }));
          let now = T0;
          let last: number | undefined;
          for (const [gap, level] of taps) {
            now += gap;
            s = tick(s, now).state;
            const step = tap(s, level as 'hai-long', now);
            const recs = records(step.effects);
            expect(recs).toHaveLength(1);
            const cooled = cooldownMs > 0 && last !== undefined && now - last < cooldownMs;
            expect(recs[0]?.filtered).toBe(cooled ? 'cooldown' : undefined);
            if (!cooled) last = now;
            s = step.state;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
