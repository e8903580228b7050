/**
 * The newcomer demo behind `npm start`: three virtual button boxes speaking
 * the real serial protocol on in-process lines (no hardware, no socat),
 * citizens pressing every few seconds, officers logged in at the counters,
 * a year of history for this ward (through the real journal) and for four
 * neighbouring wards of the district (published retained, as their bridges
 * would), so the district view has something to compare.
 */
// First: the packages below create their debug loggers as they load (debug-silencer.ts says why).
import '../debug-silencer.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { bridgeClientId } from '../../core/client-id.ts';
import { DEFAULT_OPENING_HOURS } from '../../core/opening-hours.ts';
import { addDays, localParts } from '../../core/time.ts';
import { publicationFor } from '../../core/topic-payload.ts';
import type { BrokerUser } from '../broker/broker-user.ts';
import type { HailongConfig } from '../config/hailong-config.ts';
import type { Feature } from '../controller.ts';
import type { HailongApp } from '../hailong-app.ts';
import { Journal } from '../journal/journal.ts';
import { StreamPorts } from '../serial/stream-ports.ts';
import { createStreamFleet, type StreamFleet } from '../simulator/fleet.ts';
import { JsonFileTerminalStore } from '../simulator/json-file-store.ts';
import { Simulation } from '../simulator/simulation.ts';
import { demoCitizens, demoOpeningHours, type DemoSession } from './demo-citizens.ts';
import { DEMO_BOXES, DEMO_DESK, demoConfig, demoOfficers } from './demo-office.ts';
import { generateHistory, type HistoryWard } from './history.ts';
import { demoOfficerName, demoWards, historyOffice } from './demo-wards.ts';
import { votesOfTallies } from './history-votes.ts';

/** Options of `Demo`. */
export interface DemoOptions {
  /** Folder for the demo's journal and virtual-terminal state. */
  readonly dataDir: string;
  readonly log: Logger;
  /** @default 8080 */
  readonly webPort?: number;
  /** @default 1883 */
  readonly brokerPort?: number;
  /** Mean seconds between citizens at one counter, as a range. @default [6, 15] */
  readonly meanIntervalSeconds?: readonly [number, number];
  /** Days of history. @default 365 */
  readonly historyDays?: number;
  /** Random seed. @default 2026 */
  readonly seed?: number;
}

/** The demo's parts. */
export class Demo {
  readonly ports = new StreamPorts();
  readonly fleet: StreamFleet;
  readonly config: HailongConfig;
  readonly neighbours: readonly HistoryWard[];
  /** The demo session opened because the demo started while the office was closed, if so. */
  readonly session: DemoSession | null;
  private readonly neighbourUsers: BrokerUser[];
  private simulation: Simulation | undefined;
  private readonly clients: MqttClient[] = [];

  constructor(readonly options: DemoOptions) {
    mkdirSync(join(options.dataDir, 'terminals'), { recursive: true });
    // Terminals keep seq and unacked votes on disk: a restarted demo never
    // reuses a seq, which the bridge would rightly drop as a duplicate.
    this.fleet = createStreamFleet(DEMO_BOXES.length, {
      uidPrefix: 'SIM-',
      store: (uid) => new JsonFileTerminalStore({ path: join(options.dataDir, 'terminals', `${uid}.json`) }),
    });
    const paths = this.fleet.pairs.map((p) => this.ports.add(p));
    const hours = demoOpeningHours(DEFAULT_OPENING_HOURS, Date.now());
    this.session = hours.session;
    this.config = demoConfig({
      dataDir: options.dataDir,
      ports: paths,
      openingHours: hours.hours,
      ...(options.webPort === undefined ? {} : { webPort: options.webPort }),
      ...(options.brokerPort === undefined ? {} : { brokerPort: options.brokerPort }),
    });
    this.neighbours = demoWards({ wards: 5, counters: 4 }).slice(1);
    this.neighbourUsers = this.neighbours.map((w) => ({
      username: `demo-${w.id}`,
      password: randomBytes(12).toString('hex'),
      role: 'bridge',
      district: this.config.district.id,
      ward: w.id,
    }));
  }

  /** Extra accounts the embedded broker needs: one bridge account per neighbouring ward. */
  brokerUsers(): readonly BrokerUser[] {
    return this.neighbourUsers;
  }

  /** The demo's features, started after the bridge's. */
  features(app: HailongApp): Feature[] {
    return [
      { name: 'demo-wards', dependsOn: ['broker'], start: () => this.publishNeighbours(app), stop: () => this.closeClients() },
      { name: 'demo-terminals', dependsOn: ['serial'], start: () => this.startTerminals(), stop: () => this.stopTerminals() },
    ];
  }

  private today(): string {
    return localParts(Date.now()).date;
  }

  /**
   * Gives this ward a year of history through its own journal, BEFORE the
   * bridge opens it (call before `HailongApp.start()`): the bridge's first
   * retained publish then carries every month, and the outbox never sees the
   * history as live votes. Seeding inside the running bridge raced its first
   * MQTT connect (issue 12: 3 of 13 months retained, 6000 old votes replayed).
   * Does nothing when the journal already holds votes.
   */
  async seedHistory(): Promise<void> {
    const journal = new Journal({ path: join(this.options.dataDir, 'journal.db'), levels: this.config.scale.levels.map((l) => l.key) });
    journal.open();
    try {
      await this.seedInto(journal);
    } finally {
      journal.close();
    }
  }

  private async seedInto(journal: Journal): Promise<void> {
    if (journal.voteCount() > 0) return;
    const days = this.options.historyDays ?? 365;
    const ward: HistoryWard = {
      id: this.config.ward.id,
      counters: DEMO_BOXES.map((b, i) => ({ id: b.counter, terminals: [b.terminal], officers: [`cb-${i * 2 + 1}`, `cb-${i * 2 + 2}`] })),
      satisfiedShare: 0.975,
    };
    const tallies = generateHistory({
      district: this.config.district.id,
      wards: [ward],
      from: addDays(this.today(), -days),
      to: this.today(),
      until: Date.now() - 60_000,
      seed: this.options.seed ?? 2026,
    });
    const votes = votesOfTallies(tallies, this.options.seed ?? 2026);
    this.options.log.info({ votes: votes.length, days }, 'demo: seeding this ward with a year of history');
    let stored = 0;
    // In chunks: one commit each, and the heap never holds a year of promises.
    for (let i = 0; i < votes.length; i += 2000) {
      const outcomes = await Promise.all(votes.slice(i, i + 2000).map((v) => journal.append(v)));
      stored += outcomes.filter((o) => o.status === 'stored').length;
    }
    // History is not news: its tallies are published, its votes are not replayed live.
    journal.markAllPublished();
    this.options.log.info({ stored }, 'demo: history stored');
  }

  private async connect(
    username: string,
    password: string,
    brokerPort: number,
    will?: { topic: string; payload: string },
    ward?: string,
  ): Promise<MqttClient> {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
      username,
      password,
      // The broker binds bridge client ids to the bridge account of their ward (core/client-id.ts).
      clientId: ward === undefined ? `hailong-demo-${username}` : bridgeClientId({ district: this.config.district.id, ward }, 'demo'),
      reconnectPeriod: 1000,
      ...(will === undefined ? {} : { will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true } }),
    });
    this.clients.push(client);
    return client;
  }

  private async publishNeighbours(app: HailongApp): Promise<void> {
    const brokerPort = app.endpoints().broker?.port;
    if (brokerPort === undefined) return;
    const district = this.config.district.id;
    const now = Date.now();
    const tallies = generateHistory({
      district,
      wards: this.neighbours,
      from: addDays(this.today(), -(this.options.historyDays ?? 365)),
      to: this.today(),
      until: now,
      seed: (this.options.seed ?? 2026) + 1,
    });
    let published = 0;
    for (const [i, ward] of this.neighbours.entries()) {
      const user = this.neighbourUsers[i] as BrokerUser;
      const place = { district, ward: ward.id };
      const offline = publicationFor('bridge-status', place, { v: 1, state: 'offline', at: now, model: 'hailong-demo' });
      const client = await this.connect(
        user.username,
        user.password,
        brokerPort,
        { topic: offline.topic, payload: offline.payload },
        user.ward,
      );
      const pubs = [
        publicationFor('bridge-status', place, { v: 1, state: 'online', at: now, model: 'hailong-demo' }),
        publicationFor(
          'office',
          place,
          historyOffice(ward, { district, districtName: this.config.district.name, index: i + 1, updatedAt: now }),
        ),
        ...ward.counters.flatMap((c) => [
          publicationFor(
            'session',
            { ...place, counter: c.id },
            { v: 1, officer: c.officers?.[0] ?? null, name: demoOfficerName(c.officers?.[0] ?? 'cb-1'), at: now },
          ),
          ...c.terminals.map((t) =>
            publicationFor(
              'status',
              { ...place, counter: c.id, terminal: t },
              { v: 1, state: 'online', at: now, kind: 'button', model: 'HLBOX-4', firmware: '1.0.0' },
            ),
          ),
        ]),
        ...tallies.filter((t) => t.ward === ward.id).map((t) => publicationFor('tally', t, t)),
      ];
      await Promise.all(pubs.map((p) => client.publishAsync(p.topic, p.payload, { qos: p.qos, retain: p.retain })));
      published += pubs.length;
    }
    // Officers logged in at this ward's counters, through the desk account.
    const desk = await this.connect(DEMO_DESK.username, DEMO_DESK.password, brokerPort);
    for (const o of demoOfficers()) {
      const p = publicationFor(
        'session',
        { district, ward: this.config.ward.id, counter: o.counter },
        { v: 1, officer: o.officer, name: o.name, at: now },
      );
      await desk.publishAsync(p.topic, p.payload, { qos: p.qos, retain: p.retain });
    }
    this.options.log.info({ wards: this.neighbours.length, messages: published }, 'demo: neighbouring wards published');
  }

  private startTerminals(): void {
    const [lo, hi] = this.options.meanIntervalSeconds ?? [6, 15];
    this.fleet.start();
    this.simulation = new Simulation({
      terminals: this.fleet.terminals,
      ...demoCitizens({ openingHours: this.config.openingHours, cooldownMs: this.config.rating.cooldownMs, meanIntervalSeconds: [lo, hi] }),
      seed: this.options.seed ?? Date.now() % 100_000,
      progressIntervalMs: 60_000,
    });
    this.simulation.start();
    const s = this.session;
    if (s !== null) {
      this.options.log.info(
        { session: s },
        `demo: văn phòng đang ngoài giờ làm việc, bản demo mở một buổi mô phỏng` +
          ` (${s.day} ${s.from}–${s.to}${s.nextDayUntil === undefined ? '' : `, hôm sau 00:00–${s.nextDayUntil}`})` +
          ' để có lượt đánh giá trực tiếp · the office is closed now: the demo opens a demo session so that live votes flow',
      );
    }
    this.options.log.info(
      { terminals: this.fleet.terminals.length, meanIntervalSeconds: [lo, hi] },
      'demo: virtual citizens are voting (only during opening hours)',
    );
  }

  private async stopTerminals(): Promise<void> {
    this.simulation?.stop();
    await this.fleet.close();
  }

  private async closeClients(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.endAsync()));
  }
}
