import { describe, expect, it } from 'vitest';
import { AppendQueue } from '../../../bridge/journal/append-queue.ts';
import type { VoteInput } from '../../../bridge/journal/vote-input.ts';

const input = (n: number) => ({ deviceSeq: n }) as unknown as VoteInput;

describe('AppendQueue', () => {
  it('joins the appends of one event-loop turn into one commit, and settles each only then', async () => {
    const commits: number[][] = [];
    const queue: AppendQueue = new AppendQueue(() => {
      const taken = queue.take();
      commits.push(taken.map((p) => (p.input as unknown as { deviceSeq: number }).deviceSeq));
      for (const p of taken) p.resolve({ status: 'failed', code: 'closed', message: 'test' });
    });
    const settled: number[] = [];
    const first = [1, 2, 3].map((n) => queue.append(input(n)).then(() => settled.push(n)));
    expect(commits).toEqual([]); // not in this turn
    await Promise.all(first);
    expect(commits).toEqual([[1, 2, 3]]);
    expect(settled).toEqual([1, 2, 3]);
    await queue.append(input(4));
    expect(commits).toEqual([[1, 2, 3], [4]]); // the next turn schedules its own commit
  });

  it('a commit that took the queue early leaves the scheduled one nothing', async () => {
    let commits = 0;
    const queue: AppendQueue = new AppendQueue(() => {
      commits++;
      for (const p of queue.take()) p.resolve({ status: 'failed', code: 'closed', message: 'test' });
    });
    const pending = queue.append(input(1));
    for (const p of queue.take()) p.resolve({ status: 'failed', code: 'closed', message: 'early' });
    await expect(pending).resolves.toMatchObject({ message: 'early' });
    await new Promise((r) => setImmediate(r));
    expect(commits).toBe(1);
    expect(queue.take()).toEqual([]);
  });
});
