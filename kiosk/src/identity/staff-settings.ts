/**
 * What staff save on the hidden settings page, kept in localStorage per
 * terminal (synchronous, so the kiosk knows its broker before IndexedDB
 * opens). Read defensively: a corrupted entry is ignored, never fatal.
 */
import type { Storage as KeyValue } from './storage.ts';
import type { StaffSettings } from './kiosk-options.ts';

/** The localStorage key of a terminal's staff settings. */
export function staffSettingsKey(district: string, ward: string, terminal: string): string {
  return `hailong-kiosk:settings:${district}/${ward}/${terminal}`;
}

function text(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length <= max ? value : undefined;
}

/** Reads and validates saved settings; unknown or malformed fields are dropped. */
export function loadStaffSettings(store: KeyValue | undefined, key: string): StaffSettings {
  let raw: unknown;
  try {
    const textValue = store?.getItem(key);
    raw = textValue === null || textValue === undefined ? {} : JSON.parse(textValue);
  } catch {
    return {};
  }
  if (typeof raw !== 'object' || raw === null) return {};
  const o = raw as Record<string, unknown>;
  const out: { -readonly [K in keyof StaffSettings]: StaffSettings[K] } = {};
  const broker = text(o.broker, 512);
  if (broker !== undefined && broker !== '') out.broker = broker;
  const username = text(o.username, 256);
  if (username !== undefined) out.username = username;
  const password = text(o.password, 256);
  if (password !== undefined) out.password = password;
  if (o.lang === 'vi' || o.lang === 'en') out.lang = o.lang;
  if (typeof o.voice === 'boolean') out.voice = o.voice;
  if (typeof o.contrast === 'boolean') out.contrast = o.contrast;
  const pin = text(o.pin, 8);
  if (pin !== undefined && /^[0-9]{4,8}$/.test(pin)) out.pin = pin;
  return out;
}

/** Saves settings (merged over what is there); returns false when storage refuses. */
export function saveStaffSettings(store: KeyValue | undefined, key: string, patch: StaffSettings): boolean {
  if (store === undefined) return false;
  try {
    store.setItem(key, JSON.stringify({ ...loadStaffSettings(store, key), ...patch }));
    return true;
  } catch {
    return false;
  }
}

/** Forgets saved settings (back to the attributes / URL parameters). */
export function clearStaffSettings(store: KeyValue | undefined, key: string): void {
  try {
    store?.removeItem(key);
  } catch {
    // storage disabled: nothing saved anyway
  }
}
