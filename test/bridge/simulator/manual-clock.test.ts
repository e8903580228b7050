import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../bridge/simulator/manual-clock.ts';

describe('ManualClock', () => {
  it('fires timers in due order (ties in scheduling order) and only inside the advanced span', async () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimer(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimer(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimer(() => fired.push(`c@${clock.now()}`), 20);
    const cancelled = clock.setTimer(() => fired.push('never'), 5);
    cancelled.cancel();
    await clock.advance(15);
    expect(fired).toEqual(['a@110']);
    expect(clock.now()).toBe(115);
    await clock.advance(5);
    expect(fired).toEqual(['a@110', 'b@120', 'c@120']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs timers scheduled by timers or by I/O within the same advance', async () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimer(() => {
      fired.push(clock.now());
      queueMicrotask(() => clock.setTimer(() => fired.push(clock.now()), 10));
    }, 10);
    await clock.advance(30);
    expect(fired).toEqual([10, 20]);
    expect(await clock.step()).toBe(false);
    await expect(clock.advance(-1)).rejects.toThrow(/"ms"/);
  });
});
