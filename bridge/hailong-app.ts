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
import { EmbeddedBroker, type EmbeddedBrokerOptions } from './broker/embedded-broker.ts';
import { kioskUsersOf } from './broker/kiosk-users.ts';
import type { BrokerUser } from './broker/broker-user.ts';
import { BRIDGE_USERNAME } from './config/office-rules.ts';
import { terminalsOf, usesEmbeddedBroker, type HailongConfig, type PlacedTerminal } from './config/hailong-config.ts';
import { KioskProvisioning } from './kiosk/kiosk-provisioning.ts';
import { QrRating } from './qr/qr-rating.ts';
import { Controller, type Feature, type FeatureState } from './controller.ts';
import type { DiscoveryFs } from './serial/port-candidates.ts';
import type { PortOpener } from './serial/port-handle.ts';
import type { TerminalSessionOptions } from './serial/terminal-session-options.ts';
import { StaticServer } from './static-server.ts';
import { WardBridge, type WardBridgeOptions } from './ward-bridge.ts';

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
  /** Where a new journal's published seqs start (WardBridgeOptions.seqBase). @default "clock" */
  readonly seqBase?: 'clock' | 'zero';
  /** Extra accounts on the embedded broker (the demo's history publisher). */
  readonly extraBrokerUsers?: readonly BrokerUser[];
  /** Extra features started last (the demo). */
  readonly extraFeatures?: (app: HailongApp) => readonly Feature[];
  /** PEM text of the CA of an external mqtts/wss broker (see `readCa`). */
  readonly ca?: string;
  /** PEM text of the hub's CA, `upstream.caFile` (see `readUpstreamCa`). */
  readonly upstreamCa?: string;
  /** Forwarding tuning (tests, the bench). */
  readonly upstreamTuning?: WardBridgeOptions['upstreamTuning'];
  /**
   * Put a one-time provisioning code in each printed kiosk URL (never the
   * password: kiosk-provisioning.ts). @default true
   */
  readonly provisionInUrls?: boolean;
  /**
   * Limits of the embedded broker beyond the config (tests of the door:
   * `trustedAddresses: []` makes loopback stand for a LAN client).
   * @default the EmbeddedBroker defaults
   */
  readonly brokerLimits?: Omit<EmbeddedBrokerOptions, 'users' | 'anonymous' | 'port' | 'host' | 'wsPort' | 'logger'>;
  /** How long a QR rating token may rate (ms). @default 1_800_000, or env HAILONG_QR_TTL_MS */
  readonly qrTtlMs?: number;
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
  /** One-time kiosk provisioning codes, served on the web port (issue 13, item 2). */
  readonly provisioning: KioskProvisioning;
  private readonly provisionCodes = new Map<string, string>();
  /** Rating by QR code: desk tokens and the citizen's phone page, on the web port (issue 15). */
  readonly qr: QrRating;

  constructor(readonly options: HailongAppOptions) {
    const { config, log } = options;
    this.provisioning = new KioskProvisioning(log.child({ part: 'kiosk-provisioning' }));
    const envTtl = Number(process.env.HAILONG_QR_TTL_MS);
    this.qr = new QrRating({
      config,
      journal: () => this.bridge.journal,
      tokensPath: join(config.dataDir, 'qr.db'),
      log: log.child({ part: 'qr' }),
      ttlMs: options.qrTtlMs ?? (Number.isInteger(envTtl) && envTtl > 0 ? envTtl : 1_800_000),
      onStored: (rowid, topic, payload) => this.bridge.outbox.offer(rowid, topic, payload),
    });
    const embedded = usesEmbeddedBroker(config);
    this.broker = embedded
      ? new EmbeddedBroker({
          ...options.brokerLimits,
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
    this.web =
      options.webRoot === undefined
        ? undefined
        : new StaticServer({
            root: options.webRoot,
            port: config.web.port,
            host: config.web.host,
            log: log.child({ part: 'web' }),
            api: (req, res) => this.provisioning.handle(req, res) || this.qr.handle(req, res),
          });
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
      ...(options.seqBase === undefined ? {} : { seqBase: options.seqBase }),
      ...(this.broker === undefined ? {} : { extraCounters: () => brokerCounters(this.broker) }),
      kioskVotes: embedded ? 'broker-gate' : 'subscribe',
      ...(options.upstreamCa === undefined ? {} : { upstreamCa: options.upstreamCa }),
      ...(options.upstreamTuning === undefined ? {} : { upstreamTuning: options.upstreamTuning }),
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
            throw portInUse(
              error,
              config.broker.port,
              'the MQTT broker',
              'HAILONG_BROKER_PORT',
              'is Mosquitto running? stop it, or set mqtt.urls to use it',
            );
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
          this.qr.start();
        },
        stop: async () => {
          await web.stop();
          this.qr.stop();
        },
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

  /**
   * The one-time code printed in a kiosk's URL: issued once per start (a
   * kiosk that redeemed it keeps its account in its own storage).
   */
  private provisionCode(t: PlacedTerminal): string | undefined {
    if (this.options.provisionInUrls === false || t.password === undefined) return undefined;
    let code = this.provisionCodes.get(t.id);
    if (code === undefined) {
      code = this.provisioning.issue({ username: t.id, password: t.password, ...(t.pin === undefined ? {} : { pin: t.pin }) });
      this.provisionCodes.set(t.id, code);
    }
    return code;
  }

  /** Where everything listens (valid after `start()`). */
  endpoints(host = 'localhost'): AppEndpoints {
    const { config } = this.options;
    // Port 0 = that listener is not running (it failed to start): no URL for it, never `localhost:0`.
    const brokerUp = this.broker !== undefined && this.brokerPort !== 0;
    const out: { -readonly [K in keyof AppEndpoints]: AppEndpoints[K] } = {
      mqttUrls: this.broker === undefined ? config.mqtt.urls : brokerUp ? [`mqtt://${host}:${this.brokerPort}`] : [],
    };
    if (brokerUp) out.broker = { port: this.brokerPort, url: `mqtt://${host}:${this.brokerPort}` };
    if (this.web !== undefined && this.webPort !== 0) {
      const base = `http://${host}:${this.webPort}`;
      const kiosks = terminalsOf(config)
        .filter((t) => t.kind === 'touch')
        .map((t) => {
          const q = new URLSearchParams({ district: config.district.id, ward: config.ward.id, counter: t.counter.id, terminal: t.id });
          const code = this.provisionCode(t);
          if (code !== undefined) q.set('provision', code);
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
      ...(this.broker === undefined
        ? [`  MQTT broker (external): ${config.mqtt.urls.join(', ')}`]
        : e.broker === undefined
          ? []
          : [`  MQTT broker (embedded): ${e.broker.url}${e.web?.mqttWs === undefined ? '' : ` · WebSocket ${e.web.mqttWs}`}`]),
      ...(config.upstream === undefined ? [] : [`  Hub / upstream: ${config.upstream.urls.join(', ')}`]),
      `  Journal: ${this.bridge.journal.options.path}`,
      `  Serial ports: ${config.serial.ports === 'auto' ? 'auto (/dev/serial/by-id, ttyACM*, ttyUSB*)' : config.serial.ports.join(', ')}`,
      ...(failed.length > 0 ? [`  NOT RUNNING: ${failed.join(', ')}`] : []),
    ];
    this.options.log.info(
      { endpoints: e, config: this.options.configFile ?? null, features: Object.fromEntries(states) },
      lines.join('\n'),
    );
    return states;
  }

  /** Stops everything (publishing the bridge offline first). */
  async stop(): Promise<void> {
    await this.controller.stop();
  }
}

/** The embedded broker's refusals as bridge-status counters (`broker-connects-refused`, …). */
function brokerCounters(broker: EmbeddedBroker | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (broker === undefined) return out;
  for (const [name, n] of Object.entries(broker.stats())) {
    if (name === 'clients' || name === 'connectsAccepted') continue;
    out[`broker-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`] = n;
  }
  return out;
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

/** Reads `upstream.caFile`, the CA of the hub broker. */
export async function readUpstreamCa(config: HailongConfig): Promise<string | undefined> {
  return config.upstream?.caFile === undefined ? undefined : readFile(config.upstream.caFile, 'utf8');
}
