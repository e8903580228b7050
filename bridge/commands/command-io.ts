/**
 * What every `hailong` command shares: reading the config file with all its
 * problems printed at once, the version, and waiting for Ctrl+C / SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The `options` of a node:util parseArgs call. */
type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { formatProblems } from '../config/config-problem.ts';
import type { HailongConfig } from '../config/hailong-config.ts';
import { loadConfig } from '../config/load-config.ts';

import { PACKAGE_ROOT } from '../package-root.ts';

/** The package root (package.json, schema/, dist/). */
export { PACKAGE_ROOT };

/** hailong's version from package.json. */
export function version(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Where a command writes text (injectable for tests). */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

/** The process's stdout, stderr and environment. */
export const processIo: CommandIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  env: process.env,
};

/** A command's parsed options, or the exit code to return now (0 after --help, 2 on a usage error). */
export type CommandArgs<O extends OptionsConfig> =
  | { readonly values: ReturnType<typeof parseArgs<{ args: string[]; options: O }>>['values'] }
  | { readonly exit: 0 | 2 };

/**
 * Parses a command's options (which include `help`): prints `help` on
 * --help, or the usage error and `help` on a bad option, and says which
 * exit code to return; otherwise gives the values.
 */
export function parseCommand<O extends OptionsConfig>(argv: readonly string[], options: O, help: string, io: CommandIo): CommandArgs<O> {
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: O }>>['values'];
  try {
    ({ values } = parseArgs<{ args: string[]; options: O }>({ args: [...argv], options }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${help}`);
    return { exit: 2 };
  }
  if ((values as { help?: boolean }).help === true) {
    io.stdout(help);
    return { exit: 0 };
  }
  return { values };
}

/** Loads and validates a config file; prints every problem and returns undefined when it is invalid. */
export async function readConfigOrReport(file: string, io: CommandIo): Promise<HailongConfig | undefined> {
  const r = await loadConfig(file, io.env);
  if (r.ok) return r.config;
  io.stderr(`${formatProblems(r.file, r.problems)}\n`);
  return undefined;
}

/** Resolves when the process is asked to stop (SIGINT / SIGTERM). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
}
