/** The one precision rule on screen: every live view prints a percentage the same way. */
import { describe, expect, it } from 'vitest';
import { FakeBridge, officePub } from '../../fixtures.ts';
import { NOW, mount, text, tick } from '../../harness.tsx';

async function allSatisfied(hash: string) {
  const h = await mount('', hash);
  h.connects[0]!.handlers.onState('online');
  const bridge = new FakeBridge();
  await h.publish(officePub());
  for (let i = 0; i < 7; i++) await h.publish(...bridge.vote('quay-1', 'q1-a', 'hai-long', NOW - 60_000 + i * 1000).publications);
  await tick();
  return h;
}

describe('one precision rule for live views (PERCENT_DIGITS.live)', () => {
  it('prints 7 of 7 satisfied as 100,0% on the office view and on the TV alike', async () => {
    const office = await allSatisfied('#/office/ba-dinh/phuc-xa');
    expect(text(office.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"] [data-testid=live-percent]'))).toBe(
      '100,0%hài lòng hôm nay',
    );
    expect(text(office.el.querySelector('[data-testid=office-total]'))).toContain('100,0%');
    const tv = await allSatisfied('#/tv');
    expect(text(tv.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"] [data-testid=live-percent]'))).toBe('100,0%hài lòng hôm nay');
  });

  it('prints the district ranking at the same precision', async () => {
    const h = await allSatisfied('#/district');
    await tick(40);
    expect(text(h.el.querySelector('[data-testid=ranking] tbody tr td:nth-child(4) strong'))).toBe('100,0%');
  });
});
