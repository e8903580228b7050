import { describe, expect, it } from 'vitest';
import { SCALE_3 } from '../../../core/scale.ts';
import { parseConfigText } from '../../../bridge/config/load-config.ts';
import { terminalsOf, type HailongConfig } from '../../../bridge/config/hailong-config.ts';
import { CounterState } from '../../../bridge/rating/counter-state.ts';
import { reasonId, terminalFilter, voteInputOf } from '../../../bridge/rating/vote-intake.ts';

const r = parseConfigText(
  `district: { id: d, name: D }
ward: { id: w, name: W }
rating: { reasons: [thai-do, thoi-gian-cho] }
counters:
  - { id: quay-1, name: Q1, terminals: [ { id: hop-1, uid: HL-1 } ] }
  - { id: quay-2, name: Q2, mode: gated, terminals: [ { id: hop-2, uid: HL-2 } ] }
`,
  'x.yaml',
);
if (!r.ok) throw new Error(JSON.stringify(r.problems));
const config: HailongConfig = r.config;
const [hop1, hop2] = terminalsOf(config);
const NOW = 1_763_866_800_000;

describe('voteInputOf', () => {
  it('computes the press time from ageMs, the level from the button, and the reason id', () => {
    const input = voteInputOf(
      config,
      SCALE_3,
      new CounterState(),
      hop1!,
      'HL-1',
      { type: 'VOTE', seq: 9, button: 3, reason: 2, ageMs: 1500, flags: '' },
      NOW,
    );
    expect(input).toEqual({
      uid: 'HL-1',
      deviceSeq: 9,
      path: { district: 'd', ward: 'w', counter: 'quay-1', terminal: 'hop-1' },
      level: 'khong-hai-long',
      pressedAt: NOW - 1500,
      receivedAt: NOW,
      source: 'button',
      reasons: ['thoi-gian-cho'],
    });
  });

  it('marks a vote pressed before a reboot as time-uncertain, pressed at receipt', () => {
    const input = voteInputOf(
      config,
      SCALE_3,
      new CounterState(),
      hop1!,
      'HL-1',
      { type: 'VOTE', seq: 9, button: 1, reason: 0, ageMs: null, flags: '' },
      NOW,
    );
    expect(input).toMatchObject({ pressedAt: NOW, timeUncertain: true });
  });

  it('refuses a button beyond the scale (NAK RANGE: the box keeps the vote)', () => {
    expect(
      voteInputOf(
        config,
        SCALE_3,
        new CounterState(),
        hop1!,
        'HL-1',
        { type: 'VOTE', seq: 1, button: 4, reason: 0, ageMs: 0, flags: '' },
        NOW,
      ),
    ).toMatchObject({ code: 'out-of-range' });
  });

  it('keeps terminal flags and applies the counter gate', () => {
    const counters = new CounterState();
    expect(
      voteInputOf(config, SCALE_3, counters, hop1!, 'HL-1', { type: 'VOTE', seq: 1, button: 1, reason: 0, ageMs: 0, flags: 'C' }, NOW),
    ).toMatchObject({ filtered: 'cooldown' });
    counters.served('quay-2', { v: 1, at: NOW, ticket: 'B-7' }, NOW, 30_000);
    expect(
      voteInputOf(config, SCALE_3, counters, hop2!, 'HL-2', { type: 'VOTE', seq: 1, button: 1, reason: 0, ageMs: 0, flags: '' }, NOW + 10),
    ).toMatchObject({ ticket: 'B-7' });
    expect(
      voteInputOf(config, SCALE_3, counters, hop2!, 'HL-2', { type: 'VOTE', seq: 2, button: 1, reason: 0, ageMs: 0, flags: '' }, NOW + 20),
    ).toMatchObject({ filtered: 'gated' });
  });
});

describe('helpers', () => {
  it('reasonId maps 1-based numbers and keeps unknown ones as ly-do-n', () => {
    expect(reasonId(['a', 'b'], 0)).toBeUndefined();
    expect(reasonId(['a', 'b'], 2)).toBe('b');
    expect(reasonId(['a', 'b'], 17)).toBe('ly-do-17');
  });
  it('terminalFilter: cooldown before gated, unknown letters ignored', () => {
    expect(terminalFilter('')).toBeUndefined();
    expect(terminalFilter('GC')).toBe('cooldown');
    expect(terminalFilter('G')).toBe('gated');
    expect(terminalFilter('XY')).toBeUndefined();
  });
});

describe("the bridge's own cooldown (for boxes that do not flag C)", () => {
  it('flags a second unflagged press inside the cooldown, never one of unknown time, and does not spend a gated window on it', async () => {
    const { CooldownGuard } = await import('../../../bridge/rating/cooldown-guard.ts');
    const guard = new CooldownGuard();
    const counters = new CounterState();
    const press = (seq: number, at: number, ageMs: number | null = 0) =>
      voteInputOf(config, SCALE_3, counters, hop2!, 'HL-2', { type: 'VOTE', seq, button: 1, reason: 0, ageMs, flags: '' }, at, guard);
    counters.served('quay-2', { v: 1, at: NOW }, NOW, 30_000);
    const first = press(1, NOW + 100);
    expect(first).not.toHaveProperty('filtered');
    guard.counted('hop-2', NOW + 100);
    // 1 s later, inside the 3 s cooldown: flagged by the bridge.
    expect(press(2, NOW + 1100)).toMatchObject({ filtered: 'cooldown' });
    // Unknown press time (the box rebooted): never flagged by the guard.
    expect(press(3, NOW + 1200, null)).not.toHaveProperty('filtered', 'cooldown');
    // Just inside the margin (cooldown − 250 ms) it counts.
    expect(guard.tooSoon('hop-2', NOW + 100 + 2750, 3000)).toBe(false);
    expect(guard.tooSoon('hop-2', NOW + 100 + 2749, 3000)).toBe(true);
  });
});
