/**
 * `hailong hub --config hub.yaml`: the parent unit's hub (a district or a
 * province). Every ward office forwards its votes here over the WAN; the
 * hub archives each vote before acknowledging it and serves the parent
 * dashboard. See hub.example.yaml and README "Federation".
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatProblems } from '../config/config-problem.ts';
import { HubApp } from '../hub/hub-app.ts';
import type { HubConfig } from '../hub/hub-config.ts';
import { loadHubConfig } from '../hub/load-hub-config.ts';
import { createLogger } from '../logger.ts';
import { parseCommand, PACKAGE_ROOT, processIo, untilSignal, version, type CommandIo } from './command-io.ts';

/** `hailong hub --help`. */
export const HUB_HELP = `hailong hub: the district's (or province's) hub for every ward office

Usage: hailong hub --config <hub.yaml> [--web-root <dir>] [--no-web]

Runs the broker the units' bridges forward to (embedded, or mqtt.urls for
Mosquitto), the archive (every vote stored once by its id, before the unit
gets its PUBACK) and the parent dashboard at http://<this PC>:<web.port>/dashboard/;
its counters (votes archived, refused messages per unit and code) at /hub/status.

Options:
  -c, --config <file>  The hub config (see hub.example.yaml; hailong check validates it)
  --web-root <dir>     Built web apps (default: the package's dist/, from npm run build)
  --no-web             No web server (broker and archive only)
  -h, --help           Show this help

Environment: HAILONG_WEB_PORT, HAILONG_BROKER_PORT, HAILONG_MQTT_URLS, HAILONG_DATA_DIR,
HAILONG_LOG_LEVEL.
`;

/** Loads and validates a hub config; prints every problem and returns undefined when invalid. */
export async function readHubConfigOrReport(file: string, io: CommandIo): Promise<HubConfig | undefined> {
  const r = await loadHubConfig(file, io.env);
  if (r.ok) return r.config;
  io.stderr(`${formatProblems(r.file, r.problems)}\n`);
  return undefined;
}

/** Runs `hailong hub` until SIGINT/SIGTERM; resolves with the exit code. */
export async function runHub(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  const args = parseCommand(
    argv,
    {
      config: { type: 'string', short: 'c' },
      'web-root': { type: 'string' },
      'no-web': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    HUB_HELP,
    io,
  );
  if ('exit' in args) return args.exit;
  const { values } = args;
  const config = await readHubConfigOrReport(values.config ?? 'hub.yaml', io);
  if (config === undefined) return 2;
  let ca: string | undefined;
  if (config.mqtt.caFile !== undefined) {
    try {
      ca = await readFile(config.mqtt.caFile, 'utf8');
    } catch (error) {
      io.stderr(`mqtt.caFile ${config.mqtt.caFile} cannot be read: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const log = createLogger('hailong-hub');
  const webRoot = resolve(values['web-root'] ?? join(PACKAGE_ROOT, 'dist'));
  const web = values['no-web'] !== true;
  if (web && !existsSync(join(webRoot, 'dashboard', 'index.html'))) {
    log.warn({ webRoot }, 'the web apps are not built: run `npm run build`');
  }
  const app = new HubApp({ config, log, version: version(), ...(web ? { webRoot } : {}), ...(ca === undefined ? {} : { ca }) });
  const states = await app.start();
  if (states.get('archive') !== 'running') {
    await app.stop();
    io.stderr(`The archive in ${config.dataDir} cannot be opened: see the log above.\n`);
    return 1;
  }
  const signal = await untilSignal();
  log.info({ signal }, 'stopping');
  await app.stop();
  log.info('hub stopped');
  return 0;
}
