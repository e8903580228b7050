import { describe, expect, it } from 'vitest';
import { loadStaffSettings, saveStaffSettings } from '../../../kiosk/src/identity/staff-settings.ts';

describe('staff settings (saved in localStorage)', () => {
  it('saved settings survive malformed storage and never throw', () => {
    const store = new Map<string, string>();
    const s = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    };
    store.set('k', '{not json');
    expect(loadStaffSettings(s, 'k')).toEqual({});
    store.set('k', JSON.stringify({ broker: 'ws://x/mqtt', pin: 'abcd', lang: 'de', voice: 'yes', __proto__: { evil: 1 } }));
    expect(loadStaffSettings(s, 'k')).toEqual({ broker: 'ws://x/mqtt' });
    expect(saveStaffSettings(s, 'k', { pin: '9876', lang: 'en' })).toBe(true);
    expect(loadStaffSettings(s, 'k')).toEqual({ broker: 'ws://x/mqtt', pin: '9876', lang: 'en' });
    expect(saveStaffSettings(undefined, 'k', {})).toBe(false);
  });
});
