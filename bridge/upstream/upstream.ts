/**
 * Forwarding to the district's (or province's) hub, as bridge features:
 * `upstream` (the hub link, the vote and revocation forwarders over the
 * journal and the ward's bridge status on the hub; needs only the journal) and
 * `upstream-retained` (mirrors the retained state of the ward's own broker;
 * needs the local MQTT link). Everything here runs beside the local vote
 * path and never in it: a hub that is down, refuses the login or drops
 * leaves boxes, kiosks and the ward dashboard untouched.
 */
import type { Logger } from 'pino';
import type { UpstreamProgress } from '../../core/status.ts';
import type { TopicMessage } from '../../core/topic-payload.ts';
import { encodePayload } from '../../core/topic-payload.ts';
import { subscriptionForAll, topicFor } from '../../core/topic.ts';
import { upstreamClientId } from '../../core/client-id.ts';
import type { WardPath } from '../../core/path.ts';
import type { UpstreamConfig } from '../config/upstream-config.ts';
import type { Feature } from '../controller.ts';
import type { Journal } from '../journal/journal.ts';
import type { MqttLink } from '../mqtt/mqtt-link.ts';
import { ArchiveWatch, type ArchiveWatchOptions } from './archive-watch.ts';
import { mirrorSubscriptions, RetainedMirror, type RetainedMirrorOptions } from './retained-mirror.ts';
import { RevocationForwarder, type RevocationForwarderOptions } from './revocation-forwarder.ts';
import { UpstreamLink, type UpstreamLinkOptions } from './upstream-link.ts';
import { VoteForwarder, type VoteForwarderOptions } from './vote-forwarder.ts';

/** Options of `Upstream`. */
export interface UpstreamOptions {
  readonly config: UpstreamConfig;
  readonly ward: WardPath;
  readonly journal: Journal;
  /** The link to the ward's own broker, whose retained state is mirrored. */
  readonly local: MqttLink;
  /** hailong's version, in the bridge status on the hub. */
  readonly version: string;
  /** The bridge's counters, in the bridge status on the hub. */
  readonly counters: () => Record<string, number>;
  /** PEM text of `upstream.caFile`. */
  readonly ca?: string;
  readonly log: Logger;
  /** Called after each periodic refresh of the hub status (the ward refreshes its own). */
  readonly onStatusRefresh?: () => void;
  /** Tuning (tests, the bench). */
  readonly link?: Pick<UpstreamLinkOptions, 'minBackoffMs' | 'maxBackoffMs' | 'keepaliveSeconds' | 'summaryMs'>;
  readonly forwarder?: VoteForwarderOptions;
  readonly revocations?: RevocationForwarderOptions;
  readonly mirror?: RetainedMirrorOptions;
  /** The hub's archive receipts: grace before a vote the archive never got is forwarded again. */
  readonly archive?: ArchiveWatchOptions;
}

/** The upstream part of a ward bridge. */
export class Upstream {
  readonly link: UpstreamLink;
  readonly forwarder: VoteForwarder;
  /** The supervisors' revocations, from the journal to the hub (issue 10). */
  readonly revocations: RevocationForwarder;
  readonly mirror: RetainedMirror;
  /** The hub's archive receipts: votes the hub's broker acknowledged and lost are forwarded again. */
  readonly archiveWatch: ArchiveWatch;
  private readonly onLocalMessage = (m: TopicMessage) => this.mirror.received(m);

  constructor(readonly options: UpstreamOptions) {
    const { config, ward, log } = options;
    const version = options.version;
    this.link = new UpstreamLink({
      urls: config.urls,
      clientId: config.clientId ?? upstreamClientId(ward, config.password),
      ...(config.username === undefined ? {} : { username: config.username }),
      ...(config.password === undefined ? {} : { password: config.password }),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      will: {
        topic: topicFor('bridge-status', ward),
        payload: (at) => encodePayload('bridge-status', { v: 1, state: 'offline', at, model: 'hailong-bridge', firmware: version }),
      },
      ...options.link,
      log: log.child({ part: 'upstream' }),
    });
    this.forwarder = new VoteForwarder(options.journal, this.link, log.child({ part: 'upstream' }), {
      // The hub lets this ward write only under its own place.
      topicPrefix: subscriptionForAll(ward).slice(0, -1),
      ...options.forwarder,
    });
    this.archiveWatch = new ArchiveWatch(options.journal, this.link, ward, log.child({ part: 'upstream' }), () => this.forwarder.rewind(), {
      ...(config.archiveGraceSeconds === undefined ? {} : { graceMs: config.archiveGraceSeconds * 1000 }),
      ...options.archive,
    });
    this.revocations = new RevocationForwarder(options.journal, this.link, ward, log.child({ part: 'upstream' }), options.revocations);
    this.mirror = new RetainedMirror(
      ward,
      this.link,
      {
        version,
        counters: options.counters,
        progress: () => this.progress(),
        draining: () => this.forwarder.draining,
        ...(options.onStatusRefresh === undefined ? {} : { refreshed: options.onStatusRefresh }),
      },
      log.child({ part: 'upstream' }),
      options.mirror,
    );
  }

  /** The forwarding progress (for `_bridge/status`). */
  progress(): UpstreamProgress {
    const s = this.forwarder.stats();
    const revocations = this.revocations.stats();
    const archive = this.archiveWatch.stats();
    return {
      connected: s.connected,
      backlog: s.backlog,
      votesPerSecond: s.votesPerSecond,
      forwarded: s.forwarded,
      ...(s.lastAckAt > 0 ? { lastAckAt: s.lastAckAt } : {}),
      ...(s.skipped > 0 ? { skipped: s.skipped } : {}),
      ...(revocations.backlog > 0 ? { revocationBacklog: revocations.backlog } : {}),
      ...(archive.unarchived > 0 ? { unarchived: archive.unarchived } : {}),
      ...(archive.reforwarded > 0 ? { reforwarded: archive.reforwarded } : {}),
    };
  }

  /** The features, in start order (after the bridge's journal and mqtt). */
  features(): Feature[] {
    return [
      {
        name: 'upstream',
        dependsOn: ['journal'],
        start: () => {
          this.forwarder.start();
          this.archiveWatch.start();
          this.revocations.start();
          this.mirror.start();
          this.link.start();
        },
        stop: async () => {
          await this.mirror.stop(true);
          this.forwarder.stop();
          this.archiveWatch.stop();
          this.revocations.stop();
          await this.link.stop();
        },
      },
      {
        name: 'upstream-retained',
        dependsOn: ['mqtt', 'upstream'],
        start: () => {
          this.options.local.on('message', this.onLocalMessage);
          this.options.local.subscribe(mirrorSubscriptions(this.options.ward));
        },
        stop: () => {
          this.options.local.off('message', this.onLocalMessage);
        },
      },
    ];
  }
}
