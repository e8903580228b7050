import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONNACK_REFUSALS, defaultBrokerUrl, isBrokerUrl, isCredentialRefusal, mqttJsOptions } from '../../core/broker-link.ts';

/** What the WHATWG URL parser (Node's, as in the browser) says: a ws/wss URL with a host. */
function whatwgSays(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'ws:' || u.protocol === 'wss:') && u.host !== '';
  } catch {
    return false;
  }
}

// URL-ish strings from the characters that matter to a host parser.
const piece = fc.constantFrom(
  'a',
  'b',
  'x',
  'f',
  '0',
  '1',
  '2',
  '5',
  '6',
  '9',
  '.',
  ':',
  '@',
  '[',
  ']',
  '%',
  '-',
  '_',
  ' ',
  '/',
  '?',
  '#',
  '\\',
  '0x',
  'xn--',
  '255',
  '256',
  '::',
  'ffff',
);
const scheme = fc.constantFrom('ws://', 'wss://', 'WS://', 'ws:/', 'ws:', 'http://', 'mqtt://', 'wss:///');
const urlish = fc.tuple(scheme, fc.array(piece, { maxLength: 12 })).map(([s, p]) => s + p.join(''));

describe('isBrokerUrl', () => {
  it('accepts ws:// and wss:// URLs with a host', () => {
    for (const u of [
      'ws://localhost:8080/mqtt',
      'wss://bridge.phuong-1.gov.vn/mqtt',
      'ws://192.168.1.10:9001',
      'ws://[::1]:9001/mqtt',
      'ws://[::ffff:192.168.1.10]/mqtt',
      'ws://kiosk-1:secret@bridge:8080/mqtt?x=1#y',
      'WSS://BRIDGE/',
    ]) {
      expect(isBrokerUrl(u), u).toBe(true);
      expect(whatwgSays(u), u).toBe(true);
    }
  });

  it('refuses other schemes, no host, a bad port, a bad IPv4 or IPv6 address', () => {
    for (const u of [
      'http://bridge/mqtt',
      'mqtt://bridge:1883',
      'ws://',
      'ws://:8080/mqtt',
      'ws://user@/mqtt',
      'ws://bridge:65536',
      'ws://1.2.3.256',
      'ws://a.09',
      'ws://[1:2]',
      'ws://[::1::]',
      'bridge/mqtt',
      '',
    ]) {
      expect(isBrokerUrl(u), u).toBe(false);
    }
  });

  it('never accepts what the WHATWG URL parser refuses', () => {
    fc.assert(
      fc.property(urlish, (u) => {
        if (isBrokerUrl(u)) expect(whatwgSays(u), u).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('accepts every plain host name, IPv4 and IPv6 address with any port and path', () => {
    const host = fc.oneof(
      fc.domain(),
      fc.ipV4(),
      fc.ipV6().map((a) => `[${a}]`),
    );
    const port = fc.option(
      fc.integer({ min: 0, max: 65_535 }).map((p) => `:${p}`),
      { nil: '' },
    );
    const path = fc.constantFrom('', '/', '/mqtt', '/a/b?c=d#e');
    fc.assert(
      fc.property(fc.constantFrom('ws', 'wss'), host, port, path, (s, h, p, rest) => {
        const u = `${s}://${h}${p}${rest}`;
        expect(whatwgSays(u), u).toBe(true);
        expect(isBrokerUrl(u), u).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('defaultBrokerUrl', () => {
  it('is /mqtt on the same host, wss when the app came over https', () => {
    expect(defaultBrokerUrl({ protocol: 'http:', host: 'bridge:8080' })).toBe('ws://bridge:8080/mqtt');
    expect(defaultBrokerUrl({ protocol: 'https:', host: 'bridge.gov.vn' })).toBe('wss://bridge.gov.vn/mqtt');
    expect(defaultBrokerUrl(new URL('http://10.0.0.2:8080/kiosk/hailong-kiosk.js'))).toBe('ws://10.0.0.2:8080/mqtt');
  });
});

describe('CONNACK refusals', () => {
  it('names every MQTT 3.1.1 refusal; only 4 and 5 are about the credentials', () => {
    expect(Object.keys(CONNACK_REFUSALS).map(Number)).toEqual([1, 2, 3, 4, 5]);
    expect([0, 1, 2, 3, 4, 5, 6].filter(isCredentialRefusal)).toEqual([4, 5]);
  });
});

describe('mqttJsOptions', () => {
  it('speaks MQTT 3.1.1, leaves empty credentials out and never retries a refused CONNACK itself', () => {
    const o = mqttJsOptions({
      clientId: 'c',
      clean: false,
      username: '',
      password: '',
      keepaliveSec: 3,
      connectTimeoutMs: 8000,
      reconnectMs: 0,
    });
    expect(o).toEqual({
      protocolVersion: 4,
      clientId: 'c',
      clean: false,
      keepalive: 3,
      connectTimeout: 8000,
      reconnectPeriod: 0,
      reconnectOnConnackError: false,
    });
    const will = { topic: 't', payload: 'p', qos: 1 as const, retain: true };
    expect(
      mqttJsOptions({
        clientId: 'c',
        clean: true,
        username: 'u',
        password: 'p',
        keepaliveSec: 30,
        connectTimeoutMs: 1,
        reconnectMs: 2000,
        will,
      }),
    ).toMatchObject({
      username: 'u',
      password: 'p',
      will,
    });
  });
});
