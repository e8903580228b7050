/**
 * A counter tile on few votes: the count beside the percentage, "ít lượt", and no "below target"
 * alarm; and a button box on a low supply (EVENT LOWV via the terminal status's `supplyMv`).
 */
import { describe, expect, it } from 'vitest';
import { publicationFor } from '../../../../core/index.ts';
import { DISTRICT, FakeBridge, WARD, officePub } from '../../fixtures.ts';
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
    for (let i = 0; i < 40; i++)
      await h.publish(...bridge.vote('quay-2', 'q2-a', i < 38 ? 'hai-long' : 'khong-hai-long', NOW - 50_000 + i * 100).publications);
    await tick(60);
    (h.el.querySelector('[data-testid=ranking] tbody button') as HTMLButtonElement).click();
    await tick();
    const rows = [...h.el.querySelectorAll('[data-testid=ranking] tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-key'))).toEqual(['ba-dinh/phuc-xa/quay-2', 'ba-dinh/phuc-xa/quay-1']);
    expect(text(rows[1]!.querySelector('td:nth-child(4)'))).toBe('100,0%ít lượt');
    expect(text(rows[1]!.querySelector('td:nth-last-child(2)'))).toBe('ít lượt');
    expect(text(rows[0]!.querySelector('td:nth-last-child(2)'))).toBe('Đạt');
  });
});

describe('counter tile: a button box on a low supply', () => {
  const boxStatus = (state: 'online' | 'offline', at: number, supplyMv?: number) =>
    publicationFor(
      'status',
      { district: DISTRICT, ward: WARD.id, counter: 'quay-1', terminal: 'q1-a' },
      {
        v: 1,
        state,
        at,
        kind: 'button',
        uid: 'HL328P-5935333032180C1D14',
        ...(supplyMv === undefined ? {} : { supplyMv }),
      },
    );
  const tile = (h: Awaited<ReturnType<typeof mount>>) => h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"]')!;

  it('warns "Nguồn điện yếu (4,1 V)" in Vietnamese, in English on the toggle, and only while the box is online with it', async () => {
    const h = await mount();
    await liveWard(h);
    expect(tile(h).querySelector('[data-testid=low-supply]')).toBeNull();
    await h.publish(boxStatus('online', NOW - 20_000, 4100));
    await tick();
    const note = tile(h).querySelector('[data-testid=low-supply]');
    expect(text(note)).toBe('Nguồn điện yếu (4,1 V) ở thiết bị q1-a: hãy kiểm tra cổng USB và cáp nối hộp nút bấm.');
    expect(note!.getAttribute('role')).toBe('status');
    (h.el.querySelector('.tools button') as HTMLButtonElement).click();
    await tick();
    expect(text(tile(h).querySelector('[data-testid=low-supply]'))).toBe(
      'Low supply voltage (4.1 V) at terminal q1-a: check the USB port and the button box cable.',
    );
    (h.el.querySelector('.tools button') as HTMLButtonElement).click();
    await tick();
    // a new session without LOWV (the box was moved to a good port): the warning goes
    await h.publish(boxStatus('online', NOW - 10_000));
    await tick();
    expect(tile(h).querySelector('[data-testid=low-supply]')).toBeNull();
    // offline: whatever the last online status said, no supply claim for a box that is gone
    await h.publish(boxStatus('online', NOW - 9000, 3950), boxStatus('offline', NOW - 8000, 3950));
    await tick();
    expect(tile(h).querySelector('[data-testid=low-supply]')).toBeNull();
    expect(text(tile(h))).toContain('mất kết nối');
  });
});

describe('counter tile: a button box without the power-cut fuses', () => {
  type Missing = ('BOD' | 'EESAVE')[];
  const boxStatus = (state: 'online' | 'offline', at: number, missing?: Missing) =>
    publicationFor(
      'status',
      { district: DISTRICT, ward: WARD.id, counter: 'quay-1', terminal: 'q1-a' },
      {
        v: 1,
        state,
        at,
        kind: 'button',
        uid: 'HL328P-5935333032180C1D14',
        ...(missing === undefined ? {} : { fuses: { efuse: 0xfd, hfuse: 0xda, missing } }),
      },
    );
  const tile = (h: Awaited<ReturnType<typeof mount>>) => h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"]')!;
  const note = (h: Awaited<ReturnType<typeof mount>>) => tile(h).querySelector('[data-testid=unprotected-box]');

  it('asks for an ISP re-flash in Vietnamese (4,3 V), in English on the toggle (4.3 V), only while the box is online with it', async () => {
    const h = await mount();
    await liveWard(h);
    expect(note(h)).toBeNull();
    await h.publish(boxStatus('online', NOW - 20_000, ['BOD', 'EESAVE']));
    await tick();
    expect(text(note(h))).toBe('Hộp nút bấm q1-a chưa được bảo vệ khi mất điện (thiếu cầu chì BOD 4,3 V / EESAVE): hãy nạp lại bằng ISP.');
    expect(note(h)!.getAttribute('role')).toBe('status');
    (h.el.querySelector('.tools button') as HTMLButtonElement).click();
    await tick();
    expect(text(note(h))).toBe(
      'Button box q1-a is not protected against power cuts (missing fuse BOD 4.3 V / EESAVE): re-flash it over ISP.',
    );
    (h.el.querySelector('.tools button') as HTMLButtonElement).click();
    await tick();
    // only EESAVE missing: the tile names only that
    await h.publish(boxStatus('online', NOW - 15_000, ['EESAVE']));
    await tick();
    expect(text(note(h))).toBe('Hộp nút bấm q1-a chưa được bảo vệ khi mất điện (thiếu cầu chì EESAVE): hãy nạp lại bằng ISP.');
    // re-flashed over ISP: its new session has no fuses, the warning goes
    await h.publish(boxStatus('online', NOW - 10_000));
    await tick();
    expect(note(h)).toBeNull();
    // offline: no claim about a box that is gone
    await h.publish(boxStatus('online', NOW - 9000, ['BOD']), boxStatus('offline', NOW - 8000, ['BOD']));
    await tick();
    expect(note(h)).toBeNull();
  });
});
