/** Reasons for low ratings shown where supervisors look: the tile, the district ranking and its panel. */
import { describe, expect, it } from 'vitest';
import { FakeBridge, officePub, sessionPub } from '../../fixtures.ts';
import { NOW, cells, mount, text, tick } from '../../harness.tsx';
import type { Harness } from '../../harness.tsx';

async function unhappyMorning(h: Harness) {
  h.connects[0]!.handlers.onState('online');
  const bridge = new FakeBridge();
  await h.publish(officePub(), sessionPub('quay-1', 'cb-1', 'Nguyễn Thị Lan', NOW - 60_000));
  const reasons = [['thoi-gian-cho'], ['thoi-gian-cho', 'thai-do'], ['thu-tuc']];
  for (const [i, r] of reasons.entries())
    await h.publish(
      ...bridge.vote('quay-1', 'q1-a', 'khong-hai-long', NOW - 50_000 + i * 1000, { officer: 'cb-1', reasons: r }).publications,
    );
  await h.publish(...bridge.vote('quay-1', 'q1-a', 'hai-long', NOW - 40_000, { officer: 'cb-1' }).publications);
  await h.publish(...bridge.vote('quay-2', 'q2-a', 'khong-hai-long', NOW - 30_000, { reasons: ['phi-le-phi'] }).publications);
  await tick(60);
}

describe('reasons in the views', () => {
  it("the office tile names today's reasons with their share of the low votes", async () => {
    const h = await mount();
    await unhappyMorning(h);
    expect(text(h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"] [data-testid=tile-reasons]'))).toBe(
      'Lý do: Thời gian chờ 2 (66,7%) · Thái độ phục vụ 1 (33,3%) · Thủ tục phức tạp 1 (33,3%)',
    );
  });

  it('the district view gives each unit its main reason, and the scope every reason', async () => {
    const h = await mount('', '#/district');
    await unhappyMorning(h);
    expect(text(h.el.querySelector('[data-testid=ranking] tbody tr [data-testid=main-reason]'))).toBe('Thời gian chờ 2 (50,0%)');
    const panel = h.el.querySelector('[data-testid=reasons]')!;
    expect([...panel.querySelectorAll('tbody tr')].map((r) => cells(r))).toEqual([
      ['Thời gian chờ', '2', '50,0%'],
      ['Phí, lệ phí', '1', '25,0%'],
      ['Thái độ phục vụ', '1', '25,0%'],
      ['Thủ tục phức tạp', '1', '25,0%'],
    ]);
    expect(text(panel.querySelector('p'))).toBe('Trên 4 lượt không hài lòng; một lượt có thể nêu nhiều lý do.');
    // Drill down to the counters, then to the officers.
    (h.el.querySelector('[data-testid=ranking] tbody button') as HTMLButtonElement).click();
    await tick();
    const counters = [...h.el.querySelectorAll('[data-testid=ranking] tbody tr')].map((r) => [
      r.getAttribute('data-key'),
      text(r.querySelector('[data-testid=main-reason]')),
    ]);
    expect(counters).toEqual(
      expect.arrayContaining([
        ['ba-dinh/phuc-xa/quay-1', 'Thời gian chờ 2 (66,7%)'],
        ['ba-dinh/phuc-xa/quay-2', 'Phí, lệ phí 1 (100,0%)'],
      ]),
    );
    (h.el.querySelector('[data-testid=ranking] tbody tr[data-key="ba-dinh/phuc-xa/quay-1"] button') as HTMLButtonElement).click();
    await tick();
    expect(text(h.el.querySelector('[data-testid=ranking] tbody tr [data-testid=main-reason]'))).toBe('Thời gian chờ 2 (66,7%)');
  });
});
