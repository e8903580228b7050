/**
 * Where the dashboard keeps a broker password (issue 13, item 1): never in
 * localStorage in clear, and always bound to the exact broker URL and
 * username it was entered for, so it is only ever sent there.
 *
 * - By default, for this browser session only (sessionStorage: gone when
 *   the browser closes).
 * - When the supervisor ticks "Ghi nhớ mật khẩu", across restarts: AES-GCM
 *   encrypted with a non-extractable WebCrypto key kept in IndexedDB (a
 *   script can use the key on this origin but never read it out, so a copy
 *   of the profile's localStorage is useless), the broker URL and username
 *   bound in as additional data.
 */
import { openDB } from 'idb';

/** One saved login. */
export interface SavedLogin {
  readonly brokerUrl: string;
  readonly username: string;
  readonly password: string;
}

/** The password store seam (the browser's in the app, `memoryVault` in tests). */
export interface PasswordVault {
  /** The password saved for exactly this broker URL and username, or undefined. */
  load(brokerUrl: string, username: string): Promise<string | undefined>;
  /** Keeps one login (replacing any other): for this session, or encrypted across restarts when `remember`. */
  save(login: SavedLogin, remember: boolean): Promise<void>;
  /** Forgets every saved password. */
  clear(): Promise<void>;
}

/** sessionStorage key of a session-only login. */
export const SESSION_LOGIN_KEY = 'hailong.dashboard.session-login.v1';
/** localStorage key of a remembered (encrypted) login. */
export const SAVED_LOGIN_KEY = 'hailong.dashboard.saved-login.v1';

/** A vault in memory (tests; browsers without storage). */
export function memoryVault(): PasswordVault & { readonly saved: () => (SavedLogin & { remember: boolean }) | undefined } {
  let login: (SavedLogin & { remember: boolean }) | undefined;
  return {
    saved: () => login,
    load: async (brokerUrl, username) => (login?.brokerUrl === brokerUrl && login.username === username ? login.password : undefined),
    save: async (l, remember) => {
      login = { ...l, remember };
    },
    clear: async () => {
      login = undefined;
    },
  };
}

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const encoder = new TextEncoder();

function bound(brokerUrl: string, username: string): Uint8Array {
  return encoder.encode(`hailong dashboard login\n${brokerUrl}\n${username}`);
}

function toBase64(bytes: ArrayBuffer | Uint8Array): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** The non-extractable key, created once per browser profile and origin. */
async function vaultKey(create: boolean): Promise<CryptoKey | undefined> {
  const db = await openDB('hailong-dashboard-vault', 1, { upgrade: (d) => void d.createObjectStore('keys') });
  try {
    const existing = (await db.get('keys', 'login')) as CryptoKey | undefined;
    if (existing !== undefined || !create) return existing;
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    await db.put('keys', key, 'login');
    return key;
  } finally {
    db.close();
  }
}

function parse(text: string | null): Record<string, unknown> | undefined {
  try {
    const value: unknown = text === null ? undefined : JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The browser's vault: sessionStorage, or WebCrypto + IndexedDB. Every failure reads as "no password saved". */
export function browserVault(session: StorageLike = sessionStorage, local: StorageLike = localStorage): PasswordVault {
  return {
    async load(brokerUrl, username) {
      const s = parse(session.getItem(SESSION_LOGIN_KEY));
      if (s?.brokerUrl === brokerUrl && s.username === username && typeof s.password === 'string') return s.password;
      const r = parse(local.getItem(SAVED_LOGIN_KEY));
      if (r?.brokerUrl !== brokerUrl || r.username !== username || typeof r.iv !== 'string' || typeof r.data !== 'string') return undefined;
      try {
        const key = await vaultKey(false);
        if (key === undefined) return undefined;
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: fromBase64(r.iv) as BufferSource, additionalData: bound(brokerUrl, username) as BufferSource },
          key,
          fromBase64(r.data) as BufferSource,
        );
        return new TextDecoder().decode(plain);
      } catch {
        return undefined;
      }
    },
    async save(login, remember) {
      await this.clear();
      if (!remember) {
        session.setItem(SESSION_LOGIN_KEY, JSON.stringify(login));
        return;
      }
      const key = await vaultKey(true);
      if (key === undefined) return;
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: bound(login.brokerUrl, login.username) as BufferSource },
        key,
        encoder.encode(login.password),
      );
      local.setItem(
        SAVED_LOGIN_KEY,
        JSON.stringify({ brokerUrl: login.brokerUrl, username: login.username, iv: toBase64(iv), data: toBase64(data) }),
      );
    },
    async clear() {
      session.removeItem(SESSION_LOGIN_KEY);
      local.removeItem(SAVED_LOGIN_KEY);
    },
  };
}
