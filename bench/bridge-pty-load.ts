/**
 * One durable load run of the COMPILED bridge on real socat ptys: the
 * bridge runs alone in a child process (bench/fixtures/bridge-load.mjs
 * `serve`, a real Mosquitto or the embedded Aedes, journal WAL synchronous=FULL), so its CPU time and
 * peak RSS are its own; this process plays the boxes (bench/pty-boxes.ts)
 * and a QoS 1 subscriber that must receive every vote. Shared by the
 * throughput benches (8 terminals, 1 terminal).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { box, tempDir } from '../test/bridge/bridge-rig.ts';
import { MAX_QUEUED_MESSAGES } from '../bridge/broker/mosquitto-config.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';
import { createPtyPair, type PtyPair } from '../test/helpers/pty.ts';
import { BRIDGE_V8_FLAGS, buildBridge } from './bridge-build.ts';
import { openPtyBox, type PtyBox } from './pty-boxes.ts';

/** What one run measured. */
export interface PtyLoadResult {
  readonly terminals: number;
  readonly window: number;
  readonly votes: number;
  /** First press to last ACK. */
  readonly durationMs: number;
  readonly votesPerSecond: number;
  /** Bridge process CPU (user + system) per stored vote, publishing included. */
  readonly cpuMsPerVote: number;
  /** Its kernel part (syscalls: serial and socket writes, WAL writes, fsync). */
  readonly systemMsPerVote: number;
  /** Main-thread garbage-collection pauses per vote, and the collections (scavenges / mark-compacts). */
  readonly gcMsPerVote: number;
  readonly gcs: string;
  readonly votesPerCommit: number;
  readonly peakRssMb: number;
  /** Distinct votes the subscriber received (must equal `votes`). */
  readonly delivered: number;
  readonly resent: number;
  /** ACK frames per vote (1 per vote, fewer when cumulative). */
  readonly ackFramesPerVote: number;
  /** The WELCOME each box got (shows the window the bridge granted). */
  readonly welcome: string;
  /** 1-minute load average before and after the run (the machine is shared). */
  readonly loadBefore: number;
  readonly loadAfter: number;
}

/** The load child; `BENCH_BRIDGE_LOAD` points at another build's (a before/after comparison). */
const dist = process.env.BENCH_BRIDGE_LOAD ?? join(import.meta.dirname, 'fixtures', 'bridge-load.mjs');

/**
 * Runs `votes` votes over `terminals` boxes with `window` votes in flight
 * each, against `broker`: a real Mosquitto (the broker the peer was measured
 * with, issue 14: the bridge's CPU is then its own) or the embedded Aedes
 * (whose work is then in the bridge's process). `BENCH_CPU_PROF=<dir>`
 * writes a V8 CPU profile of the bridge; `BENCH_V8_FLAGS` adds V8 flags.
 */
export async function runPtyLoad(
  terminals: number,
  window: number,
  votes: number,
  broker: 'mosquitto' | 'embedded' = 'mosquitto',
): Promise<PtyLoadResult> {
  const tmp = tempDir('hailong-bench-pty-');
  const pairs: PtyPair[] = [];
  const boxes: PtyBox[] = [];
  let bridge: ReturnType<typeof spawn> | undefined;
  const loadBefore = loadavg()[0] as number;
  // The queue `hailong mosquitto-config` writes: Mosquitto's default (1,000
  // messages) drops QoS 1 votes for a subscriber that falls that far behind,
  // which the bench's subscriber, in this busy process, does at ~15,000 votes/s.
  const mosquitto =
    broker === 'mosquitto' ? await startMosquitto({ extraConfig: `max_queued_messages ${MAX_QUEUED_MESSAGES}` }) : undefined;
  try {
    for (let i = 0; i < terminals; i++) pairs.push(await createPtyPair(`box${i}`, tmp.dir));
    const prof = process.env.BENCH_CPU_PROF;
    // The V8 flags of the `hailong` executable (bridge/bin.mjs); `BENCH_V8_FLAGS` adds some (a before/after comparison).
    const extra = (process.env.BENCH_V8_FLAGS ?? '').split(' ').filter((f) => f !== '');
    const flags = [...BRIDGE_V8_FLAGS, ...extra, ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])];
    const child = spawn(
      process.execPath,
      [...flags, dist, 'serve', join(tmp.dir, 'data'), mosquitto?.url ?? 'embedded', ...pairs.map((p) => p.host)],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, MALLOC_ARENA_MAX: '2' } },
    );
    bridge = child;
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const deadline = Date.now() + 30_000;
    while (!out.includes('\n')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`bridge did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const url = (/READY (\S+)/.exec(out) as RegExpExecArray)[1] as string;
    const sub = await mqtt.connectAsync(url, { clientId: 'bench-sub', clean: true });
    const ids = new Set<string>();
    sub.on('message', (_t, payload) => ids.add((JSON.parse(payload.toString()) as { id: string }).id));
    await sub.subscribeAsync('hailong/v1/+/+/+/+/vote', { qos: 1 });
    for (let i = 0; i < terminals; i++) boxes.push(await openPtyBox((pairs[i] as PtyPair).device, box(i).uid));
    const welcomes = await Promise.all(boxes.map((b) => b.hello(window)));
    const per = Math.ceil(votes / terminals);
    const t0 = performance.now();
    await Promise.all(boxes.map((b) => b.burst(1, per, window)));
    const durationMs = performance.now() - t0;
    const total = per * terminals;
    const drainBy = Date.now() + 30_000;
    while (ids.size < total && Date.now() < drainBy) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGTERM');
    await exited;
    const r = JSON.parse(out.trim().split('\n').pop() as string) as {
      stored: number;
      commits: number;
      cpuUsPerVote: number;
      cpuSystem: number;
      gcMs: number;
      scavenges: number;
      majorGcs: number;
      peakRssMb: number;
    };
    await sub.endAsync();
    return {
      terminals,
      window,
      votes: total,
      durationMs,
      votesPerSecond: (total / durationMs) * 1000,
      cpuMsPerVote: r.cpuUsPerVote / 1000,
      systemMsPerVote: r.cpuSystem / Math.max(1, r.stored) / 1000,
      gcMsPerVote: r.gcMs / Math.max(1, r.stored),
      gcs: `${r.scavenges} / ${r.majorGcs}`,
      votesPerCommit: r.stored / Math.max(1, r.commits),
      peakRssMb: r.peakRssMb,
      delivered: ids.size,
      resent: boxes.reduce((n, b) => n + b.resent, 0),
      ackFramesPerVote: boxes.reduce((n, b) => n + b.ackFrames, 0) / total,
      welcome: JSON.stringify(welcomes[0]),
      loadBefore,
      loadAfter: loadavg()[0] as number,
    };
  } finally {
    // A run that failed must not leave its bridge running on the shared machine.
    if (bridge !== undefined && bridge.exitCode === null && bridge.signalCode === null) bridge.kill('SIGKILL');
    for (const b of boxes) await b.close();
    for (const p of pairs) await p.dispose();
    await mosquitto?.dispose();
    tmp.remove();
  }
}

/**
 * Builds the bridge, prints the machine's load, then runs `runPtyLoad` with
 * `terminals` boxes once per `[send window, votes]` plan, in order.
 */
export async function runPtyLoads(terminals: number, plans: readonly (readonly [number, number])[]): Promise<PtyLoadResult[]> {
  buildBridge();
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  console.log(`load average before: ${load} (2 cores shared: figures above ~2 are not a quiet machine's)`);
  const runs: PtyLoadResult[] = [];
  for (const [window, votes] of plans) {
    const boxes = terminals === 1 ? '1 box on a socat pty' : `${terminals} boxes on socat ptys`;
    console.log(`${boxes}, send window ${window}, ${votes.toLocaleString('en-US')} votes…`);
    runs.push(await runPtyLoad(terminals, window, votes));
  }
  return runs;
}
