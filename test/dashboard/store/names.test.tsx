/** Names, not ids: officers not on duty, places whose names are on their way, and names truly unknown. */
import { describe, expect, it } from 'vitest';
import { publicationFor } from '../../../core/index.ts';
import { NAME_GRACE_MS } from '../../../dashboard/src/state/app-state.ts';
import { FakeBridge, office, officePub, sessionPub } from '../fixtures.ts';
import { NOW, cells, mount, testNow, text, tick } from '../harness.tsx';

describe('names in the drill-down and reports', () => {
  it("names an officer who is not on duty from the office's list", async () => {
    const h = await mount('', '#/district');
    h.connects[0]!.handlers.onState('online');
    const bridge = new FakeBridge();
    await h.publish(officePub(), sessionPub('quay-1', 'cb-1', 'Nguyễn Thị Lan', NOW - 60_000));
    await h.publish(...bridge.vote('quay-1', 'q1-a', 'hai-long', NOW - 50_000, { officer: 'cb-2' }).publications);
    await h.publish(...bridge.vote('quay-1', 'q1-a', 'hai-long', NOW - 40_000, { officer: 'cb-1' }).publications);
    await tick(60);
    (h.el.querySelector('[data-testid=ranking] tbody button') as HTMLButtonElement).click();
    await tick();
    (h.el.querySelector('[data-testid=ranking] tbody button') as HTMLButtonElement).click();
    await tick();
    const officers = [...h.el.querySelectorAll('[data-testid=ranking] tbody tr')].map((r) => cells(r)[1]);
    expect(officers.sort()).toEqual(['Nguyễn Thị Lan', 'Trần Văn Hùng']);
  });

  it('says an unknown officer is unknown, in words', async () => {
    const h = await mount();
    h.connects[0]!.handlers.onState('online');
    await h.publish(officePub());
    h.app.clock.value = testNow() + NAME_GRACE_MS;
    await tick();
    expect(h.app.names.officer('ba-dinh/phuc-xa/cb-9')).toBe('Cán bộ “cb-9” (chưa có tên)');
    expect(h.app.names.counter('ba-dinh/phuc-xa/quay-9')).toBe('Quầy “quay-9” (chưa có tên)');
  });
});

describe('a ward whose name has not arrived yet', () => {
  it('reads "Đang tải tên…", never its id, then its name; and says so in words if it never comes', async () => {
    const h = await mount('', '#/district');
    h.connects[0]!.handlers.onState('online');
    // A tally of Liễu Giai arrives before its office (retained messages come in any order).
    const lieuGiai = new FakeBridge('ba-dinh', 'lieu-giai');
    await h.publish(...lieuGiai.vote('quay-1', 'q1-a', 'hai-long', NOW - 50_000).publications);
    await tick(60);
    const unit = () => text(h.el.querySelector('[data-testid=ranking] tbody tr[data-key="ba-dinh/lieu-giai"] td.unit'));
    expect(unit()).toBe('Đang tải tên…');
    expect(h.el.textContent).not.toContain('lieu-giai');
    await h.publish(
      publicationFor(
        'office',
        { district: 'ba-dinh', ward: 'lieu-giai' },
        { ...office(1), ward: 'lieu-giai', wardName: 'Phường Liễu Giai' },
      ),
    );
    await tick(60);
    expect(unit()).toBe('Phường Liễu Giai');
    // Another ward whose office never comes: after the grace time it is named unknown, in words.
    await h.publish(...new FakeBridge('ba-dinh', 'ngoc-ha').vote('quay-1', 'q1-a', 'hai-long', NOW - 40_000).publications);
    h.app.clock.value = testNow() + NAME_GRACE_MS;
    await tick(60);
    expect(text(h.el.querySelector('[data-testid=ranking] tbody tr[data-key="ba-dinh/ngoc-ha"] td.unit'))).toBe(
      'Đơn vị “ngoc-ha” (chưa có tên)',
    );
  });
});
