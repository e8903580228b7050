import { afterEach, describe, expect, it, vi } from 'vitest';
import { PublishedMarks } from '../../../bridge/journal/published-marks.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** Marks over a flush that records what it would commit, as the journal's empty batch does. */
function rig(open = true) {
  vi.useFakeTimers();
  const commits: number[][] = [];
  const state = { open };
  const marks: PublishedMarks = new PublishedMarks(
    50,
    () => state.open,
    () => commits.push(marks.take()),
  );
  return { marks, commits, state };
}

describe('PublishedMarks', () => {
  it('writes deferred marks within flushMs when no batch takes them', () => {
    const { marks, commits } = rig();
    marks.defer([3, 4]);
    marks.defer([5]);
    vi.advanceTimersByTime(49);
    expect(commits).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(commits).toEqual([[3, 4, 5]]);
  });

  it('a batch that takes them first leaves the timer nothing to do', () => {
    const { marks, commits } = rig();
    marks.defer([7]);
    expect(marks.take()).toEqual([7]);
    vi.advanceTimersByTime(1000);
    expect(commits).toEqual([]);
  });

  it('marks of a failed commit wait for the next one, with the timer armed again', () => {
    const { marks, commits } = rig();
    marks.defer([1, 2]);
    const taken = marks.take();
    marks.putBack(taken);
    vi.advanceTimersByTime(50);
    expect(commits).toEqual([[1, 2]]);
  });

  it('arms no timer while the journal is closed, and disarm() stops one', () => {
    const { marks, commits, state } = rig(false);
    marks.defer([9]);
    vi.advanceTimersByTime(1000);
    expect(commits).toEqual([]);
    state.open = true;
    marks.defer([10]);
    marks.disarm();
    vi.advanceTimersByTime(1000);
    expect(commits).toEqual([]);
    expect(marks.take()).toEqual([9, 10]);
  });
});
