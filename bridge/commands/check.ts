/**
 * `hailong check --config f`: validates a config file and prints every
 * problem with its path and line, or a summary of the office. Exit 0 when
 * valid, 2 when not: usable from an installer's script.
 */
import { readFile } from 'node:fs/promises';
import { terminalsOf } from '../config/hailong-config.ts';
import { configKindOf } from '../hub/load-hub-config.ts';
import { parseCommand, processIo, readConfigOrReport, type CommandIo } from './command-io.ts';
import { checkHubConfig } from './hub-check.ts';

/** `hailong check --help`. */
export const CHECK_HELP = `hailong check: validate an office or a hub config file

Usage: hailong check --config <file>

An office config lists counters: (hailong.example.yaml); a hub config lists
units: (hub.example.yaml). The kind is told by those top-level keys.

Prints every problem at once, each with its path and line, or a summary.
Environment overrides (HAILONG_WEB_PORT, HAILONG_MQTT_URLS, …) are applied first.
`;

/** Runs `hailong check`; resolves with the exit code. */
export async function runCheck(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  const args = parseCommand(argv, { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } }, CHECK_HELP, io);
  if ('exit' in args) return args.exit;
  const { values } = args;
  const file = values.config ?? 'hailong.yaml';
  const text = await readFile(file, 'utf8').catch(() => '');
  if (configKindOf(text) === 'hub') return checkHubConfig(file, io);
  const config = await readConfigOrReport(file, io);
  if (config === undefined) return 2;
  const terminals = terminalsOf(config);
  io.stdout(
    [
      `${file}: hợp lệ / valid`,
      `  ${config.ward.name} (${config.district.id}/${config.ward.id}), ${config.district.name}`,
      `  ${config.counters.length} counters, ${terminals.filter((t) => t.kind === 'button').length} button boxes, ${terminals.filter((t) => t.kind === 'touch').length} kiosks`,
      `  scale ${config.scale.id} (${config.scale.levels.map((l) => l.label.vi).join(' / ')}), target ${config.target}%`,
      `  broker: ${config.mqtt.urls.length === 0 ? `embedded on port ${config.broker.port}` : config.mqtt.urls.join(', ')}; web port ${config.web.port}`,
      `  journal: ${config.dataDir}`,
      ...(config.upstream === undefined
        ? []
        : [
            `  hub (upstream): ${config.upstream.urls.join(', ')}${config.upstream.username === undefined ? '' : ` as ${config.upstream.username}`}`,
          ]),
      '',
    ].join('\n'),
  );
  return 0;
}
