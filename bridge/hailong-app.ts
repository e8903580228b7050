/**
 * hailong as one process: the embedded broker (unless the config names an
 * external one), the web server for the dashboard, the kiosk and MQTT over
 * WebSocket, the ward bridge, and optional extra features (the demo). It
 * prints a start banner with every URL and port once everything listens.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { EmbeddedBroker } from './broker/embedded-broker.ts';
import { kioskUsersOf } from './broker/kiosk-users.ts';
import type { BrokerUser } from './broker/broker-user.ts';
import { BRIDGE_USERNAME } from './config/validate-config.ts';
import { terminalsOf, usesEmbeddedBroker, type HailongConfig } from './config/hailong-config.ts';
import { Controller, type Feature, type FeatureState } from './controller.ts';
import type { DiscoveryFs } from './serial/port-candidates.ts';
import type { PortOpener } from './serial/port-handle.ts';
import type { TerminalSessionOptions } from './serial/terminal-session.ts';
import { StaticServer } from './static-server.ts';
import { WardBridge } from './ward-bridge.ts';

/** The embedded broker's persistence, in the data folder beside the journal. */
export const BROKER_DB_FILE = 'broker.db';

/** Options of `HailongApp`. */
export interface HailongAppOptions {
  readonly config: HailongConfig;
  readonly log: Logger;
  readonly version: string;
  /** The config file, for the banner. */
  readonly configFile?: string;
  /** Serve the built web apps from this folder (with /mqtt when the broker is embedded); undefined = no web server. */
  readonly webRoot?: string;
  /** Serial adapter and discovery (the demo passes in-process ports). */
  readonly opener?: PortOpener;
  readonly discovery?: DiscoveryFs;
  /** Protocol timings (tests shorten them). */
  readonly session?: TerminalSessionOptions;
  /** Journal size cap (tests use it to simulate a full disk). */
  readonly journalMaxBytes?: number;
  /** Extra accounts on the embedded broker (the demo's history publisher). */
  readonly extraBrokerUsers?: readonly BrokerUser[];
  /** Extra features started last (the demo). */
  readonly extraFeatures?: (app: HailongApp) => readonly Feature[];
  /** PEM text of the CA of an external mqtts/wss broker (see `readCa`). */
  readonly ca?: string;
  /** Add the kiosk's demo credentials to the printed kiosk URLs. @default false */
  readonly credentialsInUrls?: boolean;
}

/** Where things listen, once started. */
export interface AppEndpoints {
  readonly web?: { readonly port: number; readonly dashboard: string; readonly kiosks: readonly string[]; readonly mqttWs?: string };
  readonly broker?: { readonly port: number; readonly url: string };
  readonly mqttUrls: readonly string[];
}

/** The whole hailong process. */
export class HailongApp {
  readonly bridge: WardBridge;
  readonly broker: EmbeddedBroker | undefined;
  readonly web: StaticServer | undefined;
  private readonly controller: Controller;
  private brokerPort = 0;
  private webPort = 0;
  private readonly bridgePassword = randomBytes(18).toString('base64url');

  constructor(readonly options: HailongAppOptions) {
    const { config, log } = options;
    const embedded = usesEmbeddedBroker(config);
    this.broker = embedded
      ? new EmbeddedBroker({
          port: config.broker.port,
          host: config.broker.host,
          anonymous: config.broker.anonymous,
          users: this.brokerUsers(),
          // Durable subscribers' sessions and queues survive a crash, as with Mosquitto (issue 17).
          persistencePath: join(config.dataDir, BROKER_DB_FILE),
          logger: log.child({ part: 'broker' }),
          // A kiosk's vote is committed to the journal before the kiosk gets its PUBACK (kiosk-intake.ts).
          publishGate: (principal, topic, payload) =>
            principal.role === 'kiosk' && topic.endsWith('/vote')
              ? this.bridge.kioskIntake.ingest(topic, payload).then((v) => (v.accept ? undefined : `${v.code}: ${v.message}`))
              : undefined,
        })
      : undefined;
    this.web = options.webRoot === undefined ? undefined : new StaticServer({ root: options.webRoot, port: config.web.port, host: config.web.host, log: log.child({ part: 'web' }) });
    this.bridge = new WardBridge({
      config,
      log,
      version: options.version,
      broker: embedded
        ? { urls: () => [`mqtt://127.0.0.1:${this.brokerPort}`], username: BRIDGE_USERNAME, password: this.bridgePassword }
        : {
            urls: config.mqtt.urls,
            ...(config.mqtt.username === undefined ? {} : { username: config.mqtt.username }),
            ...(config.mqtt.password === undefined ? {} : { password: config.mqtt.password }),
            ...(config.mqtt.clientId === undefined ? {} : { clientId: config.mqtt.clientId }),
            ...(options.ca === undefined ? {} : { ca: options.ca }),
          },
      ...(options.opener === undefined ? {} : { opener: options.opener }),
      ...(options.discovery === undefined ? {} : { discovery: options.discovery }),
      ...(options.session === undefined ? {} : { session: options.session }),
      ...(options.journalMaxBytes === undefined ? {} : { journalMaxBytes: options.journalMaxBytes }),
      kioskVotes: embedded ? 'broker-gate' : 'subscribe',
    });
    const features: Feature[] = [];
    if (this.broker !== undefined) {
      const broker = this.broker;
      features.push({
        name: 'broker',
        start: async () => {
          try {
            this.brokerPort = (await broker.start()).port;
          } catch (error) {
            throw portInUse(error, config.broker.port, 'the MQTT broker', 'HAILONG_BROKER_PORT', 'is Mosquitto running? stop it, or set mqtt.urls to use it');
          }
        },
        stop: () => broker.stop(),
      });
    }
    if (this.web !== undefined) {
      const web = this.web;
      features.push({
        name: 'web',
        start: async () => {
          try {
            this.webPort = await web.start();
          } catch (error) {
            throw portInUse(error, config.web.port, 'the web server', 'HAILONG_WEB_PORT', 'another program uses it');
          }
          if (this.broker !== undefined && web.httpServer !== undefined) this.broker.attachWebSocket(web.httpServer, '/mqtt');
        },
        stop: () => web.stop(),
      });
    }
    // Without a working broker the bridge still stores every vote; only MQTT waits.
    features.push(...this.bridge.features());
    features.push(...(options.extraFeatures?.(this) ?? []));
    this.controller = new Controller(features, log);
  }

  /** Accounts of the embedded broker: the bridge itself, each kiosk, the configured users, extras. */
  private brokerUsers(): BrokerUser[] {
    const { config } = this.options;
    return [
      { username: BRIDGE_USERNAME, password: this.bridgePassword, role: 'bridge', district: config.district.id, ward: config.ward.id },
      // The config requires every kiosk's password when the broker is embedded.
      ...kioskUsersOf(config).users,
      ...config.broker.users,
      ...(this.options.extraBrokerUsers ?? []),
    ];
  }

  /** Where everything listens (valid after `start()`). */
  endpoints(host = 'localhost'): AppEndpoints {
    const { config } = this.options;
    const out: { -readonly [K in keyof AppEndpoints]: AppEndpoints[K] } = {
      mqttUrls: this.broker !== undefined ? [`mqtt://${host}:${this.brokerPort}`] : config.mqtt.urls,
    };
    if (this.broker !== undefined) out.broker = { port: this.brokerPort, url: `mqtt://${host}:${this.brokerPort}` };
    if (this.web !== undefined) {
      const base = `http://${host}:${this.webPort}`;
      const kiosks = terminalsOf(config)
        .filter((t) => t.kind === 'touch')
        .map((t) => {
          const q = new URLSearchParams({ district: config.district.id, ward: config.ward.id, counter: t.counter.id, terminal: t.id });
          if (this.options.credentialsInUrls === true && t.password !== undefined) {
            q.set('username', t.id);
            q.set('password', t.password);
          }
          return `${base}/kiosk/?${q.toString()}`;
        });
      out.web = {
        port: this.webPort,
        // Straight to this office's live view; the district view is one tab away.
        dashboard: `${base}/dashboard/#/office/${config.district.id}/${config.ward.id}`,
        kiosks,
        ...(this.broker !== undefined ? { mqttWs: `ws://${host}:${this.webPort}/mqtt` } : {}),
      };
    }
    return out;
  }

  /** Starts every feature and logs the banner. Never throws because a feature failed. */
  async start(): Promise<ReadonlyMap<string, FeatureState>> {
    const states = await this.controller.start();
    const e = this.endpoints();
    const { config } = this.options;
    const failed = [...states].filter(([, s]) => s !== 'running').map(([n, s]) => `${n} ${s}`);
    const lines = [
      `hailong ${this.options.version} · ${config.ward.name}, ${config.district.name}`,
      ...(e.web === undefined ? [] : [`  Bảng theo dõi / dashboard: ${e.web.dashboard}`, ...e.web.kiosks.map((k) => `  Kiosk: ${k}`)]),
      ...(e.broker === undefined ? [`  MQTT broker (external): ${config.mqtt.urls.join(', ')}`] : [`  MQTT broker (embedded): ${e.broker.url}${e.web?.mqttWs === undefined ? '' : ` · WebSocket ${e.web.mqttWs}`}`]),
      `  Journal: ${this.bridge.journal.options.path}`,
      `  Serial ports: ${config.serial.ports === 'auto' ? 'auto (/dev/serial/by-id, ttyACM*, ttyUSB*)' : config.serial.ports.join(', ')}`,
      ...(failed.length > 0 ? [`  NOT RUNNING: ${failed.join(', ')}`] : []),
    ];
    this.options.log.info({ endpoints: e, config: this.options.configFile ?? null, features: Object.fromEntries(states) }, lines.join('\n'));
    return states;
  }

  /** Stops everything (publishing the bridge offline first). */
  async stop(): Promise<void> {
    await this.controller.stop();
  }
}

/** An EADDRINUSE error rewritten to say which port, whose, and what to do. */
function portInUse(error: unknown, port: number, what: string, variable: string, hint: string): Error {
  if ((error as { code?: string }).code !== 'EADDRINUSE') return error as Error;
  return new Error(`port ${port} for ${what} is already in use (${hint}); choose another with ${variable}=<port>`);
}

/** Reads the CA file named by the config, for mqtts/wss brokers. */
export async function readCa(config: HailongConfig): Promise<string | undefined> {
  return config.mqtt.caFile === undefined ? undefined : readFile(config.mqtt.caFile, 'utf8');
}
