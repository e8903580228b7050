import { describe, expect, it } from 'vitest';
import { clientIdOf, resolveOptions } from '../../../kiosk/src/identity/kiosk-options.ts';
import type { OptionName } from '../../../kiosk/src/identity/kiosk-options.ts';

const SCRIPT = 'http://10.0.0.5:8080/kiosk/hailong-kiosk.js';
const ID = { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'kiosk-1' };
const reader = (attrs: Record<string, string>) => (n: OptionName) => attrs[n] ?? null;

describe('kiosk options (attributes / URL parameters / staff settings)', () => {
  it('defaults: broker /mqtt next to the script (ws or wss), Vietnamese, NO PIN (issue 13), no credentials', () => {
    const r = resolveOptions(reader(ID), {}, SCRIPT);
    expect(r).toMatchObject({ ok: true, value: { ...ID, broker: 'ws://10.0.0.5:8080/mqtt', lang: 'vi', voice: false } });
    expect(r.ok && r.value.pin).toBeUndefined();
    expect(resolveOptions(reader(ID), {}, 'https://mot-cua.gov.vn/hailong/kiosk/')).toMatchObject({
      value: { broker: 'wss://mot-cua.gov.vn/mqtt' },
    });
    expect(r.ok && r.value.username).toBeUndefined();
    expect(clientIdOf(ID)).toBe('hailong-kiosk-ba-dinh.phuc-xa.kiosk-1');
    // With its password, the id ends in a suffix derived from it, as the brokers expect (issue 13, item 7).
    expect(clientIdOf({ ...ID, password: 'p1' })).toMatch(/^hailong-kiosk-ba-dinh\.phuc-xa\.kiosk-1\.[0-9a-f]{16}$/);
    expect(clientIdOf({ ...ID, password: 'p1' })).not.toBe(clientIdOf({ ...ID, password: 'p2' }));
  });

  it('reports every problem together, naming the parameter', () => {
    const r = resolveOptions(reader({ ward: 'Phường 1', broker: 'http://x', lang: 'fr', pin: '12', 'thanks-ms': '-5' }), {}, SCRIPT);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.option)).toEqual(['district', 'ward', 'counter', 'terminal', 'broker', 'lang', 'pin', 'thanks-ms']);
    expect(r.problems.find((p) => p.option === 'pin')?.code).toBe('secret-in-url');
  });

  it('seq-base: clock (the default, no seqBase) or zero; anything else is a named problem', () => {
    const r = resolveOptions(reader(ID), {}, SCRIPT);
    expect(r.ok && r.value.seqBase).toBeUndefined();
    expect(resolveOptions(reader({ ...ID, 'seq-base': 'clock' }), {}, SCRIPT)).toMatchObject({ ok: true });
    expect(resolveOptions(reader({ ...ID, 'seq-base': 'zero' }), {}, SCRIPT)).toMatchObject({ ok: true, value: { seqBase: 'zero' } });
    expect(resolveOptions(reader({ ...ID, 'seq-base': '1' }), {}, SCRIPT)).toMatchObject({
      ok: false,
      problems: [{ option: 'seq-base', code: 'bad-seq-base', value: '1' }],
    });
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
    expect(r).toMatchObject({
      ok: true,
      value: { broker: 'wss://b/mqtt', username: 'u1', password: 'p2', pin: '135790', voice: true, contrast: true },
    });
  });
});
