/**
 * The ward's witness of its kiosks' last wills. A kiosk's will is set when
 * it connects, so it carries the connection's `at` (core mergeStatus): the
 * dashboard showed "mất kết nối từ 11:17" for a kiosk that connected at
 * 11:17:36 and went offline at 11:18:28 (issue 12, defect 4). The bridge,
 * always connected in the office, sees the will arrive live and republishes
 * it retained with `since` = the moment it noticed, so a dashboard opened
 * later still shows when the kiosk went offline. Button boxes need no
 * witness: the bridge publishes their offline itself, at the time.
 */
import type { Logger } from 'pino';
import { subscriptionFor } from '../../core/topic.ts';
import type { TopicMessage } from '../../core/topic-payload.ts';
import type { HailongConfig } from '../config/hailong-config.ts';
import { terminalsOf } from '../config/hailong-config.ts';
import type { MqttLink } from './mqtt-link.ts';

/** The will-witness feature. */
export class WillWitness {
  private readonly kiosks: ReadonlySet<string>;
  private readonly onMessage = (m: TopicMessage, retained: boolean) => this.witness(m, retained);

  constructor(
    private readonly config: HailongConfig,
    private readonly link: MqttLink,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.kiosks = new Set(terminalsOf(config).filter((t) => t.kind === 'touch').map((t) => `${t.counter.id}/${t.id}`));
  }

  /** Subscribes to the ward's terminal statuses. */
  start(): void {
    this.link.on('message', this.onMessage);
    this.link.subscribe([subscriptionFor('status', { district: this.config.district.id, ward: this.config.ward.id })]);
  }

  /** Stops listening. */
  stop(): void {
    this.link.off('message', this.onMessage);
  }

  private witness(m: TopicMessage, retained: boolean): void {
    // A retained will fired while we were away: when is unknown, so claim nothing.
    if (m.kind !== 'status' || retained) return;
    const { params, payload } = m;
    if (params.district !== this.config.district.id || params.ward !== this.config.ward.id) return;
    if (!this.kiosks.has(`${params.counter}/${params.terminal}`)) return;
    if (payload.state !== 'offline' || payload.since !== undefined) return;
    const since = this.now();
    this.log.warn({ terminal: params.terminal, counter: params.counter, connectedAt: new Date(payload.at).toISOString() }, 'kiosk offline: its last will fired');
    this.link.publish('status', params, { ...payload, since }).catch((error: Error) => {
      // Disconnected: the dashboards that saw the will live stamp it themselves.
      this.log.debug({ terminal: params.terminal, error: error.message }, 'could not republish the stamped will');
    });
  }
}
