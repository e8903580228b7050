/**
 * A terminal's HELLO (PROTOCOL.md §5.1) and its pacing: in the HELLO phase it
 * goes at once and then every 2 s until WELCOME (§6.1 step 2); refused by the
 * bridge's version, it is slowed down and only repeated, in case the bridge
 * is upgraded (§6.2). The phases themselves are virtual-terminal.ts's.
 */
import { PROTOCOL_VERSION, type HelloMessage } from '../../firmware-protocol/src/index.ts';
import type { Clock, ClockTimer } from './clock.ts';
import type { ResolvedTerminalOptions } from './terminal-options.ts';

/** HELLO `pending` is 0..65535 (§5.1). */
const MAX_PENDING_FIELD = 65535;

/** The HELLO of a terminal with these options and `pending` stored votes. */
export function helloMessage(o: ResolvedTerminalOptions, pending: number): HelloMessage {
  return {
    type: 'HELLO',
    proto: PROTOCOL_VERSION,
    uid: o.uid,
    model: o.model,
    firmware: o.firmware,
    buttons: o.buttons,
    pending: Math.min(pending, MAX_PENDING_FIELD),
    // §5.1: a 1.0 box (the default) leaves the window out; the bridge then grants none.
    ...(o.inFlight > 1 ? { inFlight: o.inFlight } : {}),
  };
}

/** Calls `beat` (which sends one HELLO) at a fixed interval until stopped. */
export class HelloBeacon {
  private timer: ClockTimer | null = null;
  /** The current run; a beat whose listener stopped or restarted the beacon schedules nothing more. */
  private run: object | null = null;

  /** Assigns only; `start()` begins the beats. */
  constructor(
    private readonly clock: Clock,
    private readonly beat: () => void,
  ) {}

  /** (Re)starts the beats every `intervalMs`: the first now, or after one interval when `now` is false. */
  start(intervalMs: number, now: boolean): void {
    this.stop();
    const run = {};
    this.run = run;
    const beatThenNext = (): void => {
      this.beat();
      if (this.run === run) this.timer = this.clock.setTimer(beatThenNext, intervalMs);
    };
    if (now) beatThenNext();
    else this.timer = this.clock.setTimer(beatThenNext, intervalMs);
  }

  /** Stops the beats; harmless when stopped. */
  stop(): void {
    this.timer?.cancel();
    this.timer = null;
    this.run = null;
  }
}
