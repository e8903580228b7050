/**
 * The hub as one process: its archive, the broker the units forward to
 * (embedded Aedes with the archive commit in the publish path, or a
 * persistent-session subscriber on an external Mosquitto), and the web
 * server for the parent dashboard (with MQTT over WebSocket on `/mqtt`).
 * Features with start()/stop() (bridge/controller.ts), like the office app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { hubClientId } from '../../core/client-id.ts';
import type { Office } from '../../core/office.ts';
import { DEFAULT_OPENING_HOURS } from '../../core/opening-hours.ts';
import { DEFAULT_SCALE } from '../../core/scale.ts';
import { topicFor } from '../../core/topic.ts';
import type { BrokerUser } from '../broker/broker-user.ts';
import { EmbeddedBroker, type EmbeddedBrokerStats, type PublishDecision } from '../broker/embedded-broker.ts';
import { Controller, type Feature, type FeatureState } from '../controller.ts';
import { StaticServer } from '../static-server.ts';
import { HubArchive, type ArchiveStats } from './hub-archive.ts';
import { hubSource } from '../report/report-source.ts';
import { ReportSchedule } from './report-schedule.ts';
import { unitAccountsOf, type HubConfig } from './hub-config.ts';
import { HubCounters, type UnitCounters } from './hub-counters.ts';
import { ingest, oldestRetainedMonth, type IngestScope } from './hub-ingest.ts';
import { HubReceipts } from './hub-receipts.ts';
import { HubSubscriber } from './hub-subscriber.ts';
import { HubSummaries } from './hub-summaries.ts';

/** Options of `HubApp`. */
export interface HubAppOptions {
  readonly config: HubConfig;
  readonly log: Logger;
  readonly version: string;
  /** Serve the built web apps from this folder; undefined = no web server. */
  readonly webRoot?: string;
  /** PEM text of the external broker's CA (mqtts/wss). */
  readonly ca?: string;
  /** Extra accounts on the embedded broker (tests, the demo). */
  readonly extraBrokerUsers?: readonly BrokerUser[];
  /**
   * Clock (retention window, archive times).
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * How often the hub logs its progress line (ms).
   * @default 10000
   */
  readonly statsIntervalMs?: number;
  /**
   * Wait after a unit-month's tally changed before publishing its summary (ms).
   * @default 500
   */
  readonly summaryDelayMs?: number;
  /**
   * How often the hub looks for a month or quarter that ended, to write and
   * e-mail its report pack (ms).
   * @default 600000
   */
  readonly reportCheckEveryMs?: number;
  /**
   * Shortest interval between two archive receipts of one terminal (ms).
   * @default 1000
   */
  readonly receiptEveryMs?: number;
}

/** The hub's counters (`GET /hub/status`). */
export interface HubStatus {
  readonly parent: HubConfig['parent'];
  /** Votes in the archive (null while it is not open), refused messages kept, and the counters since start. */
  readonly archive: ArchiveStats & { readonly votes: number | null; readonly refusedKept: number | null };
  /** Per unit: messages accepted, and refused by code. */
  readonly units: Record<string, UnitCounters>;
  readonly broker: EmbeddedBrokerStats | null;
}

/** Where the hub listens, once started. */
export interface HubEndpoints {
  readonly broker?: { readonly port: number; readonly url: string };
  readonly web?: { readonly port: number; readonly dashboard: string; readonly mqttWs?: string };
}

/** The whole hub process. */
export class HubApp {
  readonly archive: HubArchive;
  /** Month- and quarter-end report packs, e-mailed when `reports.smtp` is set (issue 15). */
  readonly reports: ReportSchedule;
  readonly broker: EmbeddedBroker | undefined;
  readonly subscriber: HubSubscriber | undefined;
  readonly web: StaticServer | undefined;
  readonly counters: HubCounters;
  /** The units' monthly summaries for the parent view (embedded broker only). */
  readonly summaries: HubSummaries | undefined;
  /** Per unit terminal, what the archive holds (retained), so a ward forwards again what a broker lost. */
  readonly receipts: HubReceipts;
  readonly #controller: Controller;
  readonly #scope: IngestScope;
  readonly #now: () => number;
  #brokerPort = 0;
  #webPort = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(readonly options: HubAppOptions) {
    const { config, log } = options;
    this.#now = options.now ?? Date.now;
    this.#scope = {
      parent: config.parent.id,
      parentName: config.parent.name,
      units: new Map(
        config.units.map((u) => [
          u.id,
          { name: u.name, target: u.target, ...(u.mergedFrom === undefined ? {} : { mergedFrom: u.mergedFrom }) },
        ]),
      ),
      retainMonths: config.retainMonths,
    };
    this.archive = new HubArchive({ path: join(config.dataDir, 'archive.db'), now: this.#now });
    this.counters = new HubCounters(log.child({ part: 'ingest' }));
    this.reports = new ReportSchedule({
      config: config.reports ?? { dir: 'reports' },
      dataDir: config.dataDir,
      source: () => hubSource(config, this.archive, true),
      log: log.child({ part: 'reports' }),
      now: this.#now,
      ...(options.reportCheckEveryMs === undefined ? {} : { checkEveryMs: options.reportCheckEveryMs }),
    });
    const embedded = config.mqtt.urls.length === 0;
    this.broker = embedded
      ? new EmbeddedBroker({
          port: config.broker.port,
          host: config.broker.host,
          anonymous: config.broker.anonymous,
          users: [...unitAccountsOf(config), ...config.broker.users, ...(options.extraBrokerUsers ?? [])],
          interceptPublish: (_principal, topic, payload) => this.#intercept(topic, payload),
          logger: log.child({ part: 'broker' }),
        })
      : options.webRoot === undefined
        ? undefined
        : // On an external broker the dashboards still need MQTT over WebSocket, which NATS 2.9
          // lacks (docs/PROVINCE.md): a loopback-only Aedes, fed by the subscriber after each
          // commit, serves the parent dashboard on /mqtt. Units never connect to it.
          new EmbeddedBroker({
            port: 0,
            host: '127.0.0.1',
            anonymous: config.broker.anonymous,
            users: [...config.broker.users, ...(options.extraBrokerUsers ?? [])],
            interceptPublish: async () => ({ verdict: 'drop' as const }),
            logger: log.child({ part: 'live-mirror' }),
          });
    const mirror = embedded ? undefined : this.broker;
    const broker = this.broker;
    // Summaries only with the embedded broker the units publish to (its publish hook sees every tally).
    this.summaries =
      broker === undefined || !embedded
        ? undefined
        : new HubSummaries({
            parent: config.parent.id,
            archive: this.archive,
            publish: (topic, payload) => broker.publish(topic, payload, true),
            retainMonths: config.retainMonths,
            log: log.child({ part: 'summaries' }),
            now: this.#now,
            ...(options.summaryDelayMs === undefined ? {} : { delayMs: options.summaryDelayMs }),
          });
    this.subscriber = embedded
      ? undefined
      : new HubSubscriber({
          urls: config.mqtt.urls,
          username: config.mqtt.username ?? '',
          password: config.mqtt.password ?? '',
          clientId: config.mqtt.clientId ?? hubClientId(config.parent.id, config.mqtt.password),
          scope: this.#scope,
          archive: this.archive,
          log: log.child({ part: 'subscriber' }),
          onDecision: (d, topic, payload) => {
            this.counters.count(d);
            if (d.accept && d.record?.type === 'vote') this.receipts.noteVote(d.record.unit, d.record.id);
            if (mirror !== undefined && d.accept) {
              mirror
                .publish(topic, d.payload ?? payload, d.retain)
                .catch((error: Error) => log.warn({ err: error.message, topic }, 'live mirror publish failed'));
            }
          },
          onConnect: () => void this.receipts.publishAll(),
          now: this.#now,
          ...(options.ca === undefined ? {} : { ca: options.ca }),
        });
    const subscriber = this.subscriber;
    this.receipts = new HubReceipts({
      parent: config.parent.id,
      archive: this.archive,
      publish:
        subscriber !== undefined
          ? (topic, payload) => subscriber.publish(topic, payload)
          : (topic, payload) => (broker as EmbeddedBroker).publish(topic, payload, true),
      log: log.child({ part: 'receipts' }),
      now: this.#now,
      ...(options.receiptEveryMs === undefined ? {} : { everyMs: options.receiptEveryMs }),
    });
    this.web =
      options.webRoot === undefined
        ? undefined
        : new StaticServer({
            root: options.webRoot,
            port: config.web.port,
            host: config.web.host,
            log: log.child({ part: 'web' }),
            api: (req, res) => this.#statusApi(req, res),
          });
    this.#controller = new Controller(this.#features(), log);
  }

  #features(): Feature[] {
    const { config } = this.options;
    const features: Feature[] = [{ name: 'archive', start: () => this.archive.open(), stop: () => this.archive.close() }];
    const broker = this.broker;
    if (broker !== undefined) {
      features.push({
        name: 'broker',
        dependsOn: ['archive'],
        start: async () => {
          this.#brokerPort = (await broker.start()).port;
          await this.#restoreRetained(broker);
          await this.summaries?.publishAll();
        },
        stop: () => {
          this.summaries?.stop();
          return broker.stop();
        },
      });
    }
    const subscriber = this.subscriber;
    if (subscriber !== undefined)
      features.push({ name: 'subscriber', dependsOn: ['archive'], start: () => subscriber.start(), stop: () => subscriber.stop() });
    const web = this.web;
    if (web !== undefined) {
      features.push({
        name: 'web',
        start: async () => {
          this.#webPort = await web.start();
          if (broker !== undefined && web.httpServer !== undefined) broker.attachWebSocket(web.httpServer, '/mqtt');
        },
        stop: () => web.stop(),
      });
    }
    features.push({
      name: 'progress',
      start: () => {
        this.#timer = setInterval(() => this.counters.logProgress(this.archive.stats()), this.options.statsIntervalMs ?? 10_000);
        this.#timer.unref();
      },
      stop: () => clearInterval(this.#timer),
    });
    features.push({
      name: 'receipts',
      dependsOn: [
        'archive',
        ...(broker !== undefined && subscriber === undefined ? ['broker'] : []),
        ...(subscriber !== undefined ? ['subscriber'] : []),
      ],
      start: () => this.receipts.start(),
      stop: () => this.receipts.stop(),
    });
    features.push({ name: 'reports', dependsOn: ['archive'], start: () => this.reports.start(), stop: () => this.reports.stop() });
    void config;
    return features;
  }

  /** The embedded broker's publish hook: decide, commit, then let Aedes PUBACK. */
  async #intercept(topic: string, payload: Buffer): Promise<PublishDecision> {
    const decision = ingest(this.#scope, topic, payload.toString('utf8'), this.#now());
    if (decision.record !== undefined) await this.archive.store(decision.record);
    this.counters.count(decision);
    const r = decision.record;
    if (decision.accept && r?.type === 'vote') this.receipts.noteVote(r.unit, r.id);
    if (decision.accept && r?.type === 'retained' && r.kind === 'tally' && r.month !== undefined)
      this.summaries?.noteTally(r.unit, r.month);
    if (!decision.accept) return { verdict: 'drop' };
    const verdict = decision.retain ? 'forward' : 'forward-unretained';
    return decision.payload === undefined ? { verdict } : { verdict, payload: decision.payload };
  }

  /**
   * Puts the archived retained state (tallies of the retention window,
   * statuses, offices) back on a fresh embedded broker: Aedes keeps retained
   * messages in memory, and an office that is offline while the hub restarts
   * must not vanish from the parent dashboard.
   */
  async #restoreRetained(broker: EmbeddedBroker): Promise<void> {
    const oldest = oldestRetainedMonth(this.#now(), this.options.config.retainMonths);
    let n = 0;
    for (const row of this.archive.retained()) {
      if (row.month !== null && row.month < oldest) continue;
      await broker.publish(row.topic, row.payload, true);
      n++;
    }
    // A unit never heard from still belongs on the parent dashboard (as "no data yet"): a
    // placeholder office with the hub's names, updatedAt 0 so the unit's own office replaces it.
    const known = new Set(
      this.archive
        .retained()
        .filter((r) => r.kind === 'office')
        .map((r) => r.topic),
    );
    const { config } = this.options;
    for (const unit of config.units) {
      const topic = topicFor('office', { district: config.parent.id, ward: unit.id });
      if (known.has(topic)) continue;
      const office: Office = {
        v: 1,
        district: config.parent.id,
        ward: unit.id,
        districtName: config.parent.name,
        wardName: unit.name,
        scale: DEFAULT_SCALE.id,
        target: unit.target,
        ...(unit.mergedFrom === undefined ? {} : { mergedFrom: unit.mergedFrom }),
        openingHours: DEFAULT_OPENING_HOURS,
        counters: [],
        updatedAt: 0,
      };
      await broker.publish(topic, JSON.stringify(office), true);
    }
    this.options.log.info({ restored: n, oldestMonth: oldest }, `restored ${n} retained messages from the archive`);
  }

  /** What the hub has done, for `GET /hub/status` and tests: the archive and each unit's counters. */
  status(): HubStatus {
    const open = this.#controller.featureStates.get('archive') === 'running';
    return {
      parent: this.options.config.parent,
      archive: {
        votes: open ? this.archive.voteCount() : null,
        refusedKept: open ? this.archive.refusedCount() : null,
        ...this.archive.stats(),
      },
      units: this.counters.snapshot(),
      broker: this.broker?.stats() ?? null,
    };
  }

  /** `GET /hub/status`: the hub's counters as JSON (bad input from units is visible here, not only in the log). */
  #statusApi(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.url?.split('?')[0] !== '/hub/status') return false;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(this.status()));
    return true;
  }

  /** Where everything listens (valid after `start()`). */
  endpoints(host = 'localhost'): HubEndpoints {
    const out: { -readonly [K in keyof HubEndpoints]: HubEndpoints[K] } = {};
    // The live mirror (external broker) is loopback-only, not the units' broker: not an endpoint.
    if (this.broker !== undefined && this.subscriber === undefined)
      out.broker = { port: this.#brokerPort, url: `mqtt://${host}:${this.#brokerPort}` };
    if (this.web !== undefined) {
      const base = `http://${host}:${this.#webPort}`;
      out.web = {
        port: this.#webPort,
        // hub=1: the district view folds the units' summaries, not every tally (dashboard/src/store/unit-figures.ts);
        // only the embedded broker gets them (on Mosquitto the dashboard folds the tallies).
        dashboard: `${base}/dashboard/?district=${this.options.config.parent.id}${this.summaries === undefined ? '' : '&hub=1'}#/district`,
        ...(this.broker !== undefined ? { mqttWs: `ws://${host}:${this.#webPort}/mqtt` } : {}),
      };
    }
    return out;
  }

  /** Starts every feature and logs the banner. Never throws because a feature failed. */
  async start(): Promise<ReadonlyMap<string, FeatureState>> {
    const states = await this.#controller.start();
    const { config } = this.options;
    const e = this.endpoints();
    const failed = [...states].filter(([, s]) => s !== 'running').map(([n, s]) => `${n} ${s}`);
    const lines = [
      `hailong hub ${this.options.version} · ${config.parent.name}, ${config.units.length} units`,
      ...(e.web === undefined ? [] : [`  Bảng theo dõi / dashboard: ${e.web.dashboard}`]),
      e.broker === undefined
        ? `  MQTT broker (external, persistent session): ${config.mqtt.urls.join(', ')}`
        : `  MQTT broker (embedded) for the units: ${e.broker.url}${e.web?.mqttWs === undefined ? '' : ` · WebSocket ${e.web.mqttWs}`}`,
      `  Archive: ${this.archive.path} (${states.get('archive') === 'running' ? this.archive.voteCount() : '?'} votes)`,
      ...(failed.length > 0 ? [`  NOT RUNNING: ${failed.join(', ')}`] : []),
    ];
    this.options.log.info({ endpoints: e, features: Object.fromEntries(states) }, lines.join('\n'));
    return states;
  }

  /** Stops everything. */
  async stop(): Promise<void> {
    await this.#controller.stop();
  }
}
