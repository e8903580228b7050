/**
 * The `hailong` command line: one entry point, one module per command
 * under bridge/commands/. Exit codes: 0 done, 1 failed, 2 usage or config
 * error. Every command has --help.
 */
import { version } from './commands/command-io.ts';

/** `hailong --help`: every command. */
export const HELP = `hailong ${version()}: citizen satisfaction at one-stop counters (Bộ phận một cửa)

Usage: hailong <command> [options]      (hailong <command> --help for details)

Commands:
  start              Bridge + broker + web apps; without a config, the live demo
  bridge             Bridge (+ embedded broker if the config has no mqtt.urls), no web apps
  hub                The district's / province's hub: every office's votes, archived, live
  check              Validate an office or hub config file, listing every problem
  ports              List serial ports; --probe shows the box (uid) on each
  simulate           Virtual button boxes on serial lines (socat ptys)
  mosquitto-config   Write a Mosquitto setup (conf, ACL, passwords) matching the config
  nats-config        Write a 3-node NATS JetStream cluster for a hub (province scale)
  export             Write journal votes of a period (or the revocation audit trail) to CSV
  revoke             Take back a terminal's votes (kiosk misuse), with an audit trail
  report             The report pack of a period: XLSX + printable A4 HTML
  dossiers           Rated dossiers (and served, not rated) for reconciliation, CSV + JSON

Options:
  -h, --help         Show this help
  -v, --version      Show the version
`;

/** Runs one command; resolves with its exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(HELP);
      return command === undefined ? 2 : 0;
    case '-v':
    case '--version':
      process.stdout.write(`${version()}\n`);
      return 0;
    // Commands load their modules on demand: `hailong check` need not load
    // the broker, the serial stack and MQTT.
    case 'start':
      return (await import('./commands/start.ts')).runStart(rest, true);
    case 'bridge':
      return (await import('./commands/start.ts')).runStart(rest, false);
    case 'hub':
      return (await import('./commands/hub.ts')).runHub(rest);
    case 'check':
      return (await import('./commands/check.ts')).runCheck(rest);
    case 'ports':
      return (await import('./commands/ports.ts')).runPorts(rest);
    case 'simulate':
      return (await import('./commands/simulate.ts')).runSimulate(rest);
    case 'export':
      return (await import('./commands/export.ts')).runExport(rest);
    case 'revoke':
      return (await import('./commands/revoke.ts')).runRevoke(rest);
    case 'report':
      return (await import('./commands/report.ts')).runReport(rest);
    case 'dossiers':
      return (await import('./commands/dossiers.ts')).runDossiers(rest);
    case 'mosquitto-config':
      return (await import('./commands/mosquitto-config.ts')).runMosquittoConfig(rest);
    case 'nats-config':
      return (await import('./commands/nats-config.ts')).runNatsConfig(rest);
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${HELP}`);
      return 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
