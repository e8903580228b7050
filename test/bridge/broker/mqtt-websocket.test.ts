/**
 * MQTT over WebSocket (bridge/broker/mqtt-websocket.ts, through the broker's
 * packet-size guard): what Aedes writes for one packet, and whatever queued
 * behind it, goes out as one WebSocket frame, not a frame per write, and
 * every packet arrives whole and in order. A raw `ws` client counts the
 * frames and splits the bytes into MQTT packets itself (MQTT 3.1.1 §2.2).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { EmbeddedBroker } from '../../../bridge/broker/embedded-broker.ts';
import { MAX_COALESCED_FRAME_BYTES } from '../../../bridge/broker/mqtt-websocket.ts';
import { MATRIX_USERS, optionsFor } from './access-matrix.ts';

let broker: EmbeddedBroker;
let http: Server;
let wsUrl: string;
let tcpUrl: string;

beforeAll(async () => {
  broker = new EmbeddedBroker({ users: MATRIX_USERS, anonymous: 'read', port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }) });
  tcpUrl = `mqtt://127.0.0.1:${(await broker.start()).port}`;
  http = createServer((_req, res) => res.end('page'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  broker.attachWebSocket(http);
  wsUrl = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/mqtt`;
});

afterAll(async () => {
  await broker?.stop();
  http?.closeAllConnections();
  await new Promise((r) => http?.close(r));
});

interface Packet {
  type: number;
  /** The fixed header's flags (for PUBLISH: DUP, QoS, RETAIN). */
  flags: number;
  body: Buffer;
}

/** Splits a byte stream into MQTT packets: type byte, remaining length (1–4 bytes), body. */
function splitPackets(bytes: Buffer): { packets: Packet[]; rest: Buffer } {
  const packets: Packet[] = [];
  let i = 0;
  for (;;) {
    if (i + 2 > bytes.length) break;
    let length = 0;
    let multiplier = 1;
    let j = i + 1;
    let byte: number;
    do {
      if (j >= bytes.length) return { packets, rest: bytes.subarray(i) };
      byte = bytes[j++] as number;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
    } while (byte & 0x80);
    if (j + length > bytes.length) break;
    packets.push({ type: (bytes[i] as number) >> 4, flags: (bytes[i] as number) & 0x0f, body: bytes.subarray(j, j + length) });
    i = j + length;
  }
  return { packets, rest: bytes.subarray(i) };
}

function mqttString(s: string): Buffer {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

function withLength(first: number, body: Buffer): Buffer {
  const len: number[] = [];
  let n = body.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    len.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([first, ...len]), body]);
}

describe('MQTT over WebSocket', () => {
  it('sends each packet in one frame (not one per write), whole and in order; a large packet arrives intact', async () => {
    const topics = Array.from({ length: 40 }, (_, i) => `hailong/v1/d1/w1/c1/t${i + 1}/tally/2026-11`);
    const payloadOf = (i: number) => (i === 7 ? 'x'.repeat(MAX_COALESCED_FRAME_BYTES + 5000) : `{"n":${i},"pad":"${'p'.repeat(2000)}"}`);
    const publisher = await mqtt.connectAsync(tcpUrl, optionsFor('bridge-w1'));
    try {
      for (const [i, topic] of topics.entries()) await publisher.publishAsync(topic, payloadOf(i), { qos: 1, retain: true });
    } finally {
      await publisher.endAsync(true);
    }

    const ws = new WebSocket(wsUrl, 'mqtt');
    const frames: Buffer[] = [];
    ws.on('message', (data: Buffer) => frames.push(data));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    // CONNECT (3.1.1, clean session, keepalive 0, anonymous), then SUBSCRIBE hailong/v1/d1/# at QoS 0.
    const connect = withLength(
      0x10,
      Buffer.concat([mqttString('MQTT'), Buffer.from([0x04, 0x02, 0x00, 0x00]), mqttString('ws-frames-test')]),
    );
    const subscribe = withLength(0x82, Buffer.concat([Buffer.from([0x00, 0x01]), mqttString('hailong/v1/d1/#'), Buffer.from([0x00])]));
    ws.send(connect);
    ws.send(subscribe);
    const deadline = Date.now() + 20_000;
    let packets: Packet[] = [];
    while (Date.now() < deadline) {
      const split = splitPackets(Buffer.concat(frames));
      packets = split.packets;
      if (packets.filter((p) => p.type === 3).length >= topics.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    ws.terminate();

    expect(packets.map((p) => p.type).slice(0, 2)).toEqual([2, 9]); // CONNACK, SUBACK
    const publishes = packets
      .filter((p) => p.type === 3)
      .map((p) => {
        const topicLength = p.body.readUInt16BE(0);
        // A retained message keeps its QoS 1 (and a packet id) whatever the subscription's QoS.
        const id = (p.flags & 0x06) === 0 ? 0 : 2;
        return { topic: p.body.subarray(2, 2 + topicLength).toString(), payload: p.body.subarray(2 + topicLength + id).toString() };
      });
    expect(publishes.map((p) => p.topic).sort()).toEqual([...topics].sort());
    for (const p of publishes) expect(p.payload).toBe(payloadOf(topics.indexOf(p.topic)));
    // ~6 writes per PUBLISH (header, length, topic, payload…) made ~6 frames each; now at most
    // one frame per packet, plus one for the piece of the packet larger than a coalesced frame.
    expect(frames.length).toBeLessThanOrEqual(packets.length + 1);
  });
});
