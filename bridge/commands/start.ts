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
import { HailongApp, readCa } from '../hailong-app.ts';
import { createLogger } from '../logger.ts';
import { installProcessGuards } from '../process-guard.ts';
import { parseCommand, PACKAGE_ROOT, processIo, readConfigOrReport, untilSignal, version, type CommandIo } from './command-io.ts';

/** `hailong start --help`. */
export const START_HELP = `hailong start: run hailong (bridge, broker, web apps)

Usage: hailong start [--config <file>] [--web-root <dir>]
       hailong bridge --config <file>          (the same without the web apps)

Without --config and without ./hailong.yaml, starts the DEMO: three virtual
button boxes and a kiosk in "Phường Phúc Xá", citizens voting every few
seconds, a year of history, and four neighbouring wards.

Options:
  --config <file>    The office config (see hailong.example.yaml)
  --demo             Run the demo even if ./hailong.yaml exists
  --data-dir <dir>   Demo data folder (default ./data/demo)
  --web-root <dir>   Built web apps (default: the package's dist/, from npm run build)
  -h, --help         Show this help

Environment: HAILONG_WEB_PORT, HAILONG_BROKER_PORT, HAILONG_MQTT_URLS,
HAILONG_DATA_DIR, HAILONG_LOG_LEVEL (info, debug, …).
`;

/** Runs `hailong start` (web = true) or `hailong bridge` (web = false) until SIGINT/SIGTERM. */
export async function runStart(argv: readonly string[], web: boolean, io: CommandIo = processIo): Promise<number> {
  const args = parseCommand(
    argv,
    {
      config: { type: 'string', short: 'c' },
      demo: { type: 'boolean' },
      'data-dir': { type: 'string' },
      'web-root': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    START_HELP,
    io,
  );
  if ('exit' in args) return args.exit;
  const { values } = args;
  const log = createLogger('hailong');
  installProcessGuards(log);
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
      credentialsInUrls: true,
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
    if (!web && usesEmbeddedBroker(config)) log.info('no mqtt.urls in the config: running the embedded broker');
    app = new HailongApp({ config, log, version: version(), configFile: resolve(configFile), ...(web ? { webRoot } : {}), ...(ca === undefined ? {} : { ca }) });
  }
  await app.start();
  const signal = await untilSignal();
  log.info({ signal }, 'stopping');
  await app.stop();
  log.info('hailong stopped');
  return 0;
}
