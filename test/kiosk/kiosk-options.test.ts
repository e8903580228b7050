import { describe, expect, it } from 'vitest';
import { clientIdOf, resolveOptions } from '../../kiosk/src/identity/kiosk-options.ts';
import type { OptionName } from '../../kiosk/src/identity/kiosk-options.ts';
import { loadStaffSettings, saveStaffSettings } from '../../kiosk/src/identity/staff-settings.ts';

const SCRIPT = 'http://10.0.0.5:8080/kiosk/hailong-kiosk.js';
const ID = { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'kiosk-1' };
const reader = (attrs: Record<string, string>) => (n: OptionName) => attrs[n] ?? null;

describe('kiosk options (attributes / URL parameters / staff settings)', () => {
  it('defaults: broker /mqtt next to the script (ws or wss), Vietnamese, NO PIN (issue 13), no credentials', () => {
    const r = resolveOptions(reader(ID), {}, SCRIPT);
    expect(r).toMatchObject({ ok: true, value: { ...ID, broker: 'ws://10.0.0.5:8080/mqtt', lang: 'vi', voice: false } });
    expect(r.ok && r.value.pin).toBeUndefined();
    expect(resolveOptions(reader(ID), {}, 'https://mot-cua.gov.vn/hailong/kiosk/')).toMatchObject({ value: { broker: 'wss://mot-cua.gov.vn/mqtt' } });
    expect(r.ok && r.value.username).toBeUndefined();
    expect(clientIdOf(ID)).toBe('hailong-kiosk-ba-dinh.phuc-xa.kiosk-1');
  });

  it('reports every problem together, naming the parameter', () => {
    const r = resolveOptions(reader({ ward: 'Phường 1', broker: 'http://x', lang: 'fr', pin: '12', 'thanks-ms': '-5' }), {}, SCRIPT);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.option)).toEqual(['district', 'ward', 'counter', 'terminal', 'broker', 'lang', 'pin', 'thanks-ms']);
    expect(r.problems.find((p) => p.option === 'pin')?.code).toBe('secret-in-url');
  });

  it('refuses a password or PIN in the URL or attributes (issue 13): they come from the one-time code', () => {
    const r = resolveOptions(reader({ ...ID, username: 'kiosk-1', password: 'p1', pin: '2468' }), {}, SCRIPT);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.option, p.code])).toEqual([
      ['password', 'secret-in-url'],
      ['pin', 'secret-in-url'],
    ]);
  });

  it('staff settings override attributes; flags accept the usual spellings', () => {
    const r = resolveOptions(
      reader({ ...ID, broker: 'ws://a/mqtt', username: 'u1', voice: '', contrast: 'false' }),
      { broker: 'wss://b/mqtt', password: 'p2', pin: '135790', contrast: true },
      SCRIPT,
    );
    expect(r).toMatchObject({ ok: true, value: { broker: 'wss://b/mqtt', username: 'u1', password: 'p2', pin: '135790', voice: true, contrast: true } });
  });

  it('saved settings survive malformed storage and never throw', () => {
    const store = new Map<string, string>();
    const s = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) };
    store.set('k', '{not json');
    expect(loadStaffSettings(s, 'k')).toEqual({});
    store.set('k', JSON.stringify({ broker: 'ws://x/mqtt', pin: 'abcd', lang: 'de', voice: 'yes', __proto__: { evil: 1 } }));
    expect(loadStaffSettings(s, 'k')).toEqual({ broker: 'ws://x/mqtt' });
    expect(saveStaffSettings(s, 'k', { pin: '9876', lang: 'en' })).toBe(true);
    expect(loadStaffSettings(s, 'k')).toEqual({ broker: 'ws://x/mqtt', pin: '9876', lang: 'en' });
    expect(saveStaffSettings(undefined, 'k', {})).toBe(false);
  });
});
