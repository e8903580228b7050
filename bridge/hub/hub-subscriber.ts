/**
 * The hub on an external broker (Mosquitto): a subscriber to
 * `hailong/v1/{parent}/#` with a persistent session (fixed client id,
 * `clean: false`, QoS 1), so the broker keeps every message for the hub
 * while it is down. Each message is archived before it is acknowledged:
 * mqtt.js sends a QoS 1 PUBACK only after `handleMessage` calls back
 * (MQTT.js README, "handleMessage … with backpressure support"), so a
 * message whose commit did not finish is redelivered by the broker.
 *
 * Messages come one at a time that way (one commit each): fine for a
 * district; a province with heavy traffic is the embedded broker's or the
 * NATS cluster's job (issue 11).
 */
// First: the packages below create their debug loggers as they load (debug-silencer.ts says why).
import '../debug-silencer.ts';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../logger.ts';
import type { HubArchive } from './hub-archive.ts';
import { ingest, type IngestDecision, type IngestScope } from './hub-ingest.ts';

/** Options of `HubSubscriber`. */
export interface HubSubscriberOptions {
  readonly urls: readonly string[];
  readonly username: string;
  readonly password: string;
  /** A fixed client id: the broker keeps the session (and queued messages) under it. */
  readonly clientId: string;
  /** PEM text of the broker's CA, for mqtts/wss. */
  readonly ca?: string;
  readonly scope: IngestScope;
  readonly archive: HubArchive;
  readonly log: Logger;
  /** Told about every decision, after its commit (counters, the dashboards' live mirror), with the message it was about. */
  readonly onDecision?: (decision: IngestDecision, topic: string, payload: string) => void;
  /**
   * Longest wait for a CONNACK (ms), the TCP connect included. Long on
   * purpose: a NATS node answers a persistent session's CONNECT only after
   * restoring the session from JetStream (up to two 4 s API requests, more
   * under load or while leaders move after a node died; 6–10 s seen on a
   * loaded 2-core machine), then sets the session's consumers up again
   * right after the CONNACK. A client that gives up inside that and closes
   * can make the node delete those consumers with what they held for the
   * hub (nats-server v2.9.10 server/mqtt.go `mqttProcessConnect` →
   * `processSubs` → `cleanupFailedSub`), and its retry meets the node's
   * flapper jail. A node that is down refuses at once, so fail-over does
   * not wait for this.
   * @default 30000
   */
  readonly connectTimeoutMs?: number;
  /** Called after every CONNACK (the hub publishes its archive receipts again: the broker may have lost them). */
  readonly onConnect?: () => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Subscribes the hub to an external broker; `start()` / `stop()`. */
export class HubSubscriber {
  #client: MqttClient | undefined;
  #subscribing: Promise<void> | undefined;
  readonly #ownPrefix: string;

  constructor(readonly options: HubSubscriberOptions) {
    this.#ownPrefix = `hailong/v1/${options.scope.parent}/_archived/`;
  }

  /**
   * Publishes a retained message at QoS 1 on the hub's connection (its
   * archive receipts); rejects at once while disconnected (the receipts are
   * all published again at the next connect).
   */
  publish(topic: string, payload: string): Promise<void> {
    const client = this.#client;
    if (client === undefined || !client.connected) return Promise.reject(new Error('the hub is not connected to its broker'));
    return client.publishAsync(topic, payload, { qos: 1, retain: true }).then(() => undefined);
  }

  /** Connects (and keeps reconnecting); resolves once the broker acknowledged the subscription, or after 10 s. */
  async start(): Promise<void> {
    const o = this.options;
    const [first, ...rest] = o.urls;
    const opts: IClientOptions = {
      clientId: o.clientId,
      clean: false,
      username: o.username,
      password: o.password,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: o.connectTimeoutMs ?? 30_000,
      ...(rest.length > 0 ? { servers: o.urls.map((u) => ({ host: new URL(u).hostname, port: Number(new URL(u).port || 1883) })) } : {}),
      ...(o.ca === undefined ? {} : { ca: o.ca }),
    };
    const client = mqtt.connect(first as string, opts);
    this.#client = client;
    const filter = `hailong/v1/${o.scope.parent}/#`;
    client.handleMessage = (packet, callback) => this.#handle(client, packet.topic, packet.payload, callback);
    // `#subscribing` is the SUBSCRIBE in flight: `stop()` waits for its SUBACK (see there).
    const subscribe = (): Promise<void> =>
      new Promise<void>((done) => {
        client.subscribe(filter, { qos: 1 }, (error) => {
          if (error) {
            // Refused (SUBACK 0x80) or the connection dropped: the next CONNACK subscribes again; a refusal is retried.
            o.log.error({ err: error.message }, `cannot subscribe to ${filter}`);
            setTimeout(() => {
              if (this.#client === client && client.connected) this.#subscribing = subscribe();
            }, 1000);
          } else o.log.info(`hub subscribed to ${filter} (persistent session ${o.clientId})`);
          done();
        });
      });
    client.on('connect', (connack) => {
      o.log.info({ urls: o.urls, sessionPresent: connack.sessionPresent }, `hub connected (persistent session ${o.clientId})`);
      // Resubscribing is harmless when the session is present and needed when it is not.
      this.#subscribing = subscribe();
      o.onConnect?.();
    });
    client.on('error', (error) => o.log.warn({ err: error.message }, 'hub MQTT connection error'));
    // Ready once the broker has acknowledged the subscription, not merely the connection.
    await new Promise<void>((done) => {
      const timer = setTimeout(done, 10_000);
      client.once('connect', () => {
        void this.#subscribing?.then(() => {
          clearTimeout(timer);
          done();
        });
      });
    });
  }

  #handle(client: MqttClient, topic: string, payload: Buffer | string, callback: (error?: Error) => void): void {
    const o = this.options;
    // The hub's own archive receipts come back on its `#` subscription: not a unit's message.
    if (topic.startsWith(this.#ownPrefix)) {
      callback();
      return;
    }
    const text = typeof payload === 'string' ? payload : payload.toString('utf8');
    const decision = ingest(o.scope, topic, text, (o.now ?? Date.now)());
    if (decision.record === undefined) {
      o.onDecision?.(decision, topic, text);
      callback();
      return;
    }
    o.archive.store(decision.record).then(
      () => {
        o.onDecision?.(decision, topic, text);
        callback();
      },
      (error: Error) => {
        // No PUBACK: drop the connection so the broker redelivers from the session.
        o.log.error({ err: error.message, topic }, 'archive commit failed; reconnecting so the broker redelivers');
        client.stream.destroy();
      },
    );
  }

  /**
   * Disconnects, keeping the session on the broker. A SUBSCRIBE still in flight
   * is let finish first (up to 10 s): NATS 2.9 deletes the JetStream consumers
   * of a subscription whose connection closes before its SUBACK, with every
   * message queued for the session (nats-server v2.9.10 server/mqtt.go,
   * `processSubs` → `cleanupFailedSub`), so a hub stopped in that window would
   * lose what the wards send while it is down. Seen in hub-nats-cluster.e2e.
   */
  async stop(): Promise<void> {
    const client = this.#client;
    const subscribing = this.#subscribing;
    this.#client = undefined;
    this.#subscribing = undefined;
    if (client === undefined) return;
    if (subscribing !== undefined && client.connected) {
      await Promise.race([subscribing, new Promise((r) => setTimeout(r, 10_000))]);
    }
    await client.endAsync(true);
  }
}
