/**
 * Forwarding backlog after a long WAN cut: a busy ward's 20,000 stored votes
 * that the hub never acknowledged are forwarded by the upstream forwarder
 * (journal rows, QoS 1, pipelined, marked forwarded on PUBACK) through the
 * real hub link to a real Mosquitto standing in for the hub, while an
 * independent subscriber counts what arrived. Target ≥ 5,000 votes/s (issue
 * 10). The comparison run side by side: the same rows forwarded one at a
 * time (stop-and-wait, window 1), which is how mqtt.js replays its own
 * store after a reconnect.
 */
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { Journal } from '../bridge/journal/journal.ts';
import type { VoteInput } from '../bridge/journal/vote-input.ts';
import { UpstreamLink } from '../bridge/upstream/upstream-link.ts';
import { VoteForwarder } from '../bridge/upstream/vote-forwarder.ts';
import { tempDir } from '../test/bridge/bridge-rig.ts';
import { collect } from '../test/helpers/mqtt-collector.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';
import { printFigures, printTarget } from './report.ts';

const BACKLOG = Number(process.env.HAILONG_BENCH_UPSTREAM_BACKLOG ?? 20_000);
const STOP_AND_WAIT = Math.min(BACKLOG, 2000);
const TERMINALS = 20;
const T0 = Date.UTC(2026, 10, 2, 1, 0);
const log = pino({ level: 'silent' });

async function fill(path: string, n: number): Promise<Journal> {
  const journal = new Journal({ path });
  journal.open();
  const all: Promise<unknown>[] = [];
  for (let k = 0; k < n; k++) {
    const t = k % TERMINALS;
    const input: VoteInput = {
      uid: `SIM-${String(t + 1).padStart(2, '0')}`,
      deviceSeq: Math.floor(k / TERMINALS) + 1,
      path: { district: 'ba-dinh', ward: 'phuc-xa', counter: `quay-${t + 1}`, terminal: `hop-${t + 1}` },
      level: k % 20 === 0 ? 'khong-hai-long' : k % 3 === 0 ? 'hai-long' : 'rat-hai-long',
      // 24 h of a busy ward: 20,000 votes over a day.
      pressedAt: T0 + Math.floor((k * 86_400_000) / n),
      receivedAt: T0 + Math.floor((k * 86_400_000) / n) + 40,
      source: 'button',
    };
    all.push(journal.append(input));
  }
  await Promise.all(all);
  return journal;
}

/** Forwards the journal's backlog to `url`; resolves with the drain time once every row is marked forwarded. */
async function drain(journal: Journal, url: string, window: number): Promise<{ ms: number; cpuMs: number }> {
  const link = new UpstreamLink({ urls: [url], clientId: `bench-upstream-${window}`, log });
  const forwarder = new VoteForwarder(journal, link, log, { window, markDelayMs: 20 });
  const connected = new Promise<void>((r) => link.once('connect', () => r()));
  link.start();
  await connected;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  forwarder.start();
  while (journal.forwardQueue.backlog() > 0) await new Promise((r) => setTimeout(r, 5));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  forwarder.stop();
  await link.stop();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const tmp = tempDir('hailong-bench-upstream-');
const hub = await startMosquitto();
const archive = await collect(hub.url, 'hailong/v1/+/+/+/+/vote');
console.log(`filling a backlog of ${BACKLOG.toLocaleString('en-US')} votes (a 24 h WAN cut)…`);
const journal = await fill(join(tmp.dir, 'journal.db'), BACKLOG);
console.log('forwarding it to the hub (Mosquitto)…');
const piped = await drain(journal, hub.url, 500);
await archive.waitFor((m) => m.length >= BACKLOG, 30_000, 'every vote on the hub');
const arrived = new Set(archive.messages.map((m) => (JSON.parse(m.payload) as { id: string }).id)).size;
journal.close();
const peerJournal = await fill(join(tmp.dir, 'peer.db'), STOP_AND_WAIT);
console.log(`peer: ${STOP_AND_WAIT.toLocaleString('en-US')} votes one at a time…`);
const single = await drain(peerJournal, hub.url, 1);
peerJournal.close();
await archive.close();
await hub.dispose();
tmp.remove();

const rate = (BACKLOG / piped.ms) * 1000;
printFigures(
  `upstream drain: ${BACKLOG.toLocaleString('en-US')}-vote backlog to the hub, QoS 1, marked forwarded on PUBACK, Mosquitto hub on loopback`,
  [
    ['distinct votes on the hub', arrived, 'votes'],
    ['drain, window 500 (pipelined)', rate, 'votes/s'],
    ['drain duration', piped.ms / 1000, 's'],
    ['CPU per vote (forwarder + counting subscriber, one process)', piped.cpuMs / BACKLOG, 'ms'],
    ['peer: stop-and-wait (window 1, mqtt.js store replay)', (STOP_AND_WAIT / single.ms) * 1000, 'votes/s'],
    ['pipelining speed-up', (rate / ((STOP_AND_WAIT / single.ms) * 1000)).toFixed(1), '×'],
    // Wall-clock figures: on a shared machine they fall with its load (CPU per vote does not).
    ['machine load (1-min average) on cores', `${loadavg()[0]?.toFixed(1) ?? '?'} / ${availableParallelism()}`],
  ],
);
printTarget('drain rate', rate, 5000, 'higher', 'votes/s');
if (arrived !== BACKLOG) {
  console.log(`  MISSING: ${BACKLOG - arrived} votes never reached the hub`);
  process.exitCode = 1;
}
