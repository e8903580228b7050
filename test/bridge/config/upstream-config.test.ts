import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../bridge/config/load-config.ts';
import { validateConfig } from '../../../bridge/config/validate-config.ts';
import { URL_SCHEMES } from '../../../bridge/config/broker-urls.ts';

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'hailong.example.yaml');

const OFFICE = `
district: { id: ba-dinh, name: Quận Ba Đình }
ward: { id: phuc-xa, name: Phường Phúc Xá }
counters:
  - id: quay-1
    name: Quầy 1
    terminals:
      - { id: hop-1, kind: button, uid: HL-1 }
`;

function problems(text: string, env: Record<string, string> = {}): { path: string; line?: number; message: string }[] {
  const r = parseConfigText(text, 'x.yaml', env);
  return r.ok ? [] : [...r.problems];
}

describe('the upstream block', () => {
  it('is optional: without it the ward forwards nowhere', () => {
    const r = parseConfigText(OFFICE, 'x.yaml');
    expect(r.ok && r.config.upstream).toBeUndefined();
  });

  it('reads one URL or several (fail over), with the ward account and a CA', () => {
    const r = parseConfigText(
      `${OFFICE}upstream:\n  urls: [mqtts://hub-1.example:8883, mqtts://hub-2.example:8883]\n  username: phuc-xa\n  password: s3cret\n  caFile: /etc/hailong/hub-ca.pem\n`,
      'x.yaml',
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.upstream).toEqual({
      urls: ['mqtts://hub-1.example:8883', 'mqtts://hub-2.example:8883'],
      username: 'phuc-xa',
      password: 's3cret',
      caFile: '/etc/hailong/hub-ca.pem',
    });
    const one = parseConfigText(`${OFFICE}upstream: { urls: mqtt://hub.example }\n`, 'x.yaml');
    expect(one.ok && one.config.upstream?.urls).toEqual(['mqtt://hub.example']);
  });

  it('lists every problem with its path and line', () => {
    const text = `${OFFICE}upstream:
  urls: [http://hub.example, "not a url", mqtt://127.0.0.1:1883, mqtt://hub.example]
  password: p
  caFile: /etc/ca.pem
  user: phuc-xa
`;
    const got = problems(text);
    const at = (path: string) => got.find((p) => p.path === path);
    expect(got.map((p) => p.path).sort()).toEqual(
      ['upstream.caFile', 'upstream.password', 'upstream.urls[0]', 'upstream.urls[1]', 'upstream.urls[2]', 'upstream.user'].sort(),
    );
    expect(at('upstream.urls[0]')?.message).toMatch(/scheme http: is not one of/);
    expect(at('upstream.urls[1]')?.message).toMatch(/is not a URL/);
    // The embedded broker listens on 1883: forwarding there would only echo.
    expect(at('upstream.urls[2]')?.message).toMatch(/this ward's own broker/);
    expect(at('upstream.password')?.message).toMatch(/upstream.username is not/);
    expect(at('upstream.caFile')?.message).toMatch(/no upstream URL uses TLS/);
    expect(at('upstream.user')?.message).toMatch(/not a known setting/);
    const lines = text.split('\n');
    expect(lines[(at('upstream.urls[2]')?.line ?? 0) - 1]).toContain('urls:');
    expect(lines[(at('upstream.user')?.line ?? 0) - 1]).toContain('user: phuc-xa');
  });

  it('requires urls, and refuses the external broker the ward already uses', () => {
    expect(problems(`${OFFICE}upstream: { username: a }\n`).map((p) => p.path)).toEqual(['upstream.urls']);
    expect(problems(`${OFFICE}upstream: { urls: [] }\n`).map((p) => p.message)).toEqual([expect.stringMatching(/lists no URL/)]);
    const own = problems(`${OFFICE}mqtt: { urls: [mqtt://Broker.lan] }\nupstream: { urls: [mqtt://broker.lan:1883] }\n`);
    expect(own.map((p) => p.path)).toEqual(['upstream.urls[0]']);
    // The same host on another port is another broker.
    expect(problems(`${OFFICE}mqtt: { urls: [mqtt://broker.lan] }\nupstream: { urls: [mqtt://broker.lan:1884] }\n`)).toEqual([]);
  });

  it('takes the hub from the environment, naming the variable when it is bad', () => {
    const r = parseConfigText(OFFICE, 'x.yaml', {
      HAILONG_UPSTREAM_URLS: 'mqtt://a:1883, mqtt://b:1883',
      HAILONG_UPSTREAM_USERNAME: 'phuc-xa',
      HAILONG_UPSTREAM_PASSWORD: 'pw',
    });
    expect(r.ok && r.config.upstream).toEqual({ urls: ['mqtt://a:1883', 'mqtt://b:1883'], username: 'phuc-xa', password: 'pw' });
    expect(problems(OFFICE, { HAILONG_UPSTREAM_URLS: 'ftp://x' }).map((p) => p.path)).toEqual([
      'env HAILONG_UPSTREAM_URLS (upstream.urls[0])',
    ]);
  });

  it('as shown (commented out) in hailong.example.yaml is valid once uncommented', () => {
    const text = readFileSync(EXAMPLE, 'utf8')
      .split('\n')
      .map((l) => (/^# (upstream:| {2}(urls|username|password|caFile|archiveGraceSeconds):)/.test(l) ? l.slice(2) : l))
      .join('\n');
    const r = parseConfigText(text, EXAMPLE);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.upstream?.urls.length).toBe(2);
    expect(r.config.upstream?.username).toBe('phuc-xa');
    expect(r.config.upstream?.archiveGraceSeconds).toBe(60);
  });

  it('takes the grace before a vote the hub never archived is sent again, in whole seconds of 5 s to a day', () => {
    const r = parseConfigText(`${OFFICE}upstream: { urls: mqtt://hub.example, archiveGraceSeconds: 120 }\n`, 'x.yaml');
    expect(r.ok && r.config.upstream?.archiveGraceSeconds).toBe(120);
    for (const bad of ['1', '100000', '2.5', 'soon']) {
      expect(problems(`${OFFICE}upstream: { urls: mqtt://hub.example, archiveGraceSeconds: ${bad} }\n`).map((p) => p.path)).toEqual([
        'upstream.archiveGraceSeconds',
      ]);
    }
  });

  it('never throws, and accepts only dialable URLs (property)', () => {
    const base = parseConfigText(OFFICE, 'x.yaml');
    if (!base.ok) throw new Error('office invalid');
    const tree = {
      district: { id: 'ba-dinh', name: 'Q' },
      ward: { id: 'phuc-xa', name: 'P' },
      counters: [{ id: 'quay-1', name: 'Q1', terminals: [{ id: 'hop-1', kind: 'button', uid: 'HL-1' }] }],
    };
    const url = fc.oneof(
      fc.webUrl(),
      fc.constantFrom(...URL_SCHEMES).map((s) => `${s}//hub.example:8883`),
      fc.string(),
    );
    const block = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          urls: fc.oneof(url, fc.array(url, { maxLength: 3 }), fc.jsonValue()),
          username: fc.oneof(fc.string(), fc.jsonValue()),
          password: fc.string(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(block, (upstream) => {
        const r = validateConfig({ ...tree, upstream });
        if (!r.ok) return r.problems.every((p) => p.path.startsWith('upstream') && p.message.length > 0);
        return (r.config.upstream?.urls ?? []).every((u) => URL_SCHEMES.includes(new URL(u).protocol));
      }),
    );
  });
});
