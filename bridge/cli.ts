/**
 * The `hailong` command line: one entry point, one module per command
 * under bridge/commands/. Exit codes: 0 done, 1 failed, 2 usage or config
 * error. Every command has --help.
 */
import { version } from './commands/command-io.ts';

/** One `hailong` command: its line in the help and how it runs. */
interface Command {
  readonly about: string;
  /** Loads the command's module on demand (`hailong check` need not load the broker, the serial stack and MQTT). */
  readonly run: (argv: readonly string[]) => Promise<number>;
}

/** Every command, in the order `hailong --help` lists them. */
const COMMANDS: Readonly<Record<string, Command>> = {
  start: {
    about: 'Bridge + broker + web apps; without a config, the live demo',
    run: async (a) => (await import('./commands/start.ts')).runStart(a, true),
  },
  bridge: {
    about: 'Bridge (+ embedded broker if the config has no mqtt.urls), no web apps',
    run: async (a) => (await import('./commands/start.ts')).runStart(a, false),
  },
  hub: {
    about: "The district's / province's hub: every office's votes, archived, live",
    run: async (a) => (await import('./commands/hub.ts')).runHub(a),
  },
  check: {
    about: 'Validate an office or hub config file, listing every problem',
    run: async (a) => (await import('./commands/check.ts')).runCheck(a),
  },
  ports: {
    about: 'List serial ports; --probe shows the box (uid) on each',
    run: async (a) => (await import('./commands/ports.ts')).runPorts(a),
  },
  simulate: {
    about: 'Virtual button boxes on serial lines (socat ptys)',
    run: async (a) => (await import('./commands/simulate.ts')).runSimulate(a),
  },
  'mosquitto-config': {
    about: 'Write a Mosquitto setup (conf, ACL, passwords) matching the config',
    run: async (a) => (await import('./commands/mosquitto-config.ts')).runMosquittoConfig(a),
  },
  'nats-config': {
    about: 'Write a 3-node NATS JetStream cluster for a hub (province scale)',
    run: async (a) => (await import('./commands/nats-config.ts')).runNatsConfig(a),
  },
  export: {
    about: 'Write journal votes of a period (or the revocation audit trail) to CSV',
    run: async (a) => (await import('./commands/export.ts')).runExport(a),
  },
  revoke: {
    about: "Take back a terminal's votes (kiosk misuse), with an audit trail",
    run: async (a) => (await import('./commands/revoke.ts')).runRevoke(a),
  },
  report: {
    about: 'The report pack of a period: XLSX + printable A4 HTML',
    run: async (a) => (await import('./commands/report.ts')).runReport(a),
  },
  dossiers: {
    about: 'Rated dossiers (and served, not rated) for reconciliation, CSV + JSON',
    run: async (a) => (await import('./commands/dossiers.ts')).runDossiers(a),
  },
};

/** `hailong --help`: every command. */
export const HELP = `hailong ${version()}: citizen satisfaction at one-stop counters (Bộ phận một cửa)

Usage: hailong <command> [options]      (hailong <command> --help for details)

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(18)} ${c.about}\n`)
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
  const found = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (found === undefined) {
    process.stderr.write(`Unknown command "${command}".\n\n${HELP}`);
    return 2;
  }
  return found.run(rest);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
