/**
 * What `hailong report` and `hailong dossiers` share: the same options (a
 * config, a period or a date range, an output folder), the same checks with
 * every problem named, and the same report source opened and closed around
 * the command's own work.
 */
import type { ParseArgsConfig } from 'node:util';
import { reportRange, type ReportRange } from '../report/report-range.ts';
import { openReportSource, type ReportSource } from '../report/report-source.ts';
import { parseCommand, type CommandIo } from './command-io.ts';

/** The options of a report command (`hailong export` adds its own to these). */
export const REPORT_OPTIONS = {
  config: { type: 'string', short: 'c' },
  period: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The work of one report command on an open source; resolves with the exit code. */
export type ReportWork = (source: ReportSource, range: ReportRange, outDir: string) => Promise<number>;

/**
 * Parses `argv` (printing `help` on --help or a usage error), checks the
 * range, opens the config's report source, runs `work` on it and closes it.
 * Exit codes: `work`'s, or 0 after --help, 2 for a usage or config error,
 * 1 for a store that does not open.
 */
export async function runReportCommand(argv: readonly string[], help: string, io: CommandIo, work: ReportWork): Promise<number> {
  const args = parseCommand(argv, REPORT_OPTIONS, help, io);
  if ('exit' in args) return args.exit;
  const range = reportRange(args.values);
  if ('problems' in range) {
    io.stderr(`${range.problems.join('\n')}\n\n${help}`);
    return 2;
  }
  const source = await openReportSource(args.values.config ?? 'hailong.yaml', io);
  if (typeof source === 'number') return source;
  try {
    return await work(source, range, args.values.out ?? '.');
  } finally {
    source.close();
  }
}
