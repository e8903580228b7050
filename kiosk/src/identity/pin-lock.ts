/**
 * The staff PIN's attempt limit (issue 13, item 2): after
 * `FREE_ATTEMPTS` wrong PINs the page locks for 30 s, doubling with every
 * further wrong PIN up to an hour. Kept in this browser's storage, so a
 * reload does not reset it. Pure rules plus a defensive reader.
 */
import type { Storage as KeyValue } from './storage.ts';

/** Wrong PINs allowed before the first lock. */
export const FREE_ATTEMPTS = 3;
/** First lock (ms); each further wrong PIN doubles it. */
export const BASE_LOCK_MS = 30_000;
/** Longest lock (ms). */
export const MAX_LOCK_MS = 3_600_000;

/** Wrong PINs in a row, and the end of the current lock (epoch ms, 0 = none). */
export interface PinLock {
  readonly failures: number;
  readonly until: number;
}

/** No failures. */
export const NO_LOCK: PinLock = Object.freeze({ failures: 0, until: 0 });

/** The storage key of a terminal's PIN lock. */
export function pinLockKey(district: string, ward: string, terminal: string): string {
  return `hailong-kiosk:pin-lock:${district}/${ward}/${terminal}`;
}

/** The lock after one more wrong PIN at `now`. */
export function afterWrongPin(lock: PinLock, now: number): PinLock {
  const failures = lock.failures + 1;
  if (failures < FREE_ATTEMPTS) return { failures, until: 0 };
  const ms = Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (failures - FREE_ATTEMPTS));
  return { failures, until: now + ms };
}

/** Milliseconds until PINs are accepted again (0 = now). */
export function lockedForMs(lock: PinLock, now: number): number {
  return Math.max(0, lock.until - now);
}

/** Reads the lock; anything malformed reads as the strictest sane value it can, never as "no failures" for a tampered number. */
export function loadPinLock(store: KeyValue | undefined, key: string): PinLock {
  try {
    const raw: unknown = JSON.parse(store?.getItem(key) ?? 'null');
    if (typeof raw !== 'object' || raw === null) return NO_LOCK;
    const { failures, until } = raw as Record<string, unknown>;
    if (typeof failures !== 'number' || typeof until !== 'number' || !Number.isFinite(failures) || !Number.isFinite(until)) return NO_LOCK;
    return { failures: Math.max(0, Math.floor(failures)), until: Math.max(0, until) };
  } catch {
    return NO_LOCK;
  }
}

/** Saves the lock (best effort). */
export function savePinLock(store: KeyValue | undefined, key: string, lock: PinLock): void {
  try {
    if (lock.failures === 0) store?.removeItem(key);
    else store?.setItem(key, JSON.stringify(lock));
  } catch {
    // Storage refused: the lock still holds for this page's life.
  }
}
