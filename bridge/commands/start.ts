/**
 * `hailong start`: the whole of hailong in one process. With an office
 * config: the bridge, the embedded broker (unless the config names an
 * external one) and the web apps. Without one: the newcomer demo (virtual
 * button boxes, a kiosk, a year of history), so `npm start` on a fresh
 * machine shows live votes within a minute. `hailong bridge` is the same
 * without the web server.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { usesEmbeddedBroker } from '../config/hailong-config.ts';
import { HailongApp, readCa, readUpstreamCa } from '../hailong-app.ts';
import { createLogger, type Logger } from '../logger.ts';
import { installProcessGuards } from '../process-guard.ts';
import { parseCommand, PACKAGE_ROOT, processIo, readConfigOrReport, untilSignal, version, type CommandIo } from './command-io.ts';

/** `hailong start --help`. */
export const START_HELP = `hailong start: run hailong (bridge, broker, web apps)

Usage: hailong start [--config <file>] [--web-root <dir>]
       hailong start --hub [--data-dir <dir>]   (the federation demo)
       hailong bridge --config <file>          (the same without the web apps)

Without --config and without ./hailong.yaml, starts the DEMO: three virtual
button boxes and a kiosk in "Phường Phúc Xá", citizens voting every few
seconds, a year of history, and four neighbouring wards.

Options:
  --config <file>    The office config (see hailong.example.yaml)
  --demo             Run the demo even if ./hailong.yaml exists
  --hub              The federation demo: a district hub and three ward offices, each
                     its own process with its own journal and broker, virtual boxes
                     voting; hub dashboard on the web port, wards on the next three
                     (HAILONG_WEB_PORT / HAILONG_BROKER_PORT set the hub's ports)
  --data-dir <dir>   Demo data folder (default ./data/demo)
  --web-root <dir>   Built web apps (default: the package's dist/, from npm run build)
  -h, --help         Show this help

Environment: HAILONG_WEB_PORT, HAILONG_BROKER_PORT, HAILONG_MQTT_URLS,
HAILONG_DATA_DIR, HAILONG_UPSTREAM_URLS (the district/province hub),
HAILONG_LOG_LEVEL (info, debug, …).
`;

/** `hailong bridge --help`. */
export const BRIDGE_HELP = `hailong bridge: run the bridge (and the embedded broker), no web apps

Usage: hailong bridge --config <file>

Reads votes from the serial button boxes, stores each in the journal before
it ACKs it, and publishes it over MQTT: to the broker in mqtt.urls, or to
the embedded broker (broker.port) when mqtt.urls is empty. No dashboard or
kiosk pages: use hailong start for those.

Options:
  --config <file>    The office config (see hailong.example.yaml); required
  -h, --help         Show this help

Environment: HAILONG_BROKER_PORT, HAILONG_MQTT_URLS, HAILONG_DATA_DIR,
HAILONG_LOG_LEVEL (info, debug, …).
`;

/** Runs `hailong start` (web = true) or `hailong bridge` (web = false) until SIGINT/SIGTERM. */
export async function runStart(argv: readonly string[], web: boolean, io: CommandIo = processIo): Promise<number> {
  const args = parseCommand(
    argv,
    {
      config: { type: 'string', short: 'c' },
      demo: { type: 'boolean' },
      hub: { type: 'boolean' },
      'data-dir': { type: 'string' },
      'web-root': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    web ? START_HELP : BRIDGE_HELP,
    io,
  );
  if ('exit' in args) return args.exit;
  const { values } = args;
  const log = createLogger('hailong');
  installProcessGuards(log);
  if (values.hub === true) return runFederationDemo(values['data-dir'], values['web-root'], io, log);
  const configFile = values.config ?? (values.demo !== true && existsSync('hailong.yaml') ? 'hailong.yaml' : undefined);
  if (!web && configFile === undefined) {
    io.stderr('hailong bridge needs --config <file> (see hailong.example.yaml)\n');
    return 2;
  }
  const webRoot = resolve(values['web-root'] ?? join(PACKAGE_ROOT, 'dist'));
  if (web && !existsSync(join(webRoot, 'dashboard', 'index.html'))) {
    log.warn({ webRoot }, 'the web apps are not built: run `npm run build` (npm start does it)');
  }
  let app: HailongApp;
  if (configFile === undefined) {
    // Loaded only for the demo: an office's bridge never carries its code.
    const { Demo } = await import('../demo/demo.ts');
    const port = (name: string, fallback: number) => {
      const v = io.env[name];
      return v === undefined || v === '' ? fallback : Number(v);
    };
    const demo = new Demo({
      dataDir: resolve(values['data-dir'] ?? io.env.HAILONG_DATA_DIR ?? join('data', 'demo')),
      log: log.child({ part: 'demo' }),
      webPort: port('HAILONG_WEB_PORT', 8080),
      brokerPort: port('HAILONG_BROKER_PORT', 1883),
    });
    app = new HailongApp({
      config: demo.config,
      log,
      version: version(),
      webRoot,
      opener: demo.ports.opener,
      discovery: demo.ports.fs,
      extraBrokerUsers: demo.brokerUsers(),
      extraFeatures: (a) => demo.features(a),
    });
    await demo.seedHistory();
  } else {
    const config = await readConfigOrReport(configFile, io);
    if (config === undefined) return 2;
    let ca: string | undefined;
    try {
      ca = await readCa(config);
    } catch (error) {
      io.stderr(`mqtt.caFile ${config.mqtt.caFile ?? ''} cannot be read: ${(error as Error).message}\n`);
      return 2;
    }
    let upstreamCa: string | undefined;
    try {
      upstreamCa = await readUpstreamCa(config);
    } catch (error) {
      io.stderr(`upstream.caFile ${config.upstream?.caFile ?? ''} cannot be read: ${(error as Error).message}\n`);
      return 2;
    }
    if (!web && usesEmbeddedBroker(config)) log.info('no mqtt.urls in the config: running the embedded broker');
    app = new HailongApp({
      config,
      log,
      version: version(),
      configFile: resolve(configFile),
      ...(web ? { webRoot } : {}),
      ...(ca === undefined ? {} : { ca }),
      ...(upstreamCa === undefined ? {} : { upstreamCa }),
    });
  }
  await app.start();
  const signal = await untilSignal();
  log.info({ signal }, 'stopping');
  await app.stop();
  log.info('hailong stopped');
  return 0;
}

/** `hailong start --hub`: the hub and three wards as separate processes, until SIGINT/SIGTERM. */
async function runFederationDemo(dataDir: string | undefined, webRoot: string | undefined, io: CommandIo, log: Logger): Promise<number> {
  const { FederationDemo } = await import('../demo/federation-demo.ts');
  const port = (name: string, fallback: number) => {
    const v = io.env[name];
    return v === undefined || v === '' ? fallback : Number(v);
  };
  const demo = new FederationDemo({
    dataDir: resolve(dataDir ?? join('data', 'federation')),
    bin: join(PACKAGE_ROOT, 'bridge', 'bin.mjs'),
    log,
    webPort: port('HAILONG_WEB_PORT', 8080),
    brokerPort: port('HAILONG_BROKER_PORT', 1883),
    ...(webRoot === undefined ? {} : { webRoot: resolve(webRoot) }),
  });
  demo.start();
  const urls = demo.urls();
  log.info(
    { urls },
    [
      'hailong federation demo: a district hub and three ward offices, each its own process',
      `  Hub (Quận Ba Đình) dashboard: ${urls.hubDashboard}`,
      ...urls.wardDashboards.map((u) => `  Ward dashboard: ${u}`),
      `  Hub broker: ${urls.hubBroker}   (mosquitto_sub -h localhost -p ${demo.ports().hub.broker} -t 'hailong/v1/#' -v)`,
      `  Configs and data: ${demo.options.dataDir}`,
    ].join('\n'),
  );
  const signal = await untilSignal();
  log.info({ signal }, 'stopping the federation demo');
  await demo.stop();
  return 0;
}
