import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from './logger.ts';
import { StaticServer } from './static-server.ts';

/** `hailong --help`: every command the CLI knows. */
const HELP = `hailong: citizen satisfaction at one-stop counters

Usage: hailong <command> [options]

Commands:
  start     Serve the built kiosk and dashboard (npm start builds them first)

Options:
  --port <n>   HTTP port for the web apps (env HAILONG_WEB_PORT, default 8080)
  --root <dir> Folder with the built apps (default dist)
  -h, --help   Show this help
`;

/** Parses the command line and runs one command. Exit code 2 on usage errors. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        root: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0] ?? 'start';
  if (values.help || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (command !== 'start') {
    process.stderr.write(`Unknown command "${command}".\n\n${HELP}`);
    return 2;
  }
  const portText = values.port ?? process.env.HAILONG_WEB_PORT ?? '8080';
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65535) {
    process.stderr.write(`"--port" must be an integer 0..65535, got "${portText}"\n`);
    return 2;
  }
  return start(port, resolve(values.root ?? 'dist'));
}

/** Runs the web server until SIGINT/SIGTERM. */
async function start(port: number, root: string): Promise<number> {
  const log = createLogger('hailong');
  const web = new StaticServer({ port, root });
  const bound = await web.start();
  const base = `http://localhost:${bound}`;
  log.info(
    { port: bound, root, urls: { dashboard: `${base}/dashboard/`, kiosk: `${base}/kiosk/` } },
    `hailong đang chạy · dashboard ${base}/dashboard/ · kiosk ${base}/kiosk/`,
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await web.stop();
  log.info('hailong stopped');
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
