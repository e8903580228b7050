/**
 * A fake of the bridge's MQTT link at its seam (bridge/mqtt/mqtt-link.ts):
 * every publish is recorded and stays pending until the test acknowledges
 * it (the PUBACK) or drops the connection, which fails every pending one,
 * as mqtt.js does when the link drops its in-flight copies.
 */
import { EventEmitter } from 'node:events';
import type { TopicKind, TopicParams, TopicPayload } from '../../../core/index.ts';
import type { MqttLinkEvents } from '../../../bridge/mqtt/mqtt-link.ts';

/** One publish the code under test made. */
export interface FakePublish {
  readonly topic: string;
  readonly payload: string;
  /** The typed publish's kind (undefined for publishText). */
  readonly kind?: TopicKind;
  readonly params?: unknown;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  /** Which connection it went out on (1 for the first connect). */
  readonly connection: number;
  settled: boolean;
  ack(): void;
  fail(error?: Error): void;
}

/** The fake link. */
export class FakeMqttLink extends EventEmitter<MqttLinkEvents> {
  connected = false;
  connectionAt = 0;
  readonly published: FakePublish[] = [];
  private connection = 0;
  /** When set, every publish fails at once with this error (a broker that refuses). */
  failWith: Error | undefined;

  /** Connects (again): emits 'connect' as MqttLink does after every (re)connect. */
  connect(at = Date.now()): void {
    this.connected = true;
    this.connection += 1;
    this.connectionAt = at;
    this.emit('connect');
  }

  /** Drops the connection: every pending publish fails. */
  drop(): void {
    this.connected = false;
    for (const p of this.pending()) p.fail(new Error('connection closed'));
    this.emit('offline');
  }

  /** Publishes not yet acknowledged or failed. */
  pending(): FakePublish[] {
    return this.published.filter((p) => !p.settled);
  }

  /** Publishes made on connection `n` (1 = the first). */
  onConnection(n: number): FakePublish[] {
    return this.published.filter((p) => p.connection === n);
  }

  publishText(topic: string, payload: string, qos: 0 | 1, retain: boolean): Promise<void> {
    return this.record({ topic, payload, qos, retain });
  }

  publishTextThen(topic: string, payload: string, qos: 0 | 1, retain: boolean, done: (error?: Error) => void): void {
    this.publishText(topic, payload, qos, retain).then(
      () => done(),
      (error: Error) => done(error),
    );
  }

  publish<K extends TopicKind>(kind: K, params: TopicParams<K>, payload: TopicPayload<K>): Promise<void> {
    return this.record({ topic: kind, payload: JSON.stringify(payload), kind, params, qos: 1, retain: true });
  }

  private record(p: { topic: string; payload: string; kind?: TopicKind; params?: unknown; qos: 0 | 1; retain: boolean }): Promise<void> {
    if (!this.connected) return Promise.reject(new Error('not connected'));
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    return new Promise<void>((resolve, reject) => {
      const entry: FakePublish = {
        ...p,
        connection: this.connection,
        settled: false,
        ack: () => {
          if (entry.settled) return;
          entry.settled = true;
          resolve();
        },
        fail: (error = new Error('failed')) => {
          if (entry.settled) return;
          entry.settled = true;
          reject(error);
        },
      };
      this.published.push(entry);
    });
  }
}
