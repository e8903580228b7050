/**
 * Citizens for a fleet of virtual terminals. In realistic mode each counter
 * gets presses like citizens leaving after service: one every 20–90 s on
 * average per counter, never two within the shortest service gap, mostly Rất hài lòng, a few "worse"
 * counters, the odd double press inside the cooldown (so filtered votes
 * show up), reasons after low ratings, and optionally only during opening
 * hours. In rate mode the same machinery produces a fixed total load. For
 * tests, `burst()` presses a fixed number of votes as fast as the protocol
 * allows and waits for their ACKs.
 */
import { EventEmitter } from 'node:events';
import { isOpenAt, type OpeningHours } from '../../core/opening-hours.ts';
import { runBurst, type BurstOptions, type BurstResult } from './burst.ts';
import { systemClock, type Clock, type ClockTimer } from './clock.ts';
import { createRandom, type Random } from './random.ts';
import { checkMix, defaultMix, fitMix, type RatingMix } from './rating-mix.ts';
import type { PressResult } from './terminal-events.ts';
import type { VirtualTerminal } from './virtual-terminal.ts';

/** Options of a Simulation. */
export interface SimulationOptions {
  /** The terminals to press on (started by `start()` if they are off). Required, at least one. */
  terminals: readonly VirtualTerminal[];
  /**
   * Time source and timers.
   * @default systemClock
   */
  clock?: Clock;
  /**
   * Seed of the random source, to replay a run.
   * @default a random seed (see `seed`)
   */
  seed?: number;
  /**
   * Load mode: total presses per second over all terminals. When set it
   * replaces the realistic pacing (`meanIntervalMs`).
   * @default undefined (realistic mode)
   */
  ratePerSecond?: number;
  /**
   * Realistic mode: mean gap between citizens at one counter, in ms; a
   * [min, max] range gives each counter its own mean, uniform in the range.
   * @default [20000, 90000]
   */
  meanIntervalMs?: number | readonly [number, number];
  /**
   * Realistic mode: shortest gap between two citizens at one counter, ms. A
   * counter serves one citizen at a time, so the next one cannot rate a
   * moment later; pure Poisson arrivals put 1 − e^(−cooldown/mean) of the
   * citizens inside the cooldown (39% at a 6 s mean and a 3 s cooldown:
   * issue 12). Gaps are this plus an exponential, keeping the mean.
   * @default half the counter's mean, at most 5000
   */
  minIntervalMs?: number;
  /**
   * Rating weights for buttons 1..n (best first).
   * @default 75% / 22% / 3% for 3 buttons (see rating-mix.ts)
   */
  mix?: readonly number[];
  /**
   * Weights for the "worse" counters.
   * @default 50% / 35% / 15% for 3 buttons
   */
  worseMix?: readonly number[];
  /**
   * How many counters (the last ones) use `worseMix`.
   * @default floor(terminals / 4)
   */
  worseTerminals?: number;
  /**
   * Chance that a citizen presses again shortly after (a double press, which
   * lands inside the cooldown and gets flag C when one is configured).
   * @default 0.05
   */
  doublePressProbability?: number;
  /**
   * Delay range of the second press, ms.
   * @default [300, 2500]
   */
  doublePressDelayMs?: readonly [number, number];
  /**
   * Chance of a reason code after the lowest rating (a touchscreen asks "why?").
   * @default 0.6
   */
  lowReasonProbability?: number;
  /**
   * Chance of a reason code after a middle rating.
   * @default 0.05
   */
  midReasonProbability?: number;
  /**
   * Reason codes drawn uniformly from 1..reasons (the standard catalogue has 6).
   * @default 6
   */
  reasons?: number;
  /**
   * Only press while the office is open (local time of `wallClock`).
   * @default null (always)
   */
  openingHours?: OpeningHours | null;
  /**
   * Wall-clock epoch ms for opening hours.
   * @default Date.now
   */
  wallClock?: () => number;
  /**
   * Interval of 'progress' events while started, ms.
   * @default 10000
   */
  progressIntervalMs?: number;
}

/** One press the simulation made. */
export interface SimulationPress {
  readonly uid: string;
  readonly button: number;
  readonly reason: number;
  /** True for the second press of a double press. */
  readonly double: boolean;
  readonly result: PressResult;
}

/** Totals of a simulation. */
export interface SimulationStats {
  /** Presses made (accepted or not). */
  readonly presses: number;
  /** Presses that became votes. */
  readonly accepted: number;
  /** Presses refused (buffer full, powered off …). */
  readonly refused: number;
  /** Second presses of double presses. */
  readonly doubles: number;
  /** Votes ACKed since the simulation was created (all terminals). */
  readonly acked: number;
  /** Votes waiting in the terminals now. */
  readonly pending: number;
  /** Terminals in session with a bridge now. */
  readonly online: number;
  readonly terminals: number;
  /** Presses skipped because the office was closed. */
  readonly closedSkips: number;
}

/** Typed events of a Simulation. */
export type SimulationEvents = {
  /** Every press. */
  press: [SimulationPress];
  /** Every `progressIntervalMs` while started. */
  progress: [SimulationStats & { readonly elapsedMs: number }];
};

interface Counter {
  readonly terminal: VirtualTerminal;
  readonly meanMs: number;
  /** Shortest gap between two citizens (0 in rate mode). */
  readonly minMs: number;
  readonly worse: boolean;
  nextAt: number;
  timer: ClockTimer | null;
}

function probability(name: string, v: number): number {
  if (!(v >= 0 && v <= 1)) throw new TypeError(`"${name}" must be a number 0..1, got ${String(v)}`);
  return v;
}

function range(name: string, v: readonly [number, number]): readonly [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !(v[0] > 0) || !(v[1] >= v[0]))
    throw new TypeError(`"${name}" must be [min, max] with 0 < min <= max`);
  return v;
}

/** Drives presses on a set of virtual terminals; see SimulationOptions. */
export class Simulation extends EventEmitter<SimulationEvents> {
  /** The random source (its `seed` replays the run). */
  readonly random: Random;
  private readonly terminals: readonly VirtualTerminal[];
  private readonly clock: Clock;
  private readonly counters: Counter[];
  private readonly o: Required<
    Omit<SimulationOptions, 'terminals' | 'clock' | 'seed' | 'ratePerSecond' | 'meanIntervalMs' | 'minIntervalMs' | 'mix' | 'worseMix'>
  >;
  private readonly mix: RatingMix | null;
  private readonly worseMix: RatingMix | null;
  private running = false;
  private startedAt = 0;
  private progressTimer: ClockTimer | null = null;
  private readonly doubleTimers = new Set<ClockTimer>();
  private counts = { presses: 0, accepted: 0, refused: 0, doubles: 0, acked: 0, closedSkips: 0 };

  /** Validates options (throws naming the option); presses nothing until `start()`. */
  constructor(options: SimulationOptions) {
    super();
    if (!Array.isArray(options.terminals) || options.terminals.length === 0)
      throw new TypeError('"terminals" must list at least one VirtualTerminal');
    this.terminals = options.terminals;
    this.clock = options.clock ?? systemClock;
    this.random = createRandom(options.seed);
    this.mix = options.mix === undefined ? null : checkMix('mix', options.mix);
    this.worseMix = options.worseMix === undefined ? null : checkMix('worseMix', options.worseMix);
    const n = this.terminals.length;
    const worseTerminals = options.worseTerminals ?? Math.floor(n / 4);
    if (!Number.isInteger(worseTerminals) || worseTerminals < 0 || worseTerminals > n)
      throw new TypeError(`"worseTerminals" must be an integer 0..${n}`);
    const reasons = options.reasons ?? 6;
    if (!Number.isInteger(reasons) || reasons < 1 || reasons > 99) throw new TypeError('"reasons" must be an integer 1..99');
    const progressIntervalMs = options.progressIntervalMs ?? 10_000;
    if (!(progressIntervalMs > 0)) throw new TypeError('"progressIntervalMs" must be > 0');
    this.o = {
      worseTerminals,
      doublePressProbability: probability('doublePressProbability', options.doublePressProbability ?? 0.05),
      doublePressDelayMs: range('doublePressDelayMs', options.doublePressDelayMs ?? [300, 2500]),
      lowReasonProbability: probability('lowReasonProbability', options.lowReasonProbability ?? 0.6),
      midReasonProbability: probability('midReasonProbability', options.midReasonProbability ?? 0.05),
      reasons,
      openingHours: options.openingHours ?? null,
      wallClock: options.wallClock ?? Date.now,
      progressIntervalMs,
    };

    let means: (i: number) => number;
    let minOf: (mean: number) => number = (mean) => Math.min(5000, mean / 2);
    if (options.minIntervalMs !== undefined) {
      const min = options.minIntervalMs;
      if (!(min >= 0 && Number.isFinite(min))) throw new TypeError(`"minIntervalMs" must be a number >= 0, got ${String(min)}`);
      minOf = () => min;
    }
    if (options.ratePerSecond !== undefined) {
      minOf = () => 0;
      const rate = options.ratePerSecond;
      if (!(rate > 0 && Number.isFinite(rate))) throw new TypeError(`"ratePerSecond" must be a number > 0, got ${String(rate)}`);
      // Independent Poisson streams add up: n counters at rate/n each give `rate` in total.
      means = () => (n * 1000) / rate;
    } else {
      const m = options.meanIntervalMs ?? [20_000, 90_000];
      if (typeof m === 'number') {
        if (!(m > 0)) throw new TypeError('"meanIntervalMs" must be > 0');
        means = () => m;
      } else {
        const [lo, hi] = range('meanIntervalMs', m);
        means = () => lo + this.random.next() * (hi - lo);
      }
    }
    this.counters = this.terminals.map((terminal, i) => {
      const meanMs = means(i);
      return { terminal, meanMs, minMs: Math.min(minOf(meanMs), meanMs), worse: i >= n - worseTerminals, nextAt: 0, timer: null };
    });
    for (const t of this.terminals) t.on('acked', () => this.counts.acked++);
  }

  /** True between start() and stop(). */
  get started(): boolean {
    return this.running;
  }

  /** Mean gap between presses per terminal uid, ms (for banners). */
  get meanIntervals(): ReadonlyMap<string, number> {
    return new Map(this.counters.map((c) => [c.terminal.uid, c.meanMs]));
  }

  /** Current totals. */
  get stats(): SimulationStats {
    let pending = 0;
    let online = 0;
    for (const t of this.terminals) {
      pending += t.pending;
      if (t.phase === 'session') online++;
    }
    return { ...this.counts, pending, online, terminals: this.terminals.length };
  }

  /** Powers on terminals that are off and starts the citizens. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.clock.now();
    for (const c of this.counters) {
      if (c.terminal.phase === 'off') c.terminal.start();
      c.nextAt = this.clock.now() + this.random.exponential(c.meanMs);
      this.schedule(c);
    }
    this.armProgress();
  }

  /** Stops the citizens (terminals stay on, so pending votes still drain). */
  stop(): void {
    this.running = false;
    for (const c of this.counters) {
      c.timer?.cancel();
      c.timer = null;
    }
    for (const t of this.doubleTimers) t.cancel();
    this.doubleTimers.clear();
    this.progressTimer?.cancel();
    this.progressTimer = null;
  }

  /**
   * Presses `total` votes as fast as the protocol allows, spread over the
   * terminals, and resolves when all are ACKed or at the deadline with what
   * is pending (see BurstOptions). Independent of start()/stop().
   */
  burst(total: number, options: BurstOptions = {}): Promise<BurstResult> {
    return runBurst(this.terminals, total, options, this.clock, this.random, (t) => this.chooseButton(t, this.isWorse(t)));
  }

  /** One citizen at terminal `index` now: a rating from the mix, maybe a reason. */
  pressOnce(index: number): SimulationPress {
    const c = this.counters[index];
    if (c === undefined) throw new RangeError(`"index" must be 0..${this.counters.length - 1}`);
    return this.citizen(c, false);
  }

  private isWorse(t: VirtualTerminal): boolean {
    return this.counters.find((c) => c.terminal === t)?.worse ?? false;
  }

  private chooseButton(t: VirtualTerminal, worse: boolean): number {
    const levels = t.config.buttons;
    const base = worse ? this.worseMix : this.mix;
    const mix = base === null ? defaultMix(levels, worse) : fitMix(base, levels, worse);
    return 1 + this.random.weighted(mix);
  }

  private citizen(c: Counter, double: boolean, button?: number): SimulationPress {
    const t = c.terminal;
    const levels = t.config.buttons;
    const b = button !== undefined && button <= levels ? button : this.chooseButton(t, c.worse);
    let reason = 0;
    if (b === levels && levels > 1 && this.random.chance(this.o.lowReasonProbability)) reason = this.random.int(1, this.o.reasons);
    else if (b > 1 && b < levels && this.random.chance(this.o.midReasonProbability)) reason = this.random.int(1, this.o.reasons);
    const result = t.press(b, { reason });
    this.counts.presses++;
    if (result.ok) this.counts.accepted++;
    else this.counts.refused++;
    if (double) this.counts.doubles++;
    const press: SimulationPress = { uid: t.uid, button: b, reason, double, result };
    this.emit('press', press);
    return press;
  }

  private schedule(c: Counter): void {
    c.timer = this.clock.setTimer(() => this.arrive(c), c.nextAt - this.clock.now());
  }

  /** Timer fired: make every arrival that is due (a timer can fire late at high rates), then wait for the next. */
  private arrive(c: Counter): void {
    c.timer = null;
    if (!this.running) return;
    const now = this.clock.now();
    while (c.nextAt <= now && this.running) {
      if (this.o.openingHours !== null && !isOpenAt(this.o.openingHours, this.o.wallClock())) {
        this.counts.closedSkips++;
      } else {
        const first = this.citizen(c, false);
        if (this.random.chance(this.o.doublePressProbability)) this.scheduleDouble(c, first.button);
      }
      c.nextAt += this.gap(c);
    }
    if (this.running) this.schedule(c);
  }

  /** Time to the next citizen: the shortest gap plus an exponential, so the mean stays `meanMs`. */
  private gap(c: Counter): number {
    return c.minMs + (c.meanMs > c.minMs ? this.random.exponential(c.meanMs - c.minMs) : 0);
  }

  /** The same citizen presses again: mostly the same button, sometimes another. */
  private scheduleDouble(c: Counter, button: number): void {
    const [lo, hi] = this.o.doublePressDelayMs;
    const timer = this.clock.setTimer(
      () => {
        this.doubleTimers.delete(timer);
        if (this.running && c.terminal.phase !== 'off') this.citizen(c, true, this.random.chance(0.7) ? button : undefined);
      },
      lo + this.random.next() * (hi - lo),
    );
    this.doubleTimers.add(timer);
  }

  private armProgress(): void {
    this.progressTimer = this.clock.setTimer(() => {
      if (!this.running) return;
      this.emit('progress', { ...this.stats, elapsedMs: this.clock.now() - this.startedAt });
      this.armProgress();
    }, this.o.progressIntervalMs);
  }
}
