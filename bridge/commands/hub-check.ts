/**
 * `hailong check` on a hub config: every problem with its path and line, or
 * a summary of the parent unit and its units.
 */
import { formatProblems } from '../config/config-problem.ts';
import { unitKindLabel } from '../hub/hub-config.ts';
import { loadHubConfig } from '../hub/load-hub-config.ts';
import type { CommandIo } from './command-io.ts';

/** Validates a hub config file and prints the outcome; resolves with the exit code (0 valid, 2 not). */
export async function checkHubConfig(file: string, io: CommandIo): Promise<number> {
  const r = await loadHubConfig(file, io.env);
  if (!r.ok) {
    io.stderr(`${formatProblems(r.file, r.problems)}\n`);
    return 2;
  }
  const { config } = r;
  const kinds = new Map<string, number>();
  for (const u of config.units) kinds.set(unitKindLabel(u.kind), (kinds.get(unitKindLabel(u.kind)) ?? 0) + 1);
  io.stdout(
    [
      `${file}: hợp lệ / valid (hub)`,
      `  ${config.parent.name} (${config.parent.level} ${config.parent.id}), target ${config.target}%`,
      `  ${config.units.length} units: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`,
      `  broker: ${config.mqtt.urls.length === 0 ? `embedded on port ${config.broker.port}` : config.mqtt.urls.join(', ')}; web port ${config.web.port}`,
      `  ${config.broker.users.length} dashboard account(s); tallies retained ${config.retainMonths} months`,
      `  archive: ${config.dataDir}`,
      '',
    ].join('\n'),
  );
  return 0;
}
