import { describe, expect, it } from 'vitest';
import { SETTINGS_KEY } from '../../dashboard/src/state/settings.ts';
import { publicationFor } from '../../core/index.ts';
import { FakeBridge, office, officePub } from './fixtures.ts';
import { NOW, cells, liveWard, mount, testNow, text, tick } from './harness.tsx';

describe('dashboard app (real Chromium)', () => {
  it('connects anonymously to the same origin /mqtt, subscribed to all of hailong/v1', async () => {
    const h = await mount();
    expect(h.connects[0]!.options).toEqual({ url: 'ws://office.local:8080/mqtt', filter: 'hailong/v1/#' });
    const scoped = await mount('?broker=ws://127.0.0.1:9001&district=ba-dinh&ward=phuc-xa');
    expect(scoped.connects[0]!.options).toEqual({ url: 'ws://127.0.0.1:9001', filter: 'hailong/v1/ba-dinh/phuc-xa/#' });
  });

  it('shows each counter live, in Vietnamese with vi-VN numbers', async () => {
    const h = await mount();
    await liveWard(h);
    expect(text(h.el.querySelector('h1'))).toBe('Bảng theo dõi mức độ hài lòng');
    expect(text(h.el.querySelector('[data-testid=connection]'))).toBe('Trực tiếp');
    expect(text(h.el.querySelector('h2'))).toBe('Phường Phúc Xá');
    const tile = h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"]')!;
    expect(text(tile.querySelector('h3'))).toBe('Quầy 1 – Tư pháp – Hộ tịch');
    expect(text(tile.querySelector('[data-testid=live-percent]'))).toBe('75,0%hài lòng hôm nay');
    expect(text(tile.querySelector('[data-testid=votes-today]'))).toBe('4');
    // Filtered presses are a supervisor's diagnostic, folded away below the tiles.
    expect(text(tile)).not.toContain('lọc');
    expect(text(h.el.querySelector('[data-testid=press-diagnostics] summary'))).toBe('Chẩn đoán: hôm nay · 1 lần bấm bị lọc');
    // Its table is built only when opened (a hub's has a row per unit).
    const diagnostics = h.el.querySelector<HTMLDetailsElement>('[data-testid=press-diagnostics]')!;
    expect(diagnostics.querySelector('table')).toBeNull();
    diagnostics.open = true;
    await tick(50);
    expect(diagnostics.querySelectorAll('tbody tr')).toHaveLength(1);
    expect(text(tile)).toContain('Nguyễn Thị Lan');
    expect(text(tile)).toContain('Mục tiêu 80%');
    expect(tile.querySelector('.dot.online')?.getAttribute('aria-label')).toBe('Thiết bị q1-a: Trực tuyến');
    // Five presses (one filtered): the pulse animation restarted on each, alternating its name.
    expect(tile.querySelector('.pulse')?.className).toBe('pulse a');
    expect(text(h.el.querySelector('[data-testid=office-total]'))).toContain('75,0%');
    // The second counter has no votes yet: said in words, not 0% or a dash.
    expect(text(h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-2"] [data-testid=live-percent]'))).toBe('Chưa có lượt đánh giá');
    expect(text(h.el.querySelector('.recent'))).toContain('Rất hài lòng');
  });

  it('re-renders only the tile of the counter that got a vote', async () => {
    const h = await mount();
    const bridge = await liveWard(h);
    const other = h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-2"] [data-testid=live-percent]')!;
    const before = other.firstChild;
    await h.publish(...bridge.vote('quay-1', 'q1-a', 'khong-hai-long', NOW - 1000).publications);
    expect(text(h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"] [data-testid=votes-today]'))).toBe('5');
    expect(other.firstChild).toBe(before);
  });

  it('switches to English on the toggle and remembers it', async () => {
    const h = await mount();
    await liveWard(h);
    (h.el.querySelector('.tools button') as HTMLButtonElement).click();
    await tick();
    expect(text(h.el.querySelector('h1'))).toBe('Satisfaction dashboard');
    expect(text(h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"] [data-testid=live-percent]'))).toBe('75.0%satisfied today');
    expect(JSON.parse(h.storage.get(SETTINGS_KEY)!).lang).toBe('en');
    expect(document.documentElement.lang).toBe('en');
  });

  it('shows "mất kết nối, số liệu lúc hh:mm" when the broker goes away', async () => {
    const h = await mount();
    await liveWard(h);
    h.connects[0]!.handlers.onState('offline');
    await tick();
    expect(text(h.el.querySelector('[data-testid=offline-banner]'))).toMatch(/^Mất kết nối, số liệu lúc \d\d:\d\d$/);
    expect(text(h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"] [data-testid=votes-today]'))).toBe('4');
  });

  it('asks for an account when the broker refuses, and remembers it', async () => {
    const h = await mount();
    h.connects[0]!.handlers.onState('refused', 'auth');
    await tick();
    const form = h.el.querySelector('[data-testid=sign-in] form') as HTMLFormElement;
    expect(text(h.el.querySelector('[data-testid=sign-in] [role=alert]'))).toBe(
      'Máy chủ từ chối tài khoản này. Kiểm tra tên đăng nhập và mật khẩu.',
    );
    const set = (name: string, value: string) => {
      const input = form.querySelector(`[name=${name}]`) as HTMLInputElement;
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    };
    set('url', 'http://wrong');
    await tick();
    form.requestSubmit();
    await tick();
    expect(text(h.el.querySelector('[data-testid=sign-in]'))).toContain('Địa chỉ phải bắt đầu bằng ws:// hoặc wss://');
    set('url', 'wss://quan.example/mqtt');
    set('username', 'quan-ba-dinh');
    set('password', 'mật-khẩu');
    set('district', 'ba-dinh');
    await tick();
    form.requestSubmit();
    await tick();
    expect(h.connects.at(-1)!.options).toEqual({
      url: 'wss://quan.example/mqtt',
      filter: 'hailong/v1/ba-dinh/#',
      username: 'quan-ba-dinh',
      password: 'mật-khẩu',
    });
    expect(JSON.parse(h.storage.get(SETTINGS_KEY)!)).toMatchObject({
      brokerUrl: 'wss://quan.example/mqtt',
      credentialsUrl: 'wss://quan.example/mqtt',
      username: 'quan-ba-dinh',
      district: 'ba-dinh',
    });
    // The password is never in localStorage (issue 13, item 1).
    expect([...h.storage.values()].join('\n')).not.toContain('mật-khẩu');
    h.connects.at(-1)!.handlers.onState('online');
    await tick();
    expect(h.el.querySelector('[data-testid=sign-in]')).toBeNull();
    // Sign-out forgets the account and the figures.
    const signOut = [...h.el.querySelectorAll('.tools button')].find((b) => b.textContent === 'Đăng xuất') as HTMLButtonElement;
    signOut.click();
    await tick();
    expect(JSON.parse(h.storage.get(SETTINGS_KEY)!).username).toBeUndefined();
    expect(h.el.querySelector('[data-testid=sign-in]')).not.toBeNull();
    expect(h.app.store.tallies.size).toBe(0);
  });

  it('raises an alert for a run of unhappy votes, with a badge, and acknowledges it', async () => {
    const h = await mount();
    h.connects[0]!.handlers.onState('online');
    const bridge = new FakeBridge();
    await h.publish(officePub());
    for (let i = 0; i < 4; i++) await h.publish(...bridge.vote('quay-2', 'q2-a', 'khong-hai-long', NOW - 60_000 + i * 1000).publications);
    h.app.clock.value = testNow();
    await tick();
    expect(text(h.el.querySelector('.tabs .badge'))).toBe('1');
    h.app.navigate({ view: 'alerts' });
    await tick();
    const item = h.el.querySelector('[data-testid=alerts] li')!;
    expect(text(item)).toContain('Phường Phúc Xá · Quầy 2 – Địa chính – Xây dựng: 4/4 lượt không hài lòng trong 15 phút');
    (item.querySelector('button') as HTMLButtonElement).click();
    await tick();
    expect(h.el.querySelector('.tabs .badge')).toBeNull();
    expect(JSON.parse(h.storage.get(SETTINGS_KEY)!).acked).toHaveLength(1);
  });

  it('counts bad messages in the diagnostics, and the figures stay right', async () => {
    const h = await mount();
    await liveWard(h);
    h.connects[0]!.handlers.onMessage(
      'hailong/v1/ba-dinh/phuc-xa/quay-1/q1-a/tally/2025-03',
      new TextEncoder().encode('{"v":1,"seq":"lots"}'),
    );
    h.connects[0]!.handlers.onMessage('garbage', new Uint8Array([0xff]));
    h.app.navigate({ view: 'alerts' });
    await tick();
    expect(text(h.el.querySelector('[data-testid=rejected]'))).toMatch(/^Tin nhắn không hợp lệ đã bỏ qua: 2/);
    h.app.navigate({ view: 'office' });
    await tick();
    expect(text(h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"] [data-testid=votes-today]'))).toBe('4');
  });

  it('ranks wards in the district view and drills down to counters and officers', async () => {
    const h = await mount('', '#/district');
    await liveWard(h);
    await tick(40);
    const ranking = h.el.querySelector('[data-testid=ranking]')!;
    expect(cells(ranking.querySelector('tbody tr')).slice(0, 4)).toEqual(['1', 'Phường Phúc Xá', '4', '75,0%ít lượt']);
    expect(cells(ranking.querySelector('tbody tr')).slice(-3)).toEqual(['80%', 'ít lượt', '']);
    (ranking.querySelector('tbody button') as HTMLButtonElement).click();
    await tick();
    expect(cells(h.el.querySelector('[data-testid=ranking] tbody tr')).slice(0, 4)).toEqual([
      '1',
      'Quầy 1 – Tư pháp – Hộ tịch',
      '4',
      '75,0%ít lượt',
    ]);
    (h.el.querySelector('[data-testid=ranking] tbody button') as HTMLButtonElement).click();
    await tick();
    expect(cells(h.el.querySelector('[data-testid=ranking] tbody tr')).slice(0, 4)).toEqual(['1', 'Nguyễn Thị Lan', '4', '75,0%ít lượt']);
    expect(h.el.querySelector('svg.trend')).not.toBeNull();
    expect(h.el.querySelector('table.heat')).not.toBeNull();
  });

  it('is keyboard-navigable: a skip link, then links and buttons in tab order', async () => {
    const h = await mount();
    await liveWard(h);
    const focusable = [...h.el.querySelectorAll('a[href], button, select, input')];
    expect(focusable[0]?.className).toBe('skip');
    expect(h.el.querySelectorAll('.tabs a[href^="#/"]')).toHaveLength(5);
    expect(h.el.querySelector('.tabs a[aria-current=page]')?.textContent).toBe('Quầy trực tiếp');
    expect(h.el.querySelector('[tabindex]:not([tabindex="-1"]):not([tabindex="0"])')).toBeNull();
  });

  it('remembers targets per ward and judges tiles against them', async () => {
    const h = await mount('', '', { [SETTINGS_KEY]: JSON.stringify({ targets: { districts: {}, wards: { 'ba-dinh/phuc-xa': 90 } } }) });
    await liveWard(h);
    // An office that judges from 1 vote, so that 4 votes are judged.
    await h.publish(publicationFor('office', { district: 'ba-dinh', ward: 'phuc-xa' }, { ...office(2), minVotes: 1 }));
    const tile = h.el.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"]')!;
    expect(tile.className).toContain('below');
    expect(text(tile)).toContain('Mục tiêu 90% · Dưới mục tiêu');
  });
});
