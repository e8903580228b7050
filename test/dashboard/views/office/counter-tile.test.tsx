/** A counter tile on few votes: the count beside the percentage, "ít lượt", and no "below target" alarm. */
import { describe, expect, it } from 'vitest';
import { FakeBridge, officePub } from '../../fixtures.ts';
import { NOW, liveWard, mount, text, tick } from '../../harness.tsx';

describe('counter tile on a small sample', () => {
  it('shows the vote count beside the percentage and marks it "ít lượt" under 30 votes', async () => {
    const h = await mount();
    await liveWard(h);
    const tile = h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"]')!;
    expect(text(tile.querySelector('[data-testid=basis]'))).toBe('4 lượt · ít lượt');
    // 3 of 4 satisfied is under the 80% target, but 4 votes are too few to judge.
    expect(tile.className).not.toContain('below');
    expect(text(tile)).not.toContain('Dưới mục tiêu');
    expect(text(h.el.querySelector('[data-testid=office-total]'))).toContain('ít lượt');
  });

  it('judges the figure once the ward minimum is reached', async () => {
    const h = await mount();
    h.connects[0]!.handlers.onState('online');
    const bridge = new FakeBridge();
    await h.publish(officePub());
    for (let i = 0; i < 30; i++) {
      await h.publish(...bridge.vote('quay-1', 'q1-a', i % 2 === 0 ? 'hai-long' : 'khong-hai-long', NOW - 60_000 + i * 100).publications);
    }
    await tick();
    const tile = h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"]')!;
    expect(text(tile.querySelector('[data-testid=basis]'))).toBe('30 lượt');
    expect(tile.className).toContain('below');
  });
});

describe('district ranking on small samples', () => {
  it('ranks by the confidence bound and shows "ít lượt" instead of Đạt', async () => {
    const h = await mount('', '#/district');
    h.connects[0]!.handlers.onState('online');
    const bridge = new FakeBridge();
    await h.publish(officePub());
    // quay-1: 5 of 5; quay-2: 38 of 40.
    for (let i = 0; i < 5; i++) await h.publish(...bridge.vote('quay-1', 'q1-a', 'rat-hai-long', NOW - 60_000 + i * 100).publications);
    for (let i = 0; i < 40; i++) await h.publish(...bridge.vote('quay-2', 'q2-a', i < 38 ? 'hai-long' : 'khong-hai-long', NOW - 50_000 + i * 100).publications);
    await tick(60);
    (h.el.querySelector('[data-testid=ranking] tbody button') as HTMLButtonElement).click();
    await tick();
    const rows = [...h.el.querySelectorAll('[data-testid=ranking] tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-key'))).toEqual(['ba-dinh/phuc-xa/quay-2', 'ba-dinh/phuc-xa/quay-1']);
    expect(text(rows[1]!.querySelector('td:nth-child(4)'))).toBe('100,0%ít lượt');
    expect(text(rows[1]!.lastElementChild)).toBe('ít lượt');
    expect(text(rows[0]!.lastElementChild)).toBe('Đạt');
  });
});
