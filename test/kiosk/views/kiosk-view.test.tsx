import { BASE_LOCK_MS, NO_LOCK, loadPinLock, pinLockKey, savePinLock, type PinLock } from '../../../kiosk/src/identity/pin-lock.ts';
import type { PinLockStore } from '../../../kiosk/src/views/settings-page.tsx';
import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { LinkState, Publication, Vote } from '../../../core/index.ts';
import { resolveOptions } from '../../../kiosk/src/identity/kiosk-options.ts';
import type { KioskOptions } from '../../../kiosk/src/identity/kiosk-options.ts';
import type { NewVote } from '../../../kiosk/src/outbox/outbox.ts';
import { KioskRuntime } from '../../../kiosk/src/runtime/kiosk-runtime.ts';
import type { KioskDeps, LinkClient } from '../../../kiosk/src/runtime/kiosk-runtime.ts';
import { browserVoice } from '../../../kiosk/src/voice/voice-prompt.ts';
import { messages } from '../../../kiosk/src/i18n/messages.ts';
import { ConfigProblem, KioskView } from '../../../kiosk/src/views/kiosk-view.tsx';
import { MemoryOutbox } from '../fakes/memory-outbox.ts';

let host: HTMLElement | undefined;
let runtime: KioskRuntime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
  client = offlineClient;
  if (host) render(null, host);
  host?.remove();
});

function options(extra: Record<string, string> = {}): KioskOptions {
  const attrs: Record<string, string> = { district: 'd', ward: 'w', counter: 'c', terminal: 't', ...extra };
  const r = resolveOptions((n) => attrs[n] ?? null, {}, 'http://bridge.local:8080/kiosk/hailong-kiosk.js');
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

const offlineClient: LinkClient = {
  state: 'offline',
  start() {},
  async stop() {},
  reconnectNow() {},
  connectionLost() {},
  publish: () => Promise.reject(new Error('offline')),
  on: () => () => undefined,
};

/** A client at the seam whose state the test sets, recording what is published. */
function scriptedClient() {
  const listeners = new Set<(state: LinkState, detail: string) => void>();
  const published: Publication[] = [];
  const fake = {
    state: 'offline' as LinkState,
    published,
    /** Called at each publish (the test's probe). */
    onPublish: (_p: Publication): void => undefined,
    start() {},
    async stop() {},
    reconnectNow() {},
    connectionLost() {},
    async publish(p: Publication) {
      fake.onPublish(p);
      published.push(p);
    },
    on(event: string, listener: (state: LinkState, detail: string) => void) {
      if (event !== 'state') return () => undefined;
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(state: LinkState) {
      fake.state = state;
      for (const l of listeners) l(state, 'test');
    },
  };
  return fake;
}

let client: LinkClient = offlineClient;

function deps(outbox: MemoryOutbox, spoken: string[] = []): KioskDeps {
  return {
    openOutbox: async () => outbox,
    createClient: () => client,
    joinTabs: (_name, onLead) => {
      onLead();
      return { post() {}, close() {} };
    },
    voice: { available: true, speak: (text) => void spoken.push(text), cancel() {} },
    now: () => Date.now(),
  };
}

async function mount(
  outbox: MemoryOutbox,
  opts = options(),
  spoken: string[] = [],
  pinLock: PinLockStore = memoryPinLock(),
): Promise<HTMLElement> {
  host = document.createElement('div');
  document.body.append(host);
  runtime = new KioskRuntime(opts, deps(outbox, spoken));
  render(<KioskView runtime={runtime} onSave={() => undefined} onReset={() => undefined} pinLock={pinLock} />, host);
  await runtime.start();
  await until(() => host!.querySelector('[data-screen=rate]') !== null);
  return host;
}

/** A PIN lock kept in memory. */
function memoryPinLock(): PinLockStore {
  let lock: PinLock = NO_LOCK;
  return { load: () => lock, save: (l) => void (lock = l) };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function button(el: HTMLElement, name: string): HTMLButtonElement {
  const b = [...el.querySelectorAll('button')].find((x) => x.getAttribute('aria-label') === name || x.textContent === name);
  if (!b) throw new Error(`no button ${name}`);
  return b;
}

/** An outbox whose commit the test releases, to see what the screen shows meanwhile. */
class GatedOutbox extends MemoryOutbox {
  release: () => void = () => undefined;
  override async record(input: NewVote, now: number): Promise<Vote> {
    await new Promise<void>((r) => (this.release = r));
    return super.record(input, now);
  }
}

describe('kiosk view and runtime (real Chromium, fake outbox and MQTT at the seams)', () => {
  it('shows the official scale as buttons named by their Vietnamese labels, in a labelled list', async () => {
    const el = await mount(new MemoryOutbox());
    expect(el.querySelector('h1')?.textContent).toBe('Ông/Bà có hài lòng với sự phục vụ hôm nay không?');
    const list = el.querySelector('[role=list]');
    expect(list?.getAttribute('aria-label')).toBe('Mức độ hài lòng');
    expect([...list!.querySelectorAll('button')].map((b) => b.getAttribute('aria-label'))).toEqual([
      'Rất hài lòng',
      'Hài lòng',
      'Không hài lòng',
    ]);
    expect(el.querySelector('.kiosk')?.getAttribute('lang')).toBe('vi');
  });

  it('thanks the citizen only once the vote is committed to the outbox', async () => {
    const outbox = new GatedOutbox();
    const el = await mount(outbox);
    button(el, 'Hài lòng').click();
    await new Promise((r) => setTimeout(r, 50));
    expect(el.querySelector('[data-screen=thanks]')).toBeNull(); // still committing
    outbox.release();
    await until(() => el.querySelector('[data-screen=thanks]') !== null);
    expect(outbox.state(1)).toBe('ready');
    expect(el.querySelector('[role=status]')?.textContent).toBe('Cảm ơn Ông/Bà đã đánh giá!');
  });

  it('sends the vote only after the frame that shows the thank-you: MQTT.js never delays it', async () => {
    const fake = scriptedClient();
    client = fake as LinkClient;
    const el = await mount(new MemoryOutbox());
    fake.set('online');
    await until(() => fake.published.some((p) => p.topic.endsWith('/status')));
    let framed = false;
    let framedAtPublish: boolean | undefined;
    fake.onPublish = (p) => {
      if (p.topic.endsWith('/vote')) framedAtPublish ??= framed;
    };
    const seen = new MutationObserver(() => {
      if (el.querySelector('[data-screen=thanks]') === null) return;
      seen.disconnect();
      requestAnimationFrame(() => (framed = true));
    });
    seen.observe(el, { subtree: true, childList: true, attributes: true });
    button(el, 'Hài lòng').click();
    await until(() => framedAtPublish !== undefined);
    expect(framedAtPublish).toBe(true);
  });

  it('shows a broker that refuses the account on the dot, in Vietnamese', async () => {
    const fake = scriptedClient();
    client = fake as LinkClient;
    const el = await mount(new MemoryOutbox());
    fake.set('refused');
    await until(() => el.querySelector('[data-testid=status-dot]')?.getAttribute('data-link') === 'refused');
    expect(el.querySelector('[data-testid=status-dot]')?.getAttribute('aria-label')).toBe('Máy chủ từ chối tài khoản');
  });

  it('a vote that cannot be stored is never thanked: the citizen sees a fault and staff a counter', async () => {
    const outbox = new MemoryOutbox();
    const el = await mount(outbox);
    outbox.failRecord = new Error('QuotaExceededError');
    button(el, 'Rất hài lòng').click();
    await until(() => el.querySelector('[role=alert]') !== null);
    expect(el.querySelector('[role=alert]')?.textContent).toBe('Không lưu được đánh giá. Vui lòng báo cán bộ.');
    expect(el.querySelector('[data-screen=thanks]')).toBeNull();
    expect(runtime!.snapshot.problems['store-failed']).toBe(1);
  });

  it('taps are stored in order, one seq each; a double tap yields a cooldown-filtered record', async () => {
    const outbox = new MemoryOutbox();
    const el = await mount(outbox);
    const b = button(el, 'Rất hài lòng');
    b.click();
    b.click();
    await until(() => outbox.hwm === 2);
    expect([...outbox.rows.values()].map((r) => [r.seq, r.vote.filtered ?? 'counted'])).toEqual([
      [1, 'counted'],
      [2, 'cooldown'],
    ]);
  });

  it('speaks the question in Vietnamese when the citizen turns the voice on, and the follow-up after a low rating', async () => {
    const spoken: string[] = [];
    const el = await mount(new MemoryOutbox(), options(), spoken);
    const voice = button(el, 'Đọc câu hỏi');
    voice.click();
    await until(() => voice.getAttribute('aria-pressed') === 'true');
    expect(spoken[0]).toBe('Ông/Bà có hài lòng với sự phục vụ hôm nay không? Rất hài lòng, Hài lòng, Không hài lòng');
    button(el, 'Không hài lòng').click();
    await until(() => el.querySelector('[data-screen=reasons]') !== null);
    expect(spoken.at(-1)).toContain('Chưa hài lòng về điều gì? Thái độ phục vụ, Thời gian chờ');
  });

  it('the real speechSynthesis adapter never throws, with or without voices', () => {
    const voice = browserVoice();
    expect(() => voice.speak('Xin chào', 'vi')).not.toThrow();
    expect(() => voice.cancel()).not.toThrow();
  });

  it('English on request (lang=en)', async () => {
    const el = await mount(new MemoryOutbox(), options({ lang: 'en' }));
    expect(el.querySelector('h1')?.textContent).toBe('Were you satisfied with our service today?');
    expect(button(el, 'Very satisfied')).toBeTruthy();
  });

  it('refuses to take votes until configured, naming every problem', () => {
    host = document.createElement('div');
    document.body.append(host);
    const r = resolveOptions((n) => ({ ward: 'Phường 1', terminal: 't' })[n as 'ward'] ?? null, {}, 'http://x/kiosk/');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    render(<ConfigProblem problems={r.problems} lang="vi" />, host);
    expect(host.querySelector('[role=alert] h1')?.textContent).toBe('Thiết bị chưa được cấu hình.');
    // In Vietnamese, naming each parameter (issue 12 item 9: it said "district is missing").
    expect([...host.querySelectorAll('[role=alert] li')].map((c) => c.textContent)).toEqual([
      'Thiếu mã đơn vị cấp trên (quận/huyện hoặc tỉnh/thành phố) (tham số “district”)',
      'Mã phường/xã “Phường 1” không hợp lệ: chỉ dùng chữ thường không dấu, số và dấu gạch ngang, tối đa 32 ký tự (tham số “ward”)',
      'Thiếu mã quầy (tham số “counter”)',
    ]);
    expect(host.textContent).not.toMatch(/missing|is not an id/);
    expect(host.querySelectorAll('button')).toHaveLength(0);
  });

  it('labels the settings page in the page language', () => {
    expect([messages('vi').settings.place, messages('vi').settings.counterTerminal]).toEqual([
      'Đơn vị cấp trên / phường, xã',
      'Quầy / thiết bị',
    ]);
    expect([messages('en').settings.place, messages('en').settings.counterTerminal]).toEqual(['Parent unit / ward', 'Counter / terminal']);
  });
});

describe('staff settings page security (issue 13, item 2; real Chromium)', () => {
  const KEY = pinLockKey('d', 'w', 't');
  /** The PIN lock in this browser's real localStorage, as the app keeps it. */
  const stored: PinLockStore = { load: () => loadPinLock(localStorage, KEY), save: (l) => savePinLock(localStorage, KEY, l) };
  const withStaff = (staff: { pin?: string; password?: string; username?: string }): KioskOptions => {
    const r = resolveOptions(
      (n) => (({ district: 'd', ward: 'w', counter: 'c', terminal: 't' }) as Record<string, string>)[n] ?? null,
      staff,
      'http://bridge.local:8080/kiosk/x.js',
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.value;
  };
  const openSettings = async (el: HTMLElement) => {
    const dot = el.querySelector('[data-testid=status-dot]') as HTMLElement;
    for (let i = 0; i < 5; i++) dot.click();
    await until(() => el.querySelector('section.settings') !== null);
  };
  const enterPin = async (el: HTMLElement, pin: string) => {
    const input = el.querySelector('section.settings input[name=pin]') as HTMLInputElement;
    input.value = pin;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => setTimeout(r, 20));
    (el.querySelector('section.settings form') as HTMLFormElement).requestSubmit();
    await new Promise((r) => setTimeout(r, 30));
  };
  afterEach(() => localStorage.removeItem(KEY));

  it('without a PIN set at provisioning there is no default PIN: the page stays locked', async () => {
    const el = await mount(new MemoryOutbox(), withStaff({}), [], stored);
    await openSettings(el);
    expect(el.querySelector('[data-testid=no-pin]')?.textContent).toContain('chưa được đặt mã PIN');
    expect(el.querySelector('section.settings input[name=pin]')).toBeNull();
  });

  it('wrong PINs lock the page with a growing delay that survives a reload, in Vietnamese', async () => {
    let el = await mount(new MemoryOutbox(), withStaff({ pin: '135790' }), [], stored);
    await openSettings(el);
    for (const guess of ['0000', '1111']) {
      await enterPin(el, guess);
      expect(el.querySelector('[role=alert]')?.textContent).toBe('Sai mã PIN');
    }
    await enterPin(el, '2222'); // the third wrong PIN locks for 30 s
    expect(el.querySelector('[data-testid=pin-locked]')?.textContent).toMatch(
      /^Nhập sai mã PIN quá nhiều lần\. Vui lòng thử lại sau (30|29) giây\.$/,
    );
    expect((el.querySelector('section.settings input[name=pin]') as HTMLInputElement).disabled).toBe(true);
    const first = stored.load();
    expect(first.failures).toBe(3);
    expect(first.until - Date.now()).toBeGreaterThan(BASE_LOCK_MS - 2000);

    // A reload: a new page with the same browser storage is still locked, even for the right PIN.
    await runtime?.stop();
    render(null, host!);
    host!.remove();
    el = await mount(new MemoryOutbox(), withStaff({ pin: '135790' }), [], stored);
    await openSettings(el);
    expect(el.querySelector('[data-testid=pin-locked]')).not.toBeNull();
    await enterPin(el, '135790');
    expect(el.querySelector('section.settings form[data-testid=staff-form], section.settings h3')).toBeNull();

    // Once the lock ran out, each further wrong PIN doubles it.
    stored.save({ ...stored.load(), until: Date.now() - 1 });
    await runtime?.stop();
    render(null, host!);
    host!.remove();
    el = await mount(new MemoryOutbox(), withStaff({ pin: '135790' }), [], stored);
    await openSettings(el);
    await enterPin(el, '3333');
    expect(stored.load().until - Date.now()).toBeGreaterThan(2 * BASE_LOCK_MS - 2000);
    expect(el.querySelector('[data-testid=pin-locked]')?.textContent).toMatch(/(60|59) giây/);
  });

  it('the right PIN opens the page; the saved password is never shown, and a new broker needs its password again', async () => {
    const saves: unknown[] = [];
    host = document.createElement('div');
    document.body.append(host);
    runtime = new KioskRuntime(withStaff({ pin: '135790', username: 't', password: 'bí-mật-kiosk' }), deps(new MemoryOutbox(), []));
    render(<KioskView runtime={runtime} onSave={(p) => void saves.push(p)} onReset={() => undefined} pinLock={stored} />, host);
    await runtime.start();
    await until(() => host!.querySelector('[data-screen=rate]') !== null);
    await openSettings(host);
    await enterPin(host, '135790');
    const password = host.querySelector('section.settings input[name=password]') as HTMLInputElement;
    expect(password.value).toBe('');
    expect(host.innerHTML).not.toContain('bí-mật-kiosk');
    expect(stored.load().failures).toBe(0);
    const broker = host.querySelector('section.settings input[name=broker]') as HTMLInputElement;
    broker.value = 'wss://may-chu-khac.example/mqtt';
    broker.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => setTimeout(r, 20));
    (host.querySelector('section.settings form') as HTMLFormElement).requestSubmit();
    await new Promise((r) => setTimeout(r, 30));
    expect(saves).toEqual([]);
    expect(host.querySelector('section.settings [role=status]')?.textContent).toBe(
      'Đổi máy chủ thì phải nhập lại mật khẩu cho máy chủ mới.',
    );
  });
});
