/**
 * The embedded broker's retained lookup (bridge/broker/retained-index.ts):
 * the same matches as core `topicMatches` (fast-check, with stores and
 * clears against a Map), each message once
 * however many filters of a SUBSCRIBE match it, stored and cleared like
 * Aedes' own; and through a real EmbeddedBroker and mqtt.js client.
 */
import fc from 'fast-check';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { topicMatches } from '../../../core/topic.ts';
import { EmbeddedBroker } from '../../../bridge/broker/embedded-broker.ts';
import { IndexedMemoryPersistence, RetainedIndex } from '../../../bridge/broker/retained-index.ts';
import { MATRIX_USERS, optionsFor } from './access-matrix.ts';

const level = fc.constantFrom('a', 'b', 'c', '', '$s', 'hailong');
const topicArb = fc.array(level, { minLength: 1, maxLength: 5 }).map((l) => l.join('/'));
const filterArb = fc
  .tuple(fc.array(fc.oneof(level, fc.constant('+')), { minLength: 1, maxLength: 5 }), fc.boolean())
  .map(([l, hash]) => (hash ? [...l, '#'] : l).join('/'))
  .chain((f) => fc.constantFrom(f, '#', '+/#'));
const packet = (topic: string, payload = 'x') => ({ topic, payload: Buffer.from(payload), qos: 1, retain: true, cmd: 'publish' });

describe('RetainedIndex', () => {
  it('matches what core topicMatches matches, each message once for several filters, through stores and clears (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(topicArb, fc.boolean()), { maxLength: 40 }),
        fc.array(filterArb, { minLength: 1, maxLength: 4 }),
        (ops, filters) => {
          const index = new RetainedIndex();
          const model = new Map<string, string>();
          for (const [i, [topic, clear]] of ops.entries()) {
            index.store(packet(topic, clear ? '' : `v${i}`));
            if (clear) model.delete(topic);
            else model.set(topic, `v${i}`);
          }
          const got = [...index.matching(filters)].map((p) => `${p.topic}=${String(p.payload)}`);
          expect(new Set(got).size).toBe(got.length);
          const want = [...model].filter(([t]) => filters.some((f) => topicMatches(f, t))).map(([t, v]) => `${t}=${v}`);
          expect(got.sort()).toEqual(want.sort());
          expect(index.size).toBe(model.size);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('replaces a topic in place and forgets it on an empty payload', () => {
    const index = new RetainedIndex();
    index.store(packet('a/1', 'one'));
    index.store(packet('a/2', 'two'));
    index.store(packet('a/1', 'uno'));
    expect([...index.matching(['a/+'])].map((p) => String(p.payload))).toEqual(['uno', 'two']);
    index.store(packet('a/1', ''));
    expect([...index.matching(['#'])].map((p) => p.topic)).toEqual(['a/2']);
    expect(index.size).toBe(1);
  });

  it('answers Aedes through the persistence streams', async () => {
    const persistence = new IndexedMemoryPersistence();
    await persistence.storeRetained(packet('hailong/v1/d/w/_office'));
    await persistence.storeRetained(packet('hailong/v1/d/w/_summary/2026-11'));
    const read = async (stream: AsyncIterable<{ topic: string }>) => {
      const out: string[] = [];
      for await (const p of stream) out.push(p.topic);
      return out;
    };
    expect(await read(persistence.createRetainedStream('hailong/v1/d/+/_summary/+'))).toEqual(['hailong/v1/d/w/_summary/2026-11']);
    expect(await read(persistence.createRetainedStreamCombi(['hailong/v1/#', 'hailong/v1/d/w/_office']))).toEqual([
      'hailong/v1/d/w/_office',
      'hailong/v1/d/w/_summary/2026-11',
    ]);
  });
});

describe("the embedded broker's retained messages", () => {
  it('come once per SUBSCRIBE even when several of its filters match them', async () => {
    const broker = new EmbeddedBroker({
      users: MATRIX_USERS,
      anonymous: 'read',
      port: 0,
      host: '127.0.0.1',
      logger: pino({ level: 'silent' }),
    });
    const url = `mqtt://127.0.0.1:${(await broker.start()).port}`;
    try {
      const bridge = await mqtt.connectAsync(url, optionsFor('bridge-w1'));
      await bridge.publishAsync('hailong/v1/d1/w1/_office', '{"x":1}', { qos: 1, retain: true });
      await bridge.publishAsync('hailong/v1/d1/w1/c1/t1/status', '{"x":2}', { qos: 1, retain: true });
      await bridge.endAsync(true);
      const reader = await mqtt.connectAsync(url, optionsFor('dash-d1'));
      const seen: string[] = [];
      reader.on('message', (topic) => seen.push(topic));
      await reader.subscribeAsync(['hailong/v1/d1/#', 'hailong/v1/d1/+/_office', 'hailong/v1/d1/w1/+/+/status'], { qos: 1 });
      await new Promise((r) => setTimeout(r, 500));
      await reader.endAsync(true);
      expect(seen.sort()).toEqual(['hailong/v1/d1/w1/_office', 'hailong/v1/d1/w1/c1/t1/status']);
    } finally {
      await broker.stop();
    }
  });
});
