/** The A4 print view: national heading on one line, verdict columns, place-and-date line, a period in progress. */
import { describe, expect, it } from 'vitest';
import { formatDate } from '../../../../core/index.ts';
import { FakeBridge, officePub } from '../../fixtures.ts';
import { NOW, cells, liveWard, mount, text, tick } from '../../harness.tsx';

describe('print view', () => {
  it('keeps the national heading on one line and ends with "Ba Đình, ngày … tháng … năm …"', async () => {
    const h = await mount('', '#/print');
    await liveWard(h);
    const heading = h.el.querySelector('[data-testid=national-heading]')!;
    expect(text(heading)).toBe('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    const range = document.createRange();
    range.selectNodeContents(heading);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    expect(lines.size).toBe(1);
    expect(text(h.el.querySelector('[data-testid=place-date]'))).toMatch(/^Ba Đình, ngày \d\d tháng \d\d năm \d{4}$/);
  });

  it('says "tính đến ngày" for this month, and shows target, previous period and verdict columns', async () => {
    const h = await mount('', '#/print');
    await liveWard(h);
    const today = h.app.today.value;
    const page = text(h.el.querySelector('[data-testid=print-page]'))!;
    // This month is in progress whatever the day (today is not over): never "01/12 – 31/12".
    expect(page).toContain(`tính đến ngày ${formatDate(today, 'vi')}`);
    const headings = [...h.el.querySelectorAll('[data-testid=report-table] th')].map((th) => text(th));
    expect(headings).toEqual(expect.arrayContaining(['Kỳ trước (%)', 'Thay đổi (điểm %)', 'Mục tiêu (%)', 'Đánh giá']));
    // Four votes are too few to judge.
    expect(text(h.el.querySelector('[data-testid=report-table] tbody [data-testid=verdict]'))).toBe('Ít lượt');
  });
});

describe('print view: reasons', () => {
  it('lists the reasons given, with their share of the low votes', async () => {
    const h = await mount('', '#/print');
    h.connects[0]!.handlers.onState('online');
    const bridge = new FakeBridge();
    await h.publish(officePub());
    await h.publish(...bridge.vote('quay-1', 'q1-a', 'khong-hai-long', NOW - 50_000, { reasons: ['thoi-gian-cho'] }).publications);
    await h.publish(
      ...bridge.vote('quay-1', 'q1-a', 'khong-hai-long', NOW - 40_000, { reasons: ['thoi-gian-cho', 'huong-dan'] }).publications,
    );
    await h.publish(...bridge.vote('quay-1', 'q1-a', 'khong-hai-long', NOW - 30_000).publications);
    await tick(60);
    const table = h.el.querySelector('[data-testid=report-reasons]')!;
    expect(text(table.querySelector('caption'))).toBe('Lý do chưa hài lòng (trên 3 lượt không hài lòng)');
    expect([...table.querySelectorAll('tbody tr')].map((r) => cells(r))).toEqual([
      ['Thời gian chờ', '2', '66,67%'],
      ['Hướng dẫn chưa rõ', '1', '33,33%'],
    ]);
  });
});
