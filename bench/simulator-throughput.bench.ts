import { rmSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { FrameDecoder, encode, type Message } from '../firmware-protocol/src/index.ts';
import { createPtyFleet, createStreamFleet } from '../bridge/simulator/fleet.ts';
import { Simulation } from '../bridge/simulator/simulation.ts';
import type { VirtualTerminal } from '../bridge/simulator/virtual-terminal.ts';
import { printFigures, printTarget } from './report.ts';

/**
 * How fast the virtual terminals can feed a bridge: a burst (stop-and-wait,
 * one vote in flight per terminal, as PROTOCOL.md §7.2 requires) against a
 * minimal in-process bridge that ACKs at once. Two cables:
 * - 64 terminals on in-process stream pairs (the fleet the bridge's
 *   throughput benchmark will use), against the 5,000 votes/s target;
 * - 8 terminals on real socat pty pairs, where each round trip crosses
 *   socat twice.
 * Compared with the physical floor: what 115200-baud lines could carry at
 * all with one VOTE + one ACK per vote.
 */

/** Minimal bridge side: WELCOME on HELLO, ACK OK on VOTE; nothing stored (this measures the terminals and the cable). */
function ackingBridge(port: { on(e: 'data', cb: (b: Buffer) => void): unknown; write(s: string): unknown }): void {
  const decoder = new FrameDecoder({ raw: false });
  port.on('data', (chunk: Buffer) => {
    let out = '';
    for (const r of decoder.push(chunk)) {
      if (!r.ok) continue;
      const m: Message = r.value;
      if (m.type === 'HELLO') out += encode({ type: 'WELCOME', proto: 1 });
      else if (m.type === 'VOTE') out += encode({ type: 'ACK', seq: m.seq, status: 'OK' });
    }
    if (out !== '') port.write(out);
  });
}

async function sessionUp(terminals: readonly VirtualTerminal[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!terminals.every((t) => t.phase === 'session')) {
    if (Date.now() > deadline) throw new Error('terminals did not reach the session');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** 115200 baud, 8N1 = 11,520 bytes/s per direction; a vote needs its VOTE one way and its ACK the other. */
function physicalVotesPerSecond(lines: number): number {
  const vote = encode({ type: 'VOTE', seq: 12345, button: 1, reason: 0, ageMs: 45, flags: '' }).length;
  return (lines * 11_520) / vote;
}

// 1. 64 terminals, in-process.
{
  const fleet = createStreamFleet(64, { uidPrefix: 'BENCH-' });
  for (const side of fleet.bridgeSides) ackingBridge(side);
  fleet.start();
  await sessionUp(fleet.terminals);
  const sim = new Simulation({ terminals: fleet.terminals, seed: 1 });
  await sim.burst(6_400); // warm-up
  const r = await sim.burst(64_000);
  if (!r.complete) throw new Error('in-process burst incomplete');
  printFigures('Virtual terminals → ACKing bridge, 64 in-process stream pairs, burst of 64,000', [
    ['votes ACKed', r.acked, ''],
    ['duration', r.durationMs, 'ms'],
    ['throughput', r.votesPerSecond, 'votes/s'],
    ['physical floor, 64 lines @115200', physicalVotesPerSecond(64), 'votes/s'],
  ]);
  printTarget('throughput (64 terminals)', r.votesPerSecond, 5_000, 'higher', 'votes/s');
  await fleet.close();
}

// 2. 8 terminals on socat pty pairs.
{
  const dir = `/tmp/hailong-bench-pty-${process.pid}`;
  const fleet = await createPtyFleet(8, { dir, uidPrefix: 'BPTY-' });
  const hosts = await Promise.all(
    fleet.hostPaths.map(async (path) => {
      const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
      port.on('error', () => {});
      await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
      ackingBridge(port);
      return port;
    }),
  );
  fleet.start();
  await sessionUp(fleet.terminals);
  const sim = new Simulation({ terminals: fleet.terminals, seed: 2 });
  await sim.burst(400);
  const r = await sim.burst(8_000, { timeoutMs: 120_000 });
  if (!r.complete) throw new Error('pty burst incomplete');
  printFigures('Virtual terminals → ACKing bridge, 8 socat pty pairs, burst of 8,000', [
    ['votes ACKed', r.acked, ''],
    ['duration', r.durationMs, 'ms'],
    ['throughput', r.votesPerSecond, 'votes/s'],
    ['round trip per vote per terminal', (r.durationMs * 8) / r.acked, 'ms'],
    ['physical floor, 8 lines @115200', physicalVotesPerSecond(8), 'votes/s'],
  ]);
  await Promise.all(hosts.map((p) => new Promise<void>((resolve) => p.close(() => resolve()))));
  await fleet.close();
  rmSync(dir, { recursive: true, force: true });
}
