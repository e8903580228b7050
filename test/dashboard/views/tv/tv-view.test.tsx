/** The wall TV: public, so no diagnostics; a ward picker; labels that say what they show. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { publicationFor } from '../../../../core/index.ts';
import { DISTRICT, FakeBridge, office, officePub } from '../../fixtures.ts';
import { NOW, liveWard, mount, text, tick } from '../../harness.tsx';

// Pages rotate on a 15 s interval: fake only the interval timers, so page turns are instant.
beforeEach(() => void vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }));
afterEach(() => void vi.useRealTimers());

describe('TV view', () => {
  it('shows no filtered presses: they are a supervisor diagnostic', async () => {
    const h = await mount('', '#/tv');
    await liveWard(h);
    const tv = h.el.querySelector('[data-testid=tv]')!;
    expect(text(tv.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"] [data-testid=votes-today]'))).toBe('4');
    expect(text(tv)).not.toMatch(/lọc|giãn cách|ngoài lượt/);
    expect(tv.querySelector('[data-testid=press-diagnostics]')).toBeNull();
  });
});

describe('TV view: which ward, and what each page shows', () => {
  async function twoWards(hash: string) {
    const h = await mount('', hash);
    await liveWard(h);
    // A second ward of the same district, with one vote today.
    const other = new FakeBridge(DISTRICT, 'truc-bach');
    await h.publish(
      publicationFor(
        'office',
        { district: DISTRICT, ward: 'truc-bach' },
        { ...office(1), ward: 'truc-bach', wardName: 'Phường Trúc Bạch' },
      ),
    );
    await h.publish(...other.vote('quay-1', 'q1-a', 'hai-long', NOW - 10_000).publications);
    return h;
  }

  it('asks which ward when #/tv names none and there are several, and opens the one picked', async () => {
    const h = await twoWards('#/tv');
    const picker = h.el.querySelector('[data-testid=tv-picker]')!;
    expect(text(picker.querySelector('h2'))).toBe('Chọn phường/xã hiển thị trên TV');
    const links = [...picker.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['#/tv/ba-dinh/phuc-xa', '#/tv/ba-dinh/truc-bach']);
    (links[1] as HTMLAnchorElement).click();
    await tick();
    expect(text(h.el.querySelector('.tv-head h1'))).toBe('Phường Trúc Bạch');
    expect(h.el.querySelector('[data-counter="ba-dinh/truc-bach/quay-1"]')).not.toBeNull();
  });

  it("heads each page with what it shows: the ward's counters, the district's wards, the ward's own month", async () => {
    const h = await twoWards('#/tv/ba-dinh/truc-bach');
    const seen = new Map<string, { heading: string | undefined; body: string | undefined }>();
    for (let i = 0; i < 3; i++) {
      const tv = h.el.querySelector('[data-testid=tv]')!;
      seen.set(tv.getAttribute('data-page')!, { heading: text(tv.querySelector('.tv-head h1')), body: text(tv.querySelector('.tv-body')) });
      vi.advanceTimersByTime(15_000);
      await tick();
    }
    expect(seen.get('tiles')!.heading).toBe('Phường Trúc Bạch');
    expect(seen.get('wards')!.heading).toBe('Quận Ba Đình · các phường/xã hôm nay');
    expect(seen.get('month')!.heading).toBe('Phường Trúc Bạch');
    // The month page counts Trúc Bạch's one vote, not the district's five.
    expect(seen.get('month')!.body).toContain('1 lượt đánh giá');
    expect(seen.get('month')!.body).toMatch(/^Tháng \d\d\/\d{4}, tính đến ngày \d\d\/\d\d\/\d{4}/);
  });

  it('says "Chưa có lượt đánh giá" in words where there are no votes', async () => {
    const h = await mount('', '#/tv/ba-dinh/phuc-xa');
    h.connects[0]!.handlers.onState('online');
    await h.publish(officePub());
    expect(text(h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"] [data-testid=live-percent]'))).toBe('Chưa có lượt đánh giá');
    for (let i = 0; i < 3 && h.el.querySelector('[data-testid=tv]')!.getAttribute('data-page') !== 'month'; i++) {
      vi.advanceTimersByTime(15_000);
      await tick();
    }
    const month = h.el.querySelector('[data-testid=tv-month]')!;
    expect(text(month.querySelector('strong'))).toBe('Chưa có lượt đánh giá');
    expect(text(h.el.querySelector('.tv-body'))).not.toContain('—');
  });

  it('the office total says it in words too', async () => {
    const h = await mount('', '#/office/ba-dinh/phuc-xa');
    h.connects[0]!.handlers.onState('online');
    await h.publish(officePub());
    expect(text(h.el.querySelector('[data-testid=office-total]'))).toBe('Toàn bộ phận hôm nay: Chưa có lượt đánh giá · Mục tiêu 80%');
  });
});
