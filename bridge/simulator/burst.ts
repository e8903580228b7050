/**
 * A vote burst for fault tests and benchmarks: `total` presses spread over
 * terminals as fast as the protocol allows (each terminal presses whenever
 * its buffer has room, i.e. up to `capacity` ahead of its ACKs), resolving
 * when every burst vote is ACKed — or, at the deadline, with what is still
 * pending. Reboots and link loss along the way are fine: pending votes keep
 * their seqs and complete later.
 */
import type { Clock } from './clock.ts';
import type { Random } from './random.ts';
import type { VirtualTerminal } from './virtual-terminal.ts';

/** One vote of a burst: the bridge's id for it is derived from (uid, seq). */
export interface BurstVote {
  readonly uid: string;
  readonly seq: number;
}

/** Options of a burst. */
export interface BurstOptions {
  /**
   * How many of the simulation's terminals take part (the first n).
   * @default all
   */
  terminals?: number;
  /**
   * Give up waiting after this long and report what is pending.
   * @default 120000
   */
  timeoutMs?: number;
  /** Called every `progressEvery` ACKs with the counts so far. */
  onProgress?: (progress: BurstProgress) => void;
  /**
   * ACKs between onProgress calls.
   * @default max(1, total / 100)
   */
  progressEvery?: number;
}

/** Counts while a burst runs. */
export interface BurstProgress {
  readonly total: number;
  /** Presses that became votes. */
  readonly accepted: number;
  /** Burst votes ACKed. */
  readonly acked: number;
}

/** Outcome of a burst. */
export interface BurstResult extends BurstProgress {
  /** True when every one of `total` presses became a vote and was ACKed. */
  readonly complete: boolean;
  /** From the first press to the last ACK (or the deadline). */
  readonly durationMs: number;
  /** ACKed burst votes per second. */
  readonly votesPerSecond: number;
  /** Every burst vote, in press order per terminal. */
  readonly votes: readonly BurstVote[];
  /** Burst votes not ACKed at the end (empty when complete). */
  readonly unacked: readonly BurstVote[];
  /** Presses never made because the deadline came first. */
  readonly notPressed: number;
}

/** What the burst needs to choose a button. */
export type ButtonChooser = (terminal: VirtualTerminal, random: Random) => number;

interface Lane {
  readonly terminal: VirtualTerminal;
  remaining: number;
  readonly open: Set<number>;
}

/** Runs a burst over `terminals`; see BurstOptions. */
export function runBurst(
  terminals: readonly VirtualTerminal[],
  total: number,
  options: BurstOptions,
  clock: Clock,
  random: Random,
  chooseButton: ButtonChooser,
): Promise<BurstResult> {
  if (!Number.isInteger(total) || total < 0) throw new TypeError(`"total" must be an integer >= 0, got ${String(total)}`);
  const n = options.terminals ?? terminals.length;
  if (!Number.isInteger(n) || n < 1 || n > terminals.length) throw new TypeError(`"terminals" must be an integer 1..${terminals.length}`);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const progressEvery = Math.max(1, options.progressEvery ?? Math.floor(total / 100));
  const lanes: Lane[] = terminals.slice(0, n).map((terminal, i) => ({
    terminal,
    // Spread evenly: the first (total mod n) terminals take one more.
    remaining: Math.floor(total / n) + (i < total % n ? 1 : 0),
    open: new Set<number>(),
  }));
  const votes: BurstVote[] = [];
  let acked = 0;
  const started = clock.now();

  return new Promise<BurstResult>((resolve) => {
    const cleanups: (() => void)[] = [];
    let finished = false;

    const finish = (): void => {
      if (finished) return;
      finished = true;
      timer.cancel();
      for (const c of cleanups) c();
      const durationMs = clock.now() - started;
      const unacked: BurstVote[] = [];
      let notPressed = 0;
      for (const lane of lanes) {
        for (const seq of lane.open) unacked.push({ uid: lane.terminal.uid, seq });
        notPressed += lane.remaining;
      }
      resolve({
        complete: unacked.length === 0 && notPressed === 0,
        total,
        accepted: votes.length,
        acked,
        durationMs,
        votesPerSecond: durationMs > 0 ? (acked * 1000) / durationMs : acked > 0 ? Infinity : 0,
        votes,
        unacked,
        notPressed,
      });
    };

    const done = (): boolean => lanes.every((l) => l.remaining === 0 && l.open.size === 0);

    const fill = (lane: Lane): void => {
      const t = lane.terminal;
      while (lane.remaining > 0 && t.pending < t.capacity && t.phase !== 'off') {
        const r = t.press(chooseButton(t, random));
        if (!r.ok) break; // full, off, inactive or storage: retried on the next ACK or state change
        lane.remaining--;
        lane.open.add(r.seq);
        votes.push({ uid: t.uid, seq: r.seq });
      }
    };

    for (const lane of lanes) {
      const onAcked = ({ seq }: { seq: number }): void => {
        if (lane.open.delete(seq)) {
          acked++;
          if (options.onProgress && acked % progressEvery === 0) options.onProgress({ total, accepted: votes.length, acked });
        }
        fill(lane);
        if (done()) finish();
      };
      const onState = (): void => fill(lane);
      lane.terminal.on('acked', onAcked);
      lane.terminal.on('state', onState);
      cleanups.push(() => {
        lane.terminal.off('acked', onAcked);
        lane.terminal.off('state', onState);
      });
    }
    const timer = clock.setTimer(finish, timeoutMs);
    for (const lane of lanes) fill(lane);
    if (done()) finish();
  });
}
