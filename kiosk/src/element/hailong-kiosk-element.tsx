/**
 * `<hailong-kiosk district=… ward=… counter=… terminal=…>`: the kiosk as a
 * custom element with an open shadow root, so the host page's styles and
 * the kiosk's never touch (see kiosk.css for the inherited-property reset).
 * Attributes have the names of the URL parameters (kiosk-options.ts); any
 * change restarts the kiosk with the new identity.
 */
import { render } from 'preact';
import css from '../views/kiosk.css?inline';
import { OPTION_NAMES, resolveOptions } from '../identity/kiosk-options.ts';
import type { StaffSettings } from '../identity/kiosk-options.ts';
import { clearStaffSettings, loadStaffSettings, saveStaffSettings, staffSettingsKey } from '../identity/staff-settings.ts';
import { browserStorage } from '../identity/storage.ts';
import { MqttClient } from '../mqtt/mqtt-client.ts';
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
    openOutbox: (o) => openIdbOutbox(o),
    createClient: (o) => new MqttClient(o),
    joinTabs,
    voice: browserVoice(),
    now: () => Date.now(),
  };
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
    const key = staffSettingsKey(this.getAttribute('district') ?? '', this.getAttribute('ward') ?? '', this.getAttribute('terminal') ?? '');
    const staff = loadStaffSettings(storage, key);
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
    render(<KioskView runtime={runtime} onSave={onSave} onReset={onReset} />, this.#mount);
    void runtime.start();
  }
}
