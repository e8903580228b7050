/** The part of the Web Storage API the kiosk uses (a seam for tests and for browsers that disable storage). */
export interface Storage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** `localStorage`, or undefined where the browser refuses it (privacy modes, sandboxed iframes). */
export function browserStorage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}
