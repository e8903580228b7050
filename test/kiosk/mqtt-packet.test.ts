import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PacketReader,
  decodePacket,
  encodeAck,
  encodeConnect,
  encodeDisconnect,
  encodePingreq,
  encodePublish,
  encodeSubscribe,
} from '../../kiosk/src/mqtt/packet.ts';

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const bytes = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

// Reference bytes generated with mqtt-packet 9 (the codec MQTT.js uses), MQTT 3.1.1.
const REF = {
  connect:
    '106500044d51545404ec001400136861696c6f6e672d6b696f736b2d642d772d7400196861696c6f6e672f76312f642f772f632f742f73746174757300197b2276223a312c227374617465223a226f66666c696e65227d00056b696f736b000773c3a963726574',
  connectClean: '100d00044d51545404020000000178',
  publish:
    '323a00176861696c6f6e672f76312f642f772f632f742f766f746501027b226964223a22743a31222c2277617264223a227068c6b0e1bb9d6e67227d',
  publishRetained0: `31cd010003612f62${'78'.repeat(200)}`,
  subscribe:
    '8239000700196861696c6f6e672f76312f642f772f632f742f636f6e6669670100186861696c6f6e672f76312f642f772f632f5f73657276656401',
  puback: '4002ffff',
  pubrel: '62020003',
  pingreq: 'c000',
  disconnect: 'e000',
  connack: '20020100',
  connackRefused: '20020005',
  suback: '900400070180',
  pingresp: 'd000',
};

describe('MQTT 3.1.1 codec: byte-exact against mqtt-packet', () => {
  it('encodes CONNECT with will, credentials, clean false', () => {
    const packet = encodeConnect({
      clientId: 'hailong-kiosk-d-w-t',
      clean: false,
      keepalive: 20,
      username: 'kiosk',
      password: 'sécret',
      will: { topic: 'hailong/v1/d/w/c/t/status', payload: '{"v":1,"state":"offline"}', qos: 1, retain: true },
    });
    expect(hex(packet)).toBe(REF.connect);
    expect(hex(encodeConnect({ clientId: 'x', clean: true, keepalive: 0 }))).toBe(REF.connectClean);
  });

  it('encodes PUBLISH (QoS 1 with UTF-8 payload; QoS 0 retained with a 2-byte length)', () => {
    const p = encodePublish({ topic: 'hailong/v1/d/w/c/t/vote', payload: '{"id":"t:1","ward":"phường"}', qos: 1, retain: false, id: 258 });
    expect(hex(p)).toBe(REF.publish);
    expect(hex(encodePublish({ topic: 'a/b', payload: 'x'.repeat(200), qos: 0, retain: true }))).toBe(REF.publishRetained0);
  });

  it('encodes SUBSCRIBE, PUBACK, PUBREL, PINGREQ, DISCONNECT', () => {
    const filters = [
      { topic: 'hailong/v1/d/w/c/t/config', qos: 1 as const },
      { topic: 'hailong/v1/d/w/c/_served', qos: 1 as const },
    ];
    expect(hex(encodeSubscribe(7, filters))).toBe(REF.subscribe);
    expect(hex(encodeAck('puback', 65535))).toBe(REF.puback);
    expect(hex(encodeAck('pubrel', 3))).toBe(REF.pubrel);
    expect(hex(encodePingreq())).toBe(REF.pingreq);
    expect(hex(encodeDisconnect())).toBe(REF.disconnect);
  });

  it('decodes CONNACK, SUBACK (with a refusal), PINGRESP, PUBLISH', () => {
    expect(decodePacket(bytes(REF.connack))).toMatchObject({ ok: true, packet: { type: 'connack', sessionPresent: true, returnCode: 0 }, length: 4 });
    expect(decodePacket(bytes(REF.connackRefused))).toMatchObject({ ok: true, packet: { type: 'connack', returnCode: 5 } });
    expect(decodePacket(bytes(REF.suback))).toMatchObject({ ok: true, packet: { type: 'suback', id: 7, granted: [1, 128] } });
    expect(decodePacket(bytes(REF.pingresp))).toMatchObject({ ok: true, packet: { type: 'pingresp' } });
    const r = decodePacket(bytes(REF.publish));
    expect(r.ok && r.packet?.type === 'publish' && new TextDecoder().decode(r.packet.payload)).toBe('{"id":"t:1","ward":"phường"}');
    expect(r).toMatchObject({ packet: { topic: 'hailong/v1/d/w/c/t/vote', qos: 1, id: 258, retain: false } });
  });

  it('throws on programmer errors (packet id 0, oversized field)', () => {
    expect(() => encodeAck('puback', 0)).toThrow(/packet id/);
    expect(() => encodePublish({ topic: 'x'.repeat(70_000), payload: '', qos: 0, retain: false })).toThrow(/65535/);
    expect(() => encodeConnect({ clientId: 'x', clean: true, keepalive: 70_000 })).toThrow(/keepalive/);
  });
});

describe('MQTT codec properties', () => {
  it('PUBLISH round-trips through the stream reader, however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            topic: fc.string({ minLength: 1, maxLength: 40 }),
            payload: fc.string({ maxLength: 300 }),
            qos: fc.constantFrom(0 as const, 1 as const),
            retain: fc.boolean(),
            id: fc.integer({ min: 1, max: 65535 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
        (messages, cuts) => {
          const wire = messages.map((m) => encodePublish(m));
          const all = new Uint8Array(wire.reduce((n, w) => n + w.length, 0));
          let at = 0;
          for (const w of wire) {
            all.set(w, at);
            at += w.length;
          }
          const reader = new PacketReader();
          const got: unknown[] = [];
          let pos = 0;
          let i = 0;
          while (pos < all.length) {
            const size = cuts[i++ % cuts.length] as number;
            const { packets, error } = reader.push(all.subarray(pos, pos + size));
            expect(error).toBeUndefined();
            got.push(...packets);
            pos += size;
          }
          expect(got).toHaveLength(messages.length);
          got.forEach((p, k) => {
            const m = messages[k]!;
            expect(p).toMatchObject({ type: 'publish', topic: m.topic, qos: m.qos, retain: m.retain });
            const payload = (p as { payload: Uint8Array }).payload;
            expect(new TextDecoder().decode(payload)).toBe(m.payload);
            if (m.qos === 1) expect((p as { id: number }).id).toBe(m.id);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary bytes: a packet, "need more", or a protocol error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const r = decodePacket(b);
        if (r.ok && r.packet !== undefined) expect(r.length).toBeLessThanOrEqual(b.length);
        const reader = new PacketReader();
        expect(() => reader.push(b)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a 5-byte remaining length and packets above the size cap', () => {
    expect(decodePacket(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01))).toMatchObject({ ok: false, code: 'bad-length' });
    expect(decodePacket(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0x7f), 1000)).toMatchObject({ ok: false, code: 'too-large' });
    expect(decodePacket(Uint8Array.of(0x36, 0x00))).toMatchObject({ ok: false, code: 'bad-packet' }); // QoS 3
  });
});
