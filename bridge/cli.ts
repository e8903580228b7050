/**
 * The `hailong` command line: one entry point, one module per command
 * under bridge/commands/. Exit codes: 0 done, 1 failed, 2 usage or config
 * error. Every command has --help.
 */
import { version } from './commands/command-io.ts';

/** Every command's line in `hailong --help`, in the order it lists them. */
const ABOUT = {
  start: 'Bridge + broker + web apps; without a config, the live demo',
  bridge: 'Bridge (+ embedded broker if the config has no mqtt.urls), no web apps',
  hub: "The district's / province's hub: every office's votes, archived, live",
  check: 'Validate an office or hub config file, listing every problem',
  ports: 'List serial ports; --probe shows the box (uid) on each',
  simulate: 'Virtual button boxes on serial lines (socat ptys)',
  'mosquitto-config': 'Write a Mosquitto setup (conf, dynamic-security accounts and roles) matching the config',
  'nats-config': 'Write a 3-node NATS JetStream cluster for a hub (province scale)',
  export: 'Write journal votes of a period (or the revocation audit trail) to CSV',
  revoke: "Take back a terminal's votes (kiosk misuse), with an audit trail",
  report: 'The report pack of a period: XLSX + printable A4 HTML',
  dossiers: 'Rated dossiers (and served, not rated) for reconciliation, CSV + JSON',
} as const;

/** A command's name. */
type CommandName = keyof typeof ABOUT;

/**
 * How each command runs: its module is loaded on demand (`hailong check`
 * need not load the broker, the serial stack and MQTT).
 */
const RUN: Readonly<Record<CommandName, (argv: readonly string[]) => Promise<number>>> = {
  start: async (a) => (await import('./commands/start.ts')).runStart(a, true),
  bridge: async (a) => (await import('./commands/start.ts')).runStart(a, false),
  hub: async (a) => (await import('./commands/hub.ts')).runHub(a),
  check: async (a) => (await import('./commands/check.ts')).runCheck(a),
  ports: async (a) => (await import('./commands/ports.ts')).runPorts(a),
  simulate: async (a) => (await import('./commands/simulate.ts')).runSimulate(a),
  'mosquitto-config': async (a) => (await import('./commands/mosquitto-config.ts')).runMosquittoConfig(a),
  'nats-config': async (a) => (await import('./commands/nats-config.ts')).runNatsConfig(a),
  export: async (a) => (await import('./commands/export.ts')).runExport(a),
  revoke: async (a) => (await import('./commands/revoke.ts')).runRevoke(a),
  report: async (a) => (await import('./commands/report.ts')).runReport(a),
  dossiers: async (a) => (await import('./commands/dossiers.ts')).runDossiers(a),
};

/** `hailong --help`: every command. */
export const HELP = `hailong ${version()}: citizen satisfaction at one-stop counters (Bộ phận một cửa)

Usage: hailong <command> [options]      (hailong <command> --help for details)

Commands:
${Object.entries(ABOUT)
  .map(([name, about]) => `  ${name.padEnd(18)} ${about}\n`)
  .join('')}
Options:
  -h, --help         Show this help
  -v, --version      Show the version
`;

/** Runs one command; resolves with its exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const found = Object.hasOwn(RUN, command) ? RUN[command as CommandName] : undefined;
  if (found === undefined) {
    process.stderr.write(`Unknown command "${command}".\n\n${HELP}`);
    return 2;
  }
  return found(rest);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
