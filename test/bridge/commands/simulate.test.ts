import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processIo } from '../../../bridge/commands/command-io.ts';
import { parseSimulateArgs, runSimulate } from '../../../bridge/commands/simulate.ts';
import { systemClock } from '../../../bridge/simulator/clock.ts';
import { IdealBridge } from '../simulator/scripted-bridge.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hailong-simulate-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('parseSimulateArgs', () => {
  it('applies defaults', () => {
    const r = parseSimulateArgs([], { XDG_STATE_HOME: '/var/x' });
    expect(r).toEqual({
      kind: 'run',
      config: {
        terminals: 4,
        uidPrefix: 'SIM-',
        ptyDir: '/tmp/hailong-pty',
        ports: [],
        rate: undefined,
        meanSeconds: undefined,
        buttons: 3,
        inFlight: 1,
        seed: undefined,
        stateDir: '/var/x/hailong/simulate',
        openingHours: false,
        durationSeconds: undefined,
        progressSeconds: 10,
      },
    });
  });

  it('reports every problem at once', () => {
    const r = parseSimulateArgs([
      '--terminals',
      '0',
      '--buttons',
      '12',
      '--rate',
      'fast',
      '--mean',
      '3',
      '--uid-prefix',
      'a b',
      '--ephemeral',
      '--state-dir',
      '/x',
    ]);
    expect(r.kind).toBe('error');
    const problems = r.kind === 'error' ? r.problems.join('\n') : '';
    for (const name of ['--terminals', '--buttons', '--rate', '"--rate" and "--mean"', '--uid-prefix', '"--ephemeral" and "--state-dir"'])
      expect(problems).toContain(name);
    expect(parseSimulateArgs(['--bogus'])).toMatchObject({ kind: 'error', problems: [expect.stringContaining('bogus')] });
    expect(parseSimulateArgs(['--port', '/dev/ttyX', '--terminals', '2'])).toMatchObject({ kind: 'error' });
    expect(parseSimulateArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it('--in-flight sets the send window the terminals ask for, 1..64', () => {
    expect(parseSimulateArgs(['--in-flight', '16'])).toMatchObject({ kind: 'run', config: { inFlight: 16 } });
    expect(parseSimulateArgs(['--in-flight', '65'])).toEqual({
      kind: 'error',
      problems: ['"--in-flight" must be an integer 1..64, got "65"'],
    });
  });

  it('--port makes one terminal per path', () => {
    expect(parseSimulateArgs(['--port', '/a', '--port', '/b', '--ephemeral'])).toMatchObject({
      kind: 'run',
      config: { terminals: 2, ports: ['/a', '/b'], stateDir: null },
    });
  });
});

describe('runSimulate', () => {
  it('prints help and usage errors with the right exit codes', async () => {
    let out = '';
    let errText = '';
    const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (errText += t), env: {} };
    expect(await runSimulate(['--help'], io)).toBe(0);
    expect(out).toContain('hailong simulate');
    expect(await runSimulate(['--terminals', 'x'], io)).toBe(2);
    expect(errText).toContain('"--terminals" must be an integer 1..64');
  });

  it('refuses to start on a corrupt state file, naming it, and cleans up its pty pairs', async () => {
    const ptyDir = join(dir, 'pty');
    const stateDir = join(dir, 'state');
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, 'SIM-01.json'), '{"version":1,');
    const lines: { msg: string }[] = [];
    const logger = pino({ base: null }, { write: (s: string) => void lines.push(JSON.parse(s) as { msg: string }) });
    expect(await runSimulate(['--terminals', '1', '--pty-dir', ptyDir, '--state-dir', stateDir], processIo, { logger })).toBe(1);
    expect(lines.at(-1)?.msg).toMatch(/SIM-01\.json is not valid JSON.*fix or remove the file/);
    expect(existsSync(join(ptyDir, 'SIM-01-host'))).toBe(false);
  });

  it('creates pty pairs, logs their host paths, delivers votes, exits cleanly, and continues seqs after a restart', async () => {
    const ptyDir = join(dir, 'pty');
    const stateDir = join(dir, 'state');
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ base: null }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    const argv = ['--terminals', '2', '--pty-dir', ptyDir, '--state-dir', stateDir, '--rate', '40', '--seed', '7', '--progress', '0.2'];
    const hosts = [join(ptyDir, 'SIM-01-host'), join(ptyDir, 'SIM-02-host')];
    // The bridge's database outlives the simulator runs: one IdealBridge per uid, reattached each run.
    const bridges: IdealBridge[] = [];

    const runOnce = async (minStored: number): Promise<void> => {
      const stop = new AbortController();
      const done = runSimulate(argv, processIo, { logger, signal: stop.signal });
      await waitFor('the pty links', () => hosts.every((h) => existsSync(h)));
      const ports = await Promise.all(
        hosts.map(async (path) => {
          const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
          port.on('error', () => {});
          await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
          return port;
        }),
      );
      ports.forEach((port, i) => {
        if (bridges[i] === undefined) bridges[i] = new IdealBridge(port, systemClock);
        else {
          bridges[i]!.attach(port);
          bridges[i]!.restart();
        }
      });
      await waitFor(`${minStored} votes stored per terminal`, () => bridges.every((b) => b.records().length >= minStored));
      stop.abort();
      expect(await done).toBe(0);
      await Promise.all(ports.map((p) => new Promise<void>((resolve) => (p.isOpen ? p.close(() => resolve()) : resolve()))));
    };

    try {
      await runOnce(5);
      const banner = lines.find((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('hailong simulate: 2'));
      expect(banner?.msg).toContain(hosts.join(', '));
      expect(banner).toMatchObject({
        seed: 7,
        stateDir,
        terminals: [
          { uid: 'SIM-01', host: hosts[0] },
          { uid: 'SIM-02', host: hosts[1] },
        ],
      });
      expect(lines.some((l) => typeof l.msg === 'string' && (l.msg as string).includes('đã ACK'))).toBe(true);
      // Clean exit: socat gone, links removed, state written.
      expect(hosts.some((h) => existsSync(h))).toBe(false);
      const state = JSON.parse(await readFile(join(stateDir, 'SIM-01.json'), 'utf8')) as { lastSeq: number };
      expect(state.lastSeq).toBeGreaterThanOrEqual(5);

      const before = bridges.map((b) => b.records().length);
      await runOnce(before.reduce((a, b) => Math.max(a, b), 0) + 3);
      // New presses got new seqs above the old ones: stored as new votes (OK), none dropped as DUP, none twice.
      for (const b of bridges) {
        const seqs = b.records().map((r) => r.seq);
        expect(new Set(seqs).size).toBe(seqs.length);
        expect(b.records().every((r) => r.stores === 1)).toBe(true);
      }
      expect(bridges.every((b, i) => b.records().length > before[i]!)).toBe(true);
    } finally {
      for (const b of bridges) b.dispose();
    }
  });
});
