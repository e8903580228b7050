/**
 * A fake hub connection at the forwarding MQTT seam (`UpstreamChannel`):
 * records every publish and lets a test acknowledge, fail or drop them, and
 * connect or disconnect at will.
 */
import { EventEmitter } from 'node:events';
import type { UpstreamChannel, UpstreamChannelEvents } from '../../../bridge/upstream/upstream-channel.ts';

/** One publish awaiting its PUBACK. */
export interface FakePublish {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
  readonly connection: number;
  ack(): void;
  fail(error?: Error): void;
}

/** The fake channel. */
export class FakeChannel extends EventEmitter<UpstreamChannelEvents> implements UpstreamChannel {
  connected = false;
  connectionAt = 0;
  /** Acknowledge every publish at once (on the next microtask). */
  autoAck = false;
  /** Every publish ever made, in order. */
  readonly published: FakePublish[] = [];
  /** Publishes not yet acknowledged or failed on the current connection. */
  readonly pending = new Set<FakePublish>();
  private connection = 0;
  /** Most publishes pending at once, ever. */
  maxPending = 0;

  /** Connects (emits `connect`). */
  connect(): void {
    this.connection += 1;
    this.connected = true;
    this.connectionAt = Date.now();
    this.emit('connect');
  }

  /** Drops the line: pending publishes never settle (like mqtt.js with fresh stores). */
  drop(): void {
    this.connected = false;
    this.pending.clear();
    this.emit('offline');
  }

  publish(topic: string, payload: string, retain: boolean): Promise<void> {
    if (!this.connected) return Promise.reject(new Error('hub not connected'));
    return new Promise((resolve, reject) => {
      const p: FakePublish = {
        topic,
        payload,
        retain,
        connection: this.connection,
        ack: () => {
          if (this.pending.delete(p)) resolve();
        },
        fail: (error = new Error('failed')) => {
          if (this.pending.delete(p)) reject(error);
        },
      };
      this.published.push(p);
      this.pending.add(p);
      this.maxPending = Math.max(this.maxPending, this.pending.size);
      if (this.autoAck) queueMicrotask(() => p.ack());
    });
  }

  /** Filters subscribed to (`subscribe`), in order, one per call. */
  readonly subscriptions: string[] = [];

  subscribe(filter: string): void {
    if (this.connected) this.subscriptions.push(filter);
  }

  /** Delivers a message as the hub's broker would (live, or retained on subscribing). */
  deliver(topic: string, payload: string, retained = false): void {
    this.emit('message', topic, payload, retained);
  }

  /** Acknowledges every pending publish. */
  ackAll(): void {
    for (const p of [...this.pending]) p.ack();
  }

  /** Ids of the published votes (payload `id`), in order. */
  voteIds(): string[] {
    return this.published.filter((p) => p.topic.endsWith('/vote')).map((p) => (JSON.parse(p.payload) as { id: string }).id);
  }
}
