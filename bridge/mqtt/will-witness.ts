/**
 * The ward's witness of its kiosks' last wills. A kiosk's will is set when
 * it connects, so it carries the connection's `at` (core mergeStatus): the
 * dashboard showed "mất kết nối từ 11:17" for a kiosk that connected at
 * 11:17:36 and went offline at 11:18:28 (issue 12, defect 4). The bridge,
 * always connected in the office, sees the will arrive live and republishes
 * it retained with `since` = the moment it noticed, so a dashboard opened
 * later still shows when the kiosk went offline. Button boxes need no
 * witness: the bridge publishes their offline itself, at the time.
 *
 * It also sees two devices opened on one kiosk URL (issue 12, defect 5):
 * live "online" statuses of one terminal from two device uids within
 * `CONFLICT_WINDOW_MS`. The kiosks settle it themselves (the later one
 * yields, core keepsTerminal); the bridge says it in its log at warn.
 */
import type { Logger } from 'pino';
import { subscriptionFor } from '../../core/topic.ts';
import type { TopicMessage } from '../../core/topic-payload.ts';
import type { HailongConfig } from '../config/hailong-config.ts';
import { terminalsOf } from '../config/hailong-config.ts';
import type { MqttLink } from './mqtt-link.ts';

/** Two device uids online on one terminal within this window are two devices on one kiosk URL (ms). */
export const CONFLICT_WINDOW_MS = 5 * 60_000;

/** The same conflict is logged again at most this often (ms). */
const CONFLICT_LOG_EVERY_MS = 10 * 60_000;

/** The will-witness feature. */
export class WillWitness {
  private readonly kiosks: ReadonlySet<string>;
  /** The last live "online" per kiosk: device uid and its `at`. */
  private readonly lastOnline = new Map<string, { uid: string; at: number }>();
  private readonly loggedAt = new Map<string, number>();
  private readonly onMessage = (m: TopicMessage, retained: boolean) => this.witness(m, retained);

  constructor(
    private readonly config: HailongConfig,
    private readonly link: MqttLink,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.kiosks = new Set(
      terminalsOf(config)
        .filter((t) => t.kind === 'touch')
        .map((t) => `${t.counter.id}/${t.id}`),
    );
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
    const key = `${params.counter}/${params.terminal}`;
    if (!this.kiosks.has(key)) return;
    if (payload.state === 'online') {
      this.noteOnline(key, params.terminal, payload.uid, payload.at);
      return;
    }
    if (payload.since !== undefined) return;
    const since = this.now();
    this.log.warn(
      { terminal: params.terminal, counter: params.counter, connectedAt: new Date(payload.at).toISOString() },
      'kiosk offline: its last will fired',
    );
    this.link.publish('status', params, { ...payload, since }).catch((error: Error) => {
      // Disconnected: the dashboards that saw the will live stamp it themselves.
      this.log.debug({ terminal: params.terminal, error: error.message }, 'could not republish the stamped will');
    });
  }

  private noteOnline(key: string, terminal: string, uid: string | undefined, at: number): void {
    if (uid === undefined) return;
    const last = this.lastOnline.get(key);
    this.lastOnline.set(key, { uid, at });
    if (last === undefined || last.uid === uid || Math.abs(at - last.at) > CONFLICT_WINDOW_MS) return;
    const now = this.now();
    if (now - (this.loggedAt.get(key) ?? Number.NEGATIVE_INFINITY) < CONFLICT_LOG_EVERY_MS) return;
    this.loggedAt.set(key, now);
    this.log.warn(
      { terminal, devices: [last.uid, uid] },
      `two devices use the kiosk address of terminal ${terminal} (or a tablet was just replaced): the one opened later stops and shows why; close the kiosk page on one of them`,
    );
  }
}
