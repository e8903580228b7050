/**
 * The supervisor's settings and broker account: the settings signal and its
 * persistence, which broker URL to use, and the password bound to exactly
 * the broker and username it was entered for (issue 13, item 1). Kept apart
 * from app-state.ts because credentials have their own rules (never in
 * localStorage in clear, never sent to another broker) that are easier to
 * review in one place than mixed with the live figures.
 */
import { signal } from '@preact/signals';
import { defaultBrokerUrl, isBrokerUrl } from '../../../core/index.ts';
import type { LinkOptions } from '../mqtt/link.ts';
import { memoryVault, type PasswordVault } from './password-vault.ts';
import { SETTINGS_KEY, loadSettings, saveSettings } from './settings.ts';
import type { KeyValue, Settings, UrlParams } from './settings.ts';

/** Why the sign-in form is shown. */
export type SignInReason = 'auth' | 'scope' | 'signed-out' | null;

/** Sign-in form input. */
export interface SignInForm {
  readonly url: string;
  readonly username: string;
  /** Empty keeps the saved password, but only for the same broker and username. */
  readonly password: string;
  /** "Ghi nhớ mật khẩu": keep the password across browser restarts (encrypted); else for this session only. */
  readonly remember?: boolean;
  readonly district: string;
  readonly ward: string;
}

/** What the account needs from the app state. */
export interface AccountDeps {
  readonly storage: KeyValue;
  /** @default memoryVault() (kept for the page's life only) */
  readonly vault?: PasswordVault;
  readonly params: UrlParams;
  readonly location: { readonly protocol: string; readonly host: string };
}

/** The settings signal and the broker account. */
export type Account = ReturnType<typeof createAccount>;

/** Creates the account from the saved settings and the URL parameters. */
export function createAccount(deps: AccountDeps) {
  const { params } = deps;
  const vault = deps.vault ?? memoryVault();
  const initial = loadSettings(deps.storage);
  // An older version kept the password in clear in localStorage: rewrite the settings without it.
  if (/"password"/.test(safeRead(deps.storage))) saveSettings(deps.storage, initial);
  /** `?broker=` wins over the saved URL until the supervisor signs in to a broker on the form. */
  let brokerOverride = params.broker;
  /** The password for `settings.credentialsUrl` + `username`, from the vault. */
  let password: string | undefined;
  const settings = signal<Settings>(params.lang ? { ...initial, lang: params.lang } : initial);

  /** Changes the settings and saves them. */
  const updateSettings = (change: (s: Settings) => Settings) => {
    settings.value = change(settings.value);
    saveSettings(deps.storage, settings.value);
  };

  return {
    /** The settings, saved on every change through `updateSettings`. */
    settings,
    updateSettings,

    /**
     * Loads the saved password for the saved broker and username from the
     * vault; null when no account is saved, so `start()` connects at once.
     */
    loadPassword(): Promise<void> | null {
      const s = settings.value;
      if (s.credentialsUrl === undefined || s.username === undefined) return null;
      return vault.load(s.credentialsUrl, s.username).then(
        (saved) => void (password = saved),
        () => void (password = undefined),
      );
    },

    /** The broker URL to connect to, with the credentials only if they were entered for it. */
    linkTarget(): Pick<LinkOptions, 'url' | 'username' | 'password'> {
      const s = settings.value;
      const url = brokerOverride ?? s.brokerUrl ?? defaultBrokerUrl(deps.location);
      // Credentials go only to the exact broker they were entered for: a
      // crafted `?broker=wss://elsewhere` link connects without them, is
      // refused, and the form asks (issue 13, item 1).
      const own = s.username !== undefined && s.credentialsUrl === url;
      return { url, ...(own ? { username: s.username } : {}), ...(own && password !== undefined ? { password } : {}) };
    },

    /**
     * Takes the sign-in form: validates the URL and binds the account to that
     * broker. An empty password keeps the saved one only for the same broker
     * and username: a changed broker asks again. The password goes to the
     * vault (this session, or encrypted with "Ghi nhớ mật khẩu"), never to
     * the settings.
     */
    async submit(form: SignInForm): Promise<'bad-url' | 'ok'> {
      const url = form.url.trim();
      if (!isBrokerUrl(url)) return 'bad-url';
      const username = form.username.trim();
      const before = settings.value;
      const same = before.credentialsUrl === url && before.username === username;
      const typed = form.password === '' ? undefined : form.password;
      password = username === '' ? undefined : (typed ?? (same ? password : undefined));
      updateSettings((s) => {
        const next: { -readonly [K in keyof Settings]: Settings[K] } = { ...s, brokerUrl: url };
        if (username === '') {
          delete next.username;
          delete next.credentialsUrl;
        } else {
          next.username = username;
          next.credentialsUrl = url;
        }
        for (const key of ['district', 'ward'] as const) {
          const value = form[key].trim();
          if (value === '') delete next[key];
          else next[key] = value;
        }
        return next;
      });
      brokerOverride = undefined;
      try {
        if (password === undefined || username === '') await vault.clear();
        else if (typed !== undefined || !same) await vault.save({ brokerUrl: url, username, password }, form.remember === true);
      } catch {
        // No storage (private mode): the password stays in memory for this page.
      }
      return 'ok';
    },

    /** Forgets the account: the password, the vault and the username in the settings. */
    async forget(): Promise<void> {
      password = undefined;
      await vault.clear().catch(() => undefined);
      updateSettings((s) => {
        const { username: _u, credentialsUrl: _c, ...rest } = s;
        return rest;
      });
    },
  };
}

function safeRead(storage: KeyValue): string {
  try {
    return storage.getItem(SETTINGS_KEY) ?? '';
  } catch {
    return '';
  }
}
