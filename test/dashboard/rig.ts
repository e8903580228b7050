/**
 * The end-to-end rig of the dashboard, shared by its e2e tests and
 * benchmarks: the app built by Vite into a temp folder and served by the
 * bridge's StaticServer, a real Mosquitto (TCP for the publisher; the page
 * reaches it over MQTT-over-WebSocket through `startWsFront`), real headless
 * Chromium, and a publisher that sends REAL payloads (core `publicationFor`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Publication } from '../../core/index.ts';
import { StaticServer } from '../../bridge/static-server.ts';
import { cachedBuild } from '../helpers/build-cache.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';

/**
 * A WebSocket front for Mosquitto's TCP listener, the way the bridge's
 * embedded broker serves `/mqtt` (ws + createWebSocketStream). Why not
 * Mosquitto's own WebSocket listener: Debian's Mosquitto 2.0.11 sends to
 * browsers at ~25 KB/s (measured here: 127 KB in 5 s to Chromium, against
 * 1.15 MB in 0.13 s through this front; eclipse/mosquitto#2252), so a
 * district's retained tallies would take minutes to arrive.
 */
export async function startWsFront(tcpPort: number): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) => {
    const duplex = createWebSocketStream(ws);
    const tcp = tcpConnect(tcpPort, '127.0.0.1');
    tcp.setNoDelay(true);
    const end = () => {
      tcp.destroy();
      duplex.destroy();
    };
    for (const s of [tcp, duplex]) {
      s.on('error', end);
      s.on('close', end);
    }
    duplex.pipe(tcp).pipe(duplex);
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** A running rig. */
export interface DashboardRig {
  readonly root: string;
  readonly mosquitto: Mosquitto;
  /** The WebSocket URL the page connects to (see `startWsFront`). */
  readonly wsUrl: string;
  readonly browser: Browser;
  readonly publisher: MqttClient;
  readonly web: StaticServer;
  webPort: number;
  /** `http://127.0.0.1:<port>/dashboard/?broker=ws://…` plus extra query and hash. */
  url(query?: string, hash?: string): string;
  /** Publishes in order, each at its QoS/retain, waiting for every PUBACK. */
  publish(pubs: readonly Publication[]): Promise<void>;
  /** Stops the web server (an outage); `startWeb()` brings it back on the same port. */
  stopWeb(): Promise<void>;
  startWeb(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the dashboard with the project's vite.config.ts into
 * `<root>/dashboard`, as `npm run build` does: vitest sets NODE_ENV=test,
 * and Vite would then build the libraries' development code. Once per
 * vitest run, copied to every caller (../helpers/build-cache.ts).
 */
export async function buildDashboard(root: string): Promise<void> {
  await cachedBuild('dashboard', join(root, 'dashboard'), async (outDir) => {
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({
        configFile: join(import.meta.dirname, '..', '..', 'vite.config.ts'),
        mode: 'dashboard',
        logLevel: 'silent',
        build: { outDir },
      });
    } finally {
      process.env.NODE_ENV = env;
    }
  });
}

/** Builds the app and starts everything. */
export async function startRig(): Promise<DashboardRig> {
  const root = await mkdtemp(join(tmpdir(), 'hailong-dash-e2e-'));
  const [mosquitto, browser] = await Promise.all([startMosquitto(), launchChromium(), buildDashboard(root)]).then(
    ([m, b]) => [m, b] as const,
  );
  const front = await startWsFront(mosquitto.port);
  let web = new StaticServer({ root, port: 0, host: '127.0.0.1' });
  const webPort = await web.start();
  const publisher = await mqtt.connectAsync(mosquitto.url, {
    clientId: `hl-test-pub-${process.pid}`,
    protocolVersion: 4,
    reconnectPeriod: 200,
  });
  const rig: DashboardRig = {
    root,
    mosquitto,
    wsUrl: front.url,
    browser,
    publisher,
    get web() {
      return web;
    },
    webPort,
    url: (query = '', hash = '') => `http://127.0.0.1:${rig.webPort}/dashboard/?broker=${encodeURIComponent(front.url)}${query}${hash}`,
    async publish(pubs) {
      // In parallel batches: MQTT.js keeps the order of packets on the wire.
      for (let i = 0; i < pubs.length; i += 200) {
        await Promise.all(pubs.slice(i, i + 200).map((p) => publisher.publishAsync(p.topic, p.payload, { qos: p.qos, retain: p.retain })));
      }
    },
    async stopWeb() {
      await web.stop();
    },
    async startWeb() {
      web = new StaticServer({ root, port: rig.webPort, host: '127.0.0.1' });
      await web.start();
    },
    async close() {
      await publisher.endAsync(true).catch(() => undefined);
      await browser.close().catch(() => undefined);
      await front.close();
      await web.stop().catch(() => undefined);
      await mosquitto.dispose().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
  return rig;
}
