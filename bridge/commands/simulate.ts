/**
 * `hailong simulate`: virtual button boxes on real serial lines, for the
 * demo and for trying a bridge without hardware. It creates one socat pty
 * pair per terminal (or attaches to given device paths), prints the HOST
 * paths the bridge should open, and has citizens press at realistic pace
 * (or at `--rate`). Terminals keep their seq and unacknowledged votes in
 * `--state-dir`, so a restart of the simulator never reuses a seq (which
 * the bridge would silently drop as a duplicate, PROTOCOL.md §7.1).
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_OPENING_HOURS } from '../../core/opening-hours.ts';
import { createLogger, type Logger } from '../logger.ts';
import { processIo, type CommandIo } from './command-io.ts';
import { attachPtyFleet, createPtyFleet, type FleetOptions, type PtyFleet } from '../simulator/fleet.ts';
import { JsonFileTerminalStore } from '../simulator/json-file-store.ts';
import { Simulation, type SimulationOptions } from '../simulator/simulation.ts';
import type { VirtualTerminal } from '../simulator/virtual-terminal.ts';

/** `hailong simulate --help`. */
export const SIMULATE_HELP = `hailong simulate: virtual rating terminals on serial lines (no hardware needed)

Usage: hailong simulate [options]

Each terminal speaks the real terminal protocol over a socat pty pair. Point
the bridge at the HOST paths printed at start.

Options:
  --terminals <n>    Number of terminals, 1..64 (default 4)
  --uid-prefix <s>   Terminal uids are <prefix>01, <prefix>02, … (default SIM-)
  --pty-dir <dir>    Folder for the pty links <uid>-host / <uid>-device
                     (default /tmp/hailong-pty)
  --port <path>      Attach a terminal to an existing serial device path instead
                     of creating pty pairs; repeat for several terminals
  --rate <n>         Load mode: n presses per second in total (default: realistic
                     pace, one citizen every 20–90 s per counter)
  --mean <s>         Realistic mode: mean seconds between citizens per counter
  --buttons <n>      Buttons per terminal, 2..9 (default 3)
  --in-flight <n>    Send window each terminal asks for, 1..64 (PROTOCOL.md §7.7):
                     up to n votes in flight with cumulative ACKs (default 1:
                     a protocol 1.0 box, stop-and-wait; the bridge grants up to 16)
  --seed <n>         Random seed, to replay the same citizens
  --state-dir <dir>  Where terminals keep seq and unacknowledged votes
                     (default $XDG_STATE_HOME/hailong/simulate or
                     ~/.local/state/hailong/simulate)
  --ephemeral        Keep terminal state in memory only (seqs restart at 1 next
                     time: use a new --uid-prefix then, or the bridge drops them
                     as duplicates)
  --opening-hours    Citizens only come during office hours (Mon–Fri 07:30–11:30,
                     13:30–17:00, Sat 07:30–11:30, Vietnam time)
  --duration <s>     Stop after this many seconds (default: until Ctrl+C)
  --progress <s>     Seconds between progress lines (default 10)
  -h, --help         Show this help
`;

/** Parsed and checked `hailong simulate` options. */
export interface SimulateConfig {
  readonly terminals: number;
  readonly uidPrefix: string;
  readonly ptyDir: string;
  readonly ports: readonly string[];
  readonly rate: number | undefined;
  readonly meanSeconds: number | undefined;
  readonly buttons: number;
  /** HELLO `inFlight` of every terminal (1 = a 1.0 box). */
  readonly inFlight: number;
  readonly seed: number | undefined;
  readonly stateDir: string | null;
  readonly openingHours: boolean;
  readonly durationSeconds: number | undefined;
  readonly progressSeconds: number;
}

/** Outcome of parsing argv: a config, help, or every problem found. */
export type SimulateArgs =
  | { readonly kind: 'run'; readonly config: SimulateConfig }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly problems: readonly string[] };

/** Default `--state-dir`, following the XDG base-directory convention. */
export function defaultStateDir(env: CommandIo['env'] = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'hailong', 'simulate');
}

const UID_PREFIX_RE = /^[A-Za-z0-9._-]{0,24}$/;

/** Parses `hailong simulate` arguments; reports every problem together, never throws. */
export function parseSimulateArgs(argv: readonly string[], env: CommandIo['env'] = process.env): SimulateArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        terminals: { type: 'string' },
        'uid-prefix': { type: 'string' },
        'pty-dir': { type: 'string' },
        port: { type: 'string', multiple: true },
        rate: { type: 'string' },
        mean: { type: 'string' },
        buttons: { type: 'string' },
        'in-flight': { type: 'string' },
        seed: { type: 'string' },
        'state-dir': { type: 'string' },
        ephemeral: { type: 'boolean' },
        'opening-hours': { type: 'boolean' },
        duration: { type: 'string' },
        progress: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'error', problems: [(error as Error).message] };
  }
  if (values.help) return { kind: 'help' };
  const problems: string[] = [];
  const int = (name: string, text: string | undefined, min: number, max: number, fallback: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) problems.push(`"--${name}" must be an integer ${min}..${max}, got "${text}"`);
    return n;
  };
  const positive = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n <= 0) problems.push(`"--${name}" must be a number > 0, got "${text}"`);
    return n;
  };
  const ports = values.port ?? [];
  if (ports.length > 0 && values.terminals !== undefined)
    problems.push('"--terminals" and "--port" exclude each other: --port makes one terminal per path');
  if (values.rate !== undefined && values.mean !== undefined) problems.push('"--rate" and "--mean" exclude each other');
  if (values.ephemeral && values['state-dir'] !== undefined) problems.push('"--ephemeral" and "--state-dir" exclude each other');
  const uidPrefix = values['uid-prefix'] ?? 'SIM-';
  if (!UID_PREFIX_RE.test(uidPrefix)) problems.push(`"--uid-prefix" must be up to 24 of A-Z a-z 0-9 . _ -, got "${uidPrefix}"`);
  const config: SimulateConfig = {
    terminals: ports.length > 0 ? ports.length : int('terminals', values.terminals, 1, 64, 4),
    uidPrefix,
    ptyDir: resolve(values['pty-dir'] ?? '/tmp/hailong-pty'),
    ports: ports.map((p) => resolve(p)),
    rate: positive('rate', values.rate),
    meanSeconds: positive('mean', values.mean),
    buttons: int('buttons', values.buttons, 2, 9, 3),
    inFlight: int('in-flight', values['in-flight'], 1, 64, 1),
    seed: values.seed === undefined ? undefined : int('seed', values.seed, 0, 4294967295, 0),
    stateDir: values.ephemeral ? null : resolve(values['state-dir'] ?? defaultStateDir(env)),
    openingHours: values['opening-hours'] ?? false,
    durationSeconds: positive('duration', values.duration),
    progressSeconds: positive('progress', values.progress) ?? 10,
  };
  return problems.length > 0 ? { kind: 'error', problems } : { kind: 'run', config };
}

/** Seams for tests and for embedding (e.g. the `npm start` demo). */
export interface RunSimulateOptions {
  /**
   * Structured log sink.
   * @default createLogger('hailong-simulate')
   */
  logger?: Logger;
  /**
   * Stops the simulator like SIGINT.
   * @default none (SIGINT, SIGTERM or --duration only)
   */
  signal?: AbortSignal;
}

/** Logs a terminal's session changes and anomalies (not every frame: that is what counters are for). */
function watchTerminal(t: VirtualTerminal, log: Logger): void {
  t.on('state', (e) =>
    log.info(
      { uid: t.uid, phase: e.phase, previous: e.previous, cause: e.cause, pending: t.pending },
      `${t.uid}: ${e.previous} → ${e.phase} (${e.cause})`,
    ),
  );
  t.on('nak', (e) =>
    log.warn({ uid: t.uid, seq: e.seq, reason: e.reason, action: e.action }, `${t.uid}: NAK ${e.reason} for seq ${e.seq}`),
  );
  t.on('refused', (e) => {
    if (e.code === 'buffer-full') log.warn({ uid: t.uid, button: e.button }, `${t.uid}: buffer full, press refused (${e.message})`);
  });
  t.on('link', ({ up }) =>
    log.info({ uid: t.uid, up, path: t.options.transport.name }, `${t.uid}: device ${up ? 'open' : 'gone'} (${t.options.transport.name})`),
  );
  t.on('config', (c) =>
    log.info({ uid: t.uid, config: c }, `${t.uid}: CONFIG ${c.mode}, ${c.buttons} buttons, cooldown ${c.cooldownMs} ms`),
  );
}

/** Runs `hailong simulate`; resolves with the exit code (0 after SIGINT/SIGTERM/--duration, 1 on a start failure, 2 on usage errors). */
export async function runSimulate(argv: readonly string[], io: CommandIo = processIo, options: RunSimulateOptions = {}): Promise<number> {
  const args = parseSimulateArgs(argv, io.env);
  if (args.kind === 'help') {
    io.stdout(SIMULATE_HELP);
    return 0;
  }
  if (args.kind === 'error') {
    io.stderr(`${args.problems.join('\n')}\n\n${SIMULATE_HELP}`);
    return 2;
  }
  const cfg = args.config;
  const log = options.logger ?? createLogger('hailong-simulate');
  const fleetOptions: FleetOptions = {
    uidPrefix: cfg.uidPrefix,
    terminal: { buttons: cfg.buttons, inFlight: cfg.inFlight },
    ...(cfg.stateDir === null
      ? {}
      : {
          // No fsync: the state must survive a simulator restart or kill -9 (the atomic
          // rename does that); an OS crash is not a simulator concern, and fsync would
          // cap the press rate near 100/s.
          store: (uid: string) => new JsonFileTerminalStore({ path: join(cfg.stateDir!, `${uid}.json`), fsync: false }),
        }),
  };

  let fleet: PtyFleet;
  try {
    fleet =
      cfg.ports.length > 0
        ? attachPtyFleet(cfg.ports, fleetOptions)
        : await createPtyFleet(cfg.terminals, {
            ...fleetOptions,
            dir: cfg.ptyDir,
            onUnexpectedExit: (uid, code, signal) =>
              log.error({ uid, code, signal }, `socat for ${uid} exited on its own: that line is unplugged`),
          });
  } catch (error) {
    log.error({ err: error }, `cannot create the serial lines: ${(error as Error).message}`);
    return 1;
  }

  const simOptions: SimulationOptions = {
    terminals: fleet.terminals,
    progressIntervalMs: cfg.progressSeconds * 1000,
    openingHours: cfg.openingHours ? DEFAULT_OPENING_HOURS : null,
    ...(cfg.seed === undefined ? {} : { seed: cfg.seed }),
    ...(cfg.rate === undefined ? {} : { ratePerSecond: cfg.rate }),
    ...(cfg.meanSeconds === undefined ? {} : { meanIntervalMs: cfg.meanSeconds * 1000 }),
  };
  const sim = new Simulation(simOptions);
  const lines = fleet.terminals.map((t, i) => ({ uid: t.uid, host: fleet.hostPaths[i] ?? null, device: fleet.devicePaths[i]! }));
  const mode =
    cfg.rate !== undefined
      ? `${cfg.rate} lượt/s (load)`
      : `realistic, mean ${[...sim.meanIntervals.values()].map((m) => Math.round(m / 1000)).join('/')} s per counter`;
  log.info(
    { terminals: lines, mode, seed: sim.random.seed, stateDir: cfg.stateDir, openingHours: cfg.openingHours },
    fleet.hostPaths.length > 0
      ? `hailong simulate: ${lines.length} thiết bị đánh giá ảo · bridge mở các cổng: ${fleet.hostPaths.join(', ')} · ${mode} · seed ${sim.random.seed}`
      : `hailong simulate: ${lines.length} thiết bị đánh giá ảo trên ${fleet.devicePaths.join(', ')} · ${mode} · seed ${sim.random.seed}`,
  );
  if (cfg.stateDir === null)
    log.warn('--ephemeral: seqs restart at 1 on the next run; change --uid-prefix then, or the bridge drops those votes as duplicates');
  else if (cfg.rate !== undefined && cfg.rate > 500)
    log.warn(
      { rate: cfg.rate },
      'high --rate with a state dir: every press and ACK rewrites a state file; use --ephemeral for pure load tests',
    );

  try {
    for (const t of fleet.terminals) {
      watchTerminal(t, log);
      t.start(); // throws on an unreadable state file: never start blank and reuse seqs
    }
  } catch (error) {
    for (const t of fleet.terminals) t.removeAllListeners();
    await fleet.close();
    log.error(
      { err: error, stateDir: cfg.stateDir },
      `${(error as Error).message}; fix or remove the file (its votes would be lost) and start again`,
    );
    return 1;
  }

  sim.on('progress', (p) =>
    log.info(
      { ...p },
      `${p.presses} lượt bấm · ${p.acked} đã ACK · ${p.pending} đang chờ · ${p.online}/${p.terminals} thiết bị trực tuyến${p.refused ? ` · ${p.refused} bị từ chối` : ''}`,
    ),
  );
  sim.start();

  const reason = await waitForStop(options.signal, cfg.durationSeconds);
  log.info({ reason }, `stopping (${reason})`);
  sim.stop();
  const s = sim.stats;
  // Shutting down is not news: no per-terminal "off"/"device gone" lines.
  for (const t of fleet.terminals) t.removeAllListeners();
  await fleet.close();
  log.info(
    { ...s },
    `hailong simulate stopped: ${s.presses} lượt bấm, ${s.acked} đã ACK, ${s.pending} còn chờ (lưu trong ${cfg.stateDir ?? 'bộ nhớ'})`,
  );
  return 0;
}

/** Resolves on SIGINT, SIGTERM, the abort signal or the duration, whichever comes first, then removes the others. */
function waitForStop(signal: AbortSignal | undefined, durationSeconds: number | undefined): Promise<string> {
  return new Promise((resolve) => {
    const finish = (reason: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      signal?.removeEventListener('abort', onAbort);
      if (timer !== null) clearTimeout(timer);
      resolve(reason);
    };
    const onInt = (): void => finish('SIGINT');
    const onTerm = (): void => finish('SIGTERM');
    const onAbort = (): void => finish('aborted');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = durationSeconds === undefined ? null : setTimeout(() => finish('duration'), durationSeconds * 1000);
    if (signal?.aborted) finish('aborted');
  });
}

// Runnable on its own until bridge/cli.ts wires `hailong simulate`:
// node --import tsx bridge/commands/simulate.ts --terminals 4
if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runSimulate(process.argv.slice(2));
}
