import { PassThrough } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import '../../../bridge/mqtt/mqtt-link.ts';

describe('MqttLink module', () => {
  it("turns off mqtt-packet's number cache (65,536 Buffers, ~11 MB of RSS, issue 14) and MQTT still encodes every id", () => {
    expect(mqttPacket.writeToStream.cacheNumbers).toBe(false);
    // Ids and lengths generated per write are the same bytes the cache held.
    const out: Buffer[] = [];
    const stream = new PassThrough();
    stream.on('data', (b: Buffer) => out.push(b));
    for (const messageId of [1, 255, 256, 65_535]) {
      mqttPacket.writeToStream({ cmd: 'puback', messageId }, stream);
    }
    stream.end();
    const bytes = Buffer.concat(out);
    expect([...bytes]).toEqual([0x40, 2, 0, 1, 0x40, 2, 0, 255, 0x40, 2, 1, 0, 0x40, 2, 255, 255]);
  });
});
