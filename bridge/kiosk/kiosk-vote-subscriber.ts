/**
 * Kiosk votes from an external broker (Mosquitto): a client of its own
 * with a fixed client id and a persistent session (clean: false), QoS 1
 * subscriptions to each configured kiosk's vote topic, and the PUBACK sent
 * only after the journal commit (mqtt.js sends it when `handleMessage`
 * calls back). The broker keeps what was not
 * acknowledged for this session and sends it again after a reconnect, so a
 * `kill -9` of the bridge loses no kiosk vote, and the journal's dedupe by
 * id counts none twice.
 *
 * mqtt.js handles a connection's incoming packets one after another (the
 * next only after this one's acknowledgement is written): kiosk votes are
 * stored in the order the broker delivers them.
 */
// First: the packages below create their debug loggers as they load (debug-silencer.ts says why).
import '../debug-silencer.ts';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { subscriptionFor } from '../../core/topic.ts';
import type { KioskIntake } from './kiosk-intake.ts';

/** Options of `KioskVoteSubscriber`. */
export interface KioskVoteSubscriberOptions {
  readonly intake: KioskIntake;
  /** Broker URLs (failover in turn), like the bridge's own link. */
  readonly urls: readonly string[];
  /** Fixed: the broker keeps this session's unacknowledged votes across restarts. */
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  /** PEM text of the CA (mqtts/wss). */
  readonly ca?: string;
  readonly log: Logger;
  /**
   * Wait before dropping the connection after a vote could not be stored
   * (journal full), so the broker sends it again.
   * @default 1000
   */
  readonly retryMs?: number;
}

/** Subscribes to the kiosks' votes and stores each before acknowledging it. */
export class KioskVoteSubscriber {
  private client: MqttClient | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private granted = false;

  constructor(readonly options: KioskVoteSubscriberOptions) {}

  /** Connects (in the background) when the office has kiosks; otherwise does nothing. */
  start(): void {
    const o = this.options;
    const { config } = o.intake.options;
    const filters = o.intake
      .terminals()
      .map((t) => subscriptionFor('vote', { district: config.district.id, ward: config.ward.id, counter: t.counter.id, terminal: t.id }));
    if (filters.length === 0 || this.client !== undefined) return;
    const servers: IClientOptions['servers'] = o.urls.map((u) => {
      const url = new URL(u);
      const protocol = url.protocol.replace(':', '') as 'mqtt' | 'mqtts' | 'ws' | 'wss';
      return { host: url.hostname, port: url.port === '' ? (protocol === 'mqtts' ? 8883 : 1883) : Number(url.port), protocol };
    });
    const first = new URL(o.urls[0] as string);
    const client = mqtt.connect({
      servers,
      path: first.pathname === '/' ? '/mqtt' : first.pathname,
      clientId: o.clientId,
      clean: false,
      protocolVersion: 4,
      keepalive: 15,
      reconnectPeriod: 1000,
      reconnectOnConnackError: true,
      resubscribe: true,
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(o.password === undefined ? {} : { password: o.password }),
      ...(o.ca === undefined ? {} : { ca: o.ca, rejectUnauthorized: true }),
    });
    // mqtt.js writes a QoS 1 PUBACK only when `handleMessage` calls back
    // (lib/handlers/publish.js; its `customHandleAcks` is for MQTT 5 only,
    // and hailong speaks 3.1.1): the vote is committed first.
    client.handleMessage = (packet, callback) => {
      void o.intake.ingest(packet.topic, packet.payload as Buffer).then((verdict) => {
        // Stored, duplicate or refused for good: acknowledge (a refused
        // payload would otherwise come back for ever). Not stored for now
        // (journal full): no PUBACK; reconnect so the broker resends it.
        if (verdict.accept || !verdict.retry) callback();
        else this.retryLater(client);
      });
    };
    this.client = client;
    client.on('connect', (connack) => {
      o.log.info({ kiosks: filters.length, sessionPresent: connack.sessionPresent }, 'kiosk vote intake connected');
      // Subscribed again every time: a broker that lost the session forgets the subscriptions too.
      client.subscribe(filters, { qos: 1 }, (error, grants) => {
        if (error !== undefined && error !== null) o.log.warn({ error: error.message }, 'kiosk vote intake: subscribe failed');
        else if (grants?.some((g) => g.qos === 128))
          o.log.error({ filters }, 'kiosk vote intake: the broker refused the subscription (ACL?): kiosk votes are NOT journaled');
        else this.granted = true;
      });
    });
    client.on('error', (error) => o.log.warn({ error: error.message }, 'kiosk vote intake: MQTT error'));
  }

  /**
   * True once the broker granted the subscriptions. From then on the
   * session holds every kiosk vote for the bridge, even while it is down.
   */
  get subscribed(): boolean {
    return this.granted;
  }

  private retryLater(client: MqttClient): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.client === client) client.stream.destroy();
    }, this.options.retryMs ?? 1000);
  }

  /** Disconnects; unacknowledged votes stay with the broker for the next start. */
  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    await Promise.race([client.endAsync(false), new Promise((r) => setTimeout(r, 2000))]);
    if (!client.disconnected) await client.endAsync(true);
  }
}
