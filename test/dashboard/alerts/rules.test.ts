import { describe, expect, it } from 'vitest';
import { DEFAULT_SCALE } from '../../../core/index.ts';
import type { LevelKey, Status, Vote } from '../../../core/index.ts';
import { DEFAULT_ALERT_RULES, evaluateAlerts, resolveAlertRules } from '../../../dashboard/src/alerts/rules.ts';
import { alertText } from '../../../dashboard/src/alerts/alert-text.ts';
import { MESSAGES } from '../../../dashboard/src/i18n/messages.ts';
import { PlaceNames } from '../../../dashboard/src/store/names.ts';
import { DashboardStore } from '../../../dashboard/src/store/store.ts';
import { DISTRICT, FakeBridge, MORNING, WARD, office } from '../fixtures.ts';

const MIN = 60_000;
const ward = `${DISTRICT}/${WARD.id}`;
const offices = new Map([[ward, office()]]);

function input(votes: Vote[], now: number, statuses: [string, Status][] = [], bridges: [string, Status][] = []) {
  return { votes: [...votes].sort((a, b) => a.pressedAt - b.pressedAt), statuses, bridges, offices, scaleOf: () => DEFAULT_SCALE, now };
}

function cast(levels: LevelKey[], start: number, stepMs: number, extra: { filtered?: 'cooldown' } = {}, bridge = new FakeBridge()): Vote[] {
  return levels.map((level, i) => bridge.vote('quay-1', 'q1-a', level, start + i * stepMs, extra).vote);
}

describe('alert rules', () => {
  it('raises low satisfaction at ≥ 50% unhappy within 15 min with at least 4 votes', () => {
    const votes = cast(['hai-long', 'khong-hai-long', 'khong-hai-long', 'hai-long'], MORNING, MIN);
    const alerts = evaluateAlerts(input(votes, MORNING + 4 * MIN));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'low-satisfaction',
      place: `${ward}/quay-1`,
      since: MORNING + 3 * MIN,
      active: true,
      votes: 4,
      unhappy: 2,
    });
    expect(alerts[0]!.id).toBe(`low-satisfaction:${ward}/quay-1:${MORNING + 3 * MIN}`);
  });

  it('needs the minimum number of votes, and the unhappy share', () => {
    expect(evaluateAlerts(input(cast(['khong-hai-long', 'khong-hai-long', 'khong-hai-long'], MORNING, MIN), MORNING + 3 * MIN))).toEqual(
      [],
    );
    expect(
      evaluateAlerts(input(cast(['hai-long', 'khong-hai-long', 'hai-long', 'hai-long', 'rat-hai-long'], MORNING, MIN), MORNING + 5 * MIN)),
    ).toEqual([]);
  });

  it('ignores unhappy votes spread wider than the window', () => {
    const votes = cast(['khong-hai-long', 'khong-hai-long', 'khong-hai-long', 'khong-hai-long'], MORNING, 6 * MIN);
    expect(evaluateAlerts(input(votes, MORNING + 20 * MIN))).toEqual([]);
  });

  it('ends an episode when the window no longer holds, keeping it as recent (not active)', () => {
    const votes = cast(['khong-hai-long', 'khong-hai-long', 'khong-hai-long', 'khong-hai-long'], MORNING, MIN);
    const later = evaluateAlerts(input(votes, MORNING + 40 * MIN));
    expect(later).toHaveLength(1);
    expect(later[0]!.active).toBe(false);
    expect(evaluateAlerts(input(votes, MORNING + 13 * 3_600_000))).toEqual([]);
  });

  it('raises suspected stuffing on many filtered presses at one terminal', () => {
    const presses = cast(Array<LevelKey>(8).fill('hai-long'), MORNING, 20_000, { filtered: 'cooldown' });
    const alerts = evaluateAlerts(input(presses, MORNING + 3 * MIN));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'stuffing', place: `${ward}/quay-1/q1-a`, filtered: 8, active: true });
    expect(evaluateAlerts(input(presses.slice(0, 7), MORNING + 3 * MIN))).toEqual([]);
  });

  it('raises offline terminals and bridges only during opening hours and after the grace time', () => {
    const off: Status = { v: 1, state: 'offline', at: MORNING };
    const key = `${ward}/quay-1/q1-a`;
    expect(evaluateAlerts(input([], MORNING + MIN, [[key, off]]))).toEqual([]);
    const alerts = evaluateAlerts(input([], MORNING + 5 * MIN, [[key, off]], [[ward, off]]));
    expect(alerts.map((a) => a.kind).sort()).toEqual(['bridge-offline', 'terminal-offline']);
    expect(alerts.find((a) => a.kind === 'terminal-offline')!.id).toBe(`terminal-offline:${key}:${MORNING}`);
    // 12:30 is the lunch break; Sunday is closed.
    expect(evaluateAlerts(input([], MORNING + 150 * MIN, [[key, off]]))).toEqual([]);
    expect(evaluateAlerts(input([], MORNING + 6 * 86_400_000, [[key, off]]))).toEqual([]);
    expect(evaluateAlerts(input([], MORNING + 5 * MIN, [[key, { ...off, state: 'online' }]]))).toEqual([]);
  });

  it('is a pure function: same input, same alerts in the same order', () => {
    const votes = cast(['khong-hai-long', 'khong-hai-long', 'khong-hai-long', 'khong-hai-long'], MORNING, MIN);
    expect(evaluateAlerts(input([...votes].reverse(), MORNING + 5 * MIN))).toEqual(evaluateAlerts(input(votes, MORNING + 5 * MIN)));
  });

  it('validates thresholds from settings, keeping defaults for bad values', () => {
    expect(resolveAlertRules(undefined)).toEqual(DEFAULT_ALERT_RULES);
    expect(resolveAlertRules({ minVotes: 6, windowMs: 'x', unhappyPercent: 500 })).toEqual({ ...DEFAULT_ALERT_RULES, minVotes: 6 });
  });
});

describe('reason runs (issue 12 item 2)', () => {
  it('raises "5 lượt không hài lòng vì thời gian chờ trong 1 giờ" for five unhappy votes naming the same reason within an hour', () => {
    const bridge = new FakeBridge();
    // Spread over 50 min, with happy votes between: no low-satisfaction window, yet one reason keeps coming back.
    const votes: Vote[] = [];
    for (let i = 0; i < 5; i++) {
      votes.push(
        bridge.vote('quay-1', 'q1-a', 'khong-hai-long', MORNING + i * 12 * MIN, {
          reasons: ['thoi-gian-cho', 'thai-do'].slice(0, i === 0 ? 2 : 1),
        }).vote,
      );
      votes.push(
        ...['hai-long', 'rat-hai-long', 'hai-long'].map(
          (l, k) => bridge.vote('quay-1', 'q1-a', l as LevelKey, MORNING + i * 12 * MIN + (k + 1) * MIN).vote,
        ),
      );
    }
    const alerts = evaluateAlerts(input(votes, MORNING + 49 * MIN));
    expect(alerts.map((a) => [a.kind, a.reason, a.unhappy, a.active])).toEqual([['reason-run', 'thoi-gian-cho', 5, true]]);
    const names = new PlaceNames(new DashboardStore());
    expect(alertText(alerts[0]!, MESSAGES.vi, names, DEFAULT_ALERT_RULES, MORNING + 49 * MIN, 'vi')).toBe(
      'phuc-xa · quay-1: 5 lượt không hài lòng vì thời gian chờ trong 1 giờ',
    );
    expect(alertText(alerts[0]!, MESSAGES.en, names, DEFAULT_ALERT_RULES, MORNING + 49 * MIN, 'en')).toBe(
      'phuc-xa · quay-1: 5 dissatisfied ratings for waiting time within 1 h',
    );
  });

  it('needs five within the window, of unhappy votes only', () => {
    const bridge = new FakeBridge();
    const votes = [0, 20, 40, 60, 80].map(
      (m) => bridge.vote('quay-1', 'q1-a', 'khong-hai-long', MORNING + m * MIN, { reasons: ['thoi-gian-cho'] }).vote,
    );
    expect(evaluateAlerts(input(votes, MORNING + 81 * MIN)).filter((a) => a.kind === 'reason-run')).toEqual([]);
    expect(resolveAlertRules({ reasonVotes: 0 }).reasonVotes).toBe(5);
  });
});
