import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_RULES } from '../../../dashboard/src/alerts/rules.ts';
import { SETTINGS_KEY, loadSettings, readUrlParams, resolveSettings, saveSettings } from '../../../dashboard/src/state/settings.ts';

function memory(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
    data,
  };
}

describe('settings', () => {
  it('defaults to Vietnamese, no account, 80% targets from offices, default alert rules', () => {
    expect(loadSettings(memory())).toEqual({
      lang: 'vi',
      targets: { districts: {}, wards: {} },
      rules: DEFAULT_ALERT_RULES,
      acked: [],
      sort: 'name',
    });
  });

  it('round-trips through storage', () => {
    const store = memory();
    const s = {
      ...resolveSettings({}),
      lang: 'en' as const,
      brokerUrl: 'ws://x/mqtt',
      credentialsUrl: 'ws://x/mqtt',
      username: 'quan',
      district: 'ba-dinh',
      targets: { districts: { 'ba-dinh': 85 }, wards: { 'ba-dinh/phuc-xa': 90 } },
    };
    saveSettings(store, s);
    expect(loadSettings(store)).toEqual(s);
  });

  it('drops each broken field on its own, and survives corrupt JSON', () => {
    expect(loadSettings(memory({ [SETTINGS_KEY]: '{not json' })).lang).toBe('vi');
    const s = resolveSettings({
      lang: 'fr',
      district: 'Ba Đình',
      targets: { districts: { 'ba-dinh': 120, x: 70 }, wards: { bad: 50 } },
      acked: [1, 'a'],
      sort: 'zzz',
      username: 7,
    });
    expect(s).toEqual({ lang: 'vi', targets: { districts: { x: 70 }, wards: {} }, rules: DEFAULT_ALERT_RULES, acked: ['a'], sort: 'name' });
  });

  it('never keeps a password, and keeps a username only with the broker it was entered for (issue 13)', () => {
    const legacy = resolveSettings({ brokerUrl: 'ws://x/mqtt', username: 'quan', password: 'in clear' });
    expect(legacy).not.toHaveProperty('password');
    expect(legacy).not.toHaveProperty('username'); // no credentialsUrl: bound to nothing
    const bound = resolveSettings({ brokerUrl: 'ws://x/mqtt', credentialsUrl: 'ws://x/mqtt', username: 'quan', password: 'in clear' });
    expect(bound).toMatchObject({ credentialsUrl: 'ws://x/mqtt', username: 'quan' });
    expect(bound).not.toHaveProperty('password');
  });

  it('reads URL parameters, ignoring invalid ids', () => {
    expect(readUrlParams('?broker=ws://127.0.0.1:1883&district=ba-dinh&ward=Phuc&lang=en&perf=1')).toEqual({
      broker: 'ws://127.0.0.1:1883',
      district: 'ba-dinh',
      lang: 'en',
      perf: true,
      hub: false,
    });
    expect(readUrlParams('')).toEqual({ perf: false, hub: false });
    expect(readUrlParams('?district=gia-lai&hub=1')).toEqual({ district: 'gia-lai', perf: false, hub: true });
  });
});
