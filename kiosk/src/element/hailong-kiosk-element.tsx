/**
 * `<hailong-kiosk district=… ward=… counter=… terminal=…>`: the kiosk as a
 * custom element with an open shadow root, so the host page's styles and
 * the kiosk's never touch (see kiosk.css for the inherited-property reset).
 * Attributes have the names of the URL parameters (kiosk-options.ts); any
 * change restarts the kiosk with the new identity.
 */
import { render } from 'preact';
import css from '../views/kiosk.css?inline';
import { OPTION_NAMES, PIN_RE, resolveOptions } from '../identity/kiosk-options.ts';
import { loadPinLock, pinLockKey, savePinLock, type PinLock } from '../identity/pin-lock.ts';
import type { StaffSettings } from '../identity/kiosk-options.ts';
import { clearStaffSettings, loadStaffSettings, saveStaffSettings, staffSettingsKey } from '../identity/staff-settings.ts';
import { browserStorage } from '../identity/storage.ts';
import { LazyMqttClient } from '../mqtt/lazy-mqtt-client.ts';
import { openIdbOutbox } from '../outbox/idb-outbox.ts';
import { KioskRuntime } from '../runtime/kiosk-runtime.ts';
import type { KioskDeps } from '../runtime/kiosk-runtime.ts';
import { joinTabs } from '../runtime/leadership.ts';
import { browserVoice } from '../voice/voice-prompt.ts';
import { ConfigProblem, KioskView } from '../views/kiosk-view.tsx';

/** The tag name. */
export const KIOSK_TAG = 'hailong-kiosk';

/** The browser adapters a real kiosk runs on. */
export function browserDeps(): KioskDeps {
  return {
    openOutbox: (o) => openIdbOutbox(o, o.seqBase === undefined ? {} : { seqBase: o.seqBase }),
    createClient: (o) => new LazyMqttClient(o),
    joinTabs,
    voice: browserVoice(),
    now: () => Date.now(),
  };
}

/**
 * Trades a one-time provisioning code for this kiosk's account at the
 * bridge that served the script (`POST /kiosk/provision`); undefined when
 * refused or unreachable.
 */
async function redeemCode(code: string): Promise<StaffSettings | undefined> {
  try {
    const res = await fetch(new URL('/kiosk/provision', import.meta.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
      cache: 'no-store',
    });
    if (!res.ok) return undefined;
    const body = (await res.json()) as Record<string, unknown>;
    if (typeof body.username !== 'string' || typeof body.password !== 'string') return undefined;
    return {
      username: body.username,
      password: body.password,
      ...(typeof body.pin === 'string' && PIN_RE.test(body.pin) ? { pin: body.pin } : {}),
    };
  } catch {
    return undefined;
  }
}

/** While a code is traded, or when it was refused (used, expired or wrong). */
function Provisioning({ lang, state }: { lang: 'vi' | 'en'; state: 'working' | 'refused' }) {
  const vi = lang === 'vi';
  return (
    <div class="kiosk" lang={lang}>
      <main data-screen="provisioning">
        <div class="problem" role={state === 'refused' ? 'alert' : 'status'} data-testid={`provision-${state}`}>
          <h1>
            {state === 'working'
              ? vi
                ? 'Đang cài đặt thiết bị…'
                : 'Setting the device up…'
              : vi
                ? 'Không cài đặt được thiết bị'
                : 'The device could not be set up'}
          </h1>
          {state === 'refused' ? (
            <p>
              {vi
                ? 'Mã cài đặt một lần đã được dùng, đã hết hạn hoặc không đúng. Hãy lấy địa chỉ mới cho thiết bị này từ máy chủ hailong.'
                : 'The one-time set-up code was already used, has expired or is wrong. Get a new address for this device from the hailong server.'}
            </p>
          ) : null}
        </div>
      </main>
    </div>
  );
}

/** The custom element class. */
export class HailongKioskElement extends HTMLElement {
  static readonly observedAttributes: readonly string[] = OPTION_NAMES;
  readonly #mount: HTMLDivElement;
  #runtime: KioskRuntime | undefined;
  // Restarts run one after another: the old kiosk publishes "offline" and
  // releases its lock and connection before the new one starts.
  #chain: Promise<void> = Promise.resolve();
  #pending = false;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = css;
    this.#mount = document.createElement('div');
    this.#mount.style.height = '100%';
    this.#mount.style.minHeight = 'inherit';
    root.append(style, this.#mount);
  }

  /** The running kiosk (for diagnostics and tests), or undefined. */
  get runtime(): KioskRuntime | undefined {
    return this.#runtime;
  }

  /** Removes the used code from the element and from the page address (history), which restarts the kiosk. */
  #dropCode(): void {
    const url = new URL(location.href);
    if (url.searchParams.has('provision')) {
      url.searchParams.delete('provision');
      history.replaceState(history.state, '', url);
    }
    this.removeAttribute('provision');
  }

  connectedCallback(): void {
    this.#restart();
  }

  disconnectedCallback(): void {
    this.#restart();
  }

  attributeChangedCallback(_name: string, old: string | null, value: string | null): void {
    if (old !== value && this.isConnected) this.#restart();
  }

  // Coalesces bursts of attribute changes (a host setting four attributes) into one restart.
  #restart(): void {
    if (this.#pending) return;
    this.#pending = true;
    this.#chain = this.#chain.then(async () => {
      await Promise.resolve();
      this.#pending = false;
      const old = this.#runtime;
      this.#runtime = undefined;
      await old?.stop().catch(() => undefined);
      if (!this.isConnected) {
        render(null, this.#mount);
        return;
      }
      this.#startNow();
    });
  }

  #startNow(): void {
    const storage = browserStorage();
    const [district, ward, terminal] = (['district', 'ward', 'terminal'] as const).map((n) => this.getAttribute(n) ?? '') as [
      string,
      string,
      string,
    ];
    const key = staffSettingsKey(district, ward, terminal);
    const staff = loadStaffSettings(storage, key);
    const code = this.getAttribute('provision');
    if (code !== null) {
      const lang = this.getAttribute('lang') === 'en' ? 'en' : 'vi';
      // A one-time code in the address: trade it for the account once, then drop it from the address.
      if (staff.password === undefined && code !== '') {
        render(<Provisioning lang={lang} state="working" />, this.#mount);
        void redeemCode(code).then((provision) => {
          if (provision === undefined) {
            render(<Provisioning lang={lang} state="refused" />, this.#mount);
            return;
          }
          saveStaffSettings(storage, key, provision);
          this.#dropCode();
        });
        return;
      }
      this.#dropCode();
      return;
    }
    const resolved = resolveOptions((n) => this.getAttribute(n), staff, import.meta.url);
    if (!resolved.ok) {
      const lang = this.getAttribute('lang') === 'en' ? 'en' : 'vi';
      render(<ConfigProblem problems={resolved.problems} lang={lang} />, this.#mount);
      return;
    }
    const runtime = new KioskRuntime(resolved.value, browserDeps());
    this.#runtime = runtime;
    const onSave = (patch: StaffSettings): void => {
      saveStaffSettings(storage, key, patch);
      this.#restart();
    };
    const onReset = (): void => {
      clearStaffSettings(storage, key);
      this.#restart();
    };
    const lockKey = pinLockKey(district, ward, terminal);
    const pinLock = { load: () => loadPinLock(storage, lockKey), save: (lock: PinLock) => savePinLock(storage, lockKey, lock) };
    render(<KioskView runtime={runtime} onSave={onSave} onReset={onReset} pinLock={pinLock} />, this.#mount);
    void runtime.start();
  }
}
