/** The parent dashboard across the 2025 mergers (issue 11): a unit's row holds the units it absorbed; they can be shown apart. */
import { describe, expect, it } from 'vitest';
import { publicationFor } from '../../../../core/index.ts';
import { FakeBridge, office } from '../../fixtures.ts';
import { NOW, cells, mount, text, tick } from '../../harness.tsx';

describe('district view with mergedFrom offices', () => {
  it('folds the former wards into the ward that absorbed them, and shows them apart on request', async () => {
    const h = await mount('', '#/district');
    h.connects[0]!.handlers.onState('online');
    const pub = (ward: string, wardName: string, extra: object = {}) =>
      h.publish(publicationFor('office', { district: 'ba-dinh', ward }, { ...office(1), ward, wardName, ...extra }));
    await pub('phuc-xa', 'Phường Phúc Xá');
    await pub('truc-bach', 'Phường Trúc Bạch');
    await pub('ba-dinh-moi', 'Phường Ba Đình', {
      mergedFrom: [
        { id: 'phuc-xa', until: '2025-06-30' },
        { id: 'truc-bach', until: '2025-06-30' },
      ],
    });
    // Tallies still under the old ids (their history) and the new ward's own.
    const votes = [
      ['phuc-xa', 'hai-long'],
      ['phuc-xa', 'khong-hai-long'],
      ['truc-bach', 'hai-long'],
      ['ba-dinh-moi', 'hai-long'],
    ] as const;
    const bridges = new Map<string, FakeBridge>();
    for (const [ward, level] of votes) {
      const b = bridges.get(ward) ?? new FakeBridge('ba-dinh', ward);
      bridges.set(ward, b);
      await h.publish(...b.vote('quay-1', 'q1-a', level, NOW - 60_000).publications);
    }
    await tick(60);
    const rows = () =>
      [...h.el.querySelectorAll('[data-testid=ranking] tbody tr')].map((r) => [r.getAttribute('data-key'), cells(r)[1], cells(r)[2]]);
    expect(rows()).toEqual([['ba-dinh/ba-dinh-moi', 'Phường Ba Đình (gồm Phường Phúc Xá, Phường Trúc Bạch)', '4']]);
    const apart = h.el.querySelector('[data-testid=merged-apart]') as HTMLInputElement;
    expect(text(apart.parentElement)).toBe('Tách riêng đơn vị cũ đã sáp nhập');
    apart.click();
    await tick();
    expect(rows().sort()).toEqual([
      ['ba-dinh/ba-dinh-moi', 'Phường Ba Đình', '1'],
      ['ba-dinh/phuc-xa', 'Phường Phúc Xá', '2'],
      ['ba-dinh/truc-bach', 'Phường Trúc Bạch', '1'],
    ]);
  });

  it('offers no merger switch where no unit declares a merger', async () => {
    const h = await mount('', '#/district');
    h.connects[0]!.handlers.onState('online');
    await h.publish(publicationFor('office', { district: 'ba-dinh', ward: 'phuc-xa' }, office(1)));
    await tick(60);
    expect(h.el.querySelector('[data-testid=merged-apart]')).toBeNull();
  });
});
