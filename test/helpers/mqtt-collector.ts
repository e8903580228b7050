/**
 * An independent MQTT subscriber that records every message, for asserting
 * what really reached the broker (exactly-once checks, retained state).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** One received message. */
export interface Received {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
  readonly at: number;
}

/** A connected subscriber and what it has seen. */
export interface Collector {
  readonly client: MqttClient;
  readonly messages: Received[];
  /** Messages whose topic ends with `/${leaf}` (e.g. `vote`), payload parsed as JSON. */
  json<T = unknown>(leaf: string): T[];
  /** Resolves once `predicate(messages)` holds; rejects after `timeoutMs` with what was seen. */
  waitFor(predicate: (messages: readonly Received[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

/** Connects to `url`, subscribes to `filter` at QoS 1 and starts recording. */
export async function collect(url: string, filter = 'hailong/v1/#', options: IClientOptions = {}): Promise<Collector> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 200, connectTimeout: 5000, ...options });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString('utf8'), retain: packet.retain, at: Date.now() });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    client,
    messages,
    json<T>(leaf: string): T[] {
      return messages.filter((m) => m.topic.endsWith(`/${leaf}`) && m.payload !== '').map((m) => JSON.parse(m.payload) as T);
    },
    async waitFor(predicate, timeoutMs = 10_000, what = 'condition') {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(messages)) {
        if (Date.now() > deadline) {
          const tail = messages.slice(-5).map((m) => `${m.topic} ${m.payload.slice(0, 200)}`);
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${messages.length} messages, last:\n${tail.join('\n')}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await client.endAsync(true);
    },
  };
}
