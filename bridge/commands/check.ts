/**
 * `hailong check --config f`: validates a config file and prints every
 * problem with its path and line, or a summary of the office. Exit 0 when
 * valid, 2 when not: usable from an installer's script.
 */
import { parseArgs } from 'node:util';
import { terminalsOf } from '../config/hailong-config.ts';
import { processIo, readConfigOrReport, type CommandIo } from './command-io.ts';

/** `hailong check --help`. */
export const CHECK_HELP = `hailong check: validate an office config file

Usage: hailong check --config <file>

Prints every problem at once, each with its path and line, or a summary.
Environment overrides (HAILONG_WEB_PORT, HAILONG_MQTT_URLS, …) are applied first.
`;

/** Runs `hailong check`; resolves with the exit code. */
export async function runCheck(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${CHECK_HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout(CHECK_HELP);
    return 0;
  }
  const file = values.config ?? 'hailong.yaml';
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
      '',
    ].join('\n'),
  );
  return 0;
}
