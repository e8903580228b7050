/**
 * Each button box's retained status (`Status`, kind `button`, core/status.ts):
 * what it carries (the HELLO's uid, model and firmware; a low supply, EVENT
 * LOWV; missing power-cut fuses, EVENT FUSE, PROTOCOL.md §5.9; the port's
 * error counters) and when it is published again: online, offline, a LOWV or
 * FUSE from the session that speaks for the box, or error counters that moved.
 * The dashboard shows these on the counter's tile. Wired by ward-bridge.ts.
 */
import type { Logger } from 'pino';
import { MAX_SUPPLY_MV, type BoxFuses, type Status } from '../../core/status.ts';
import { parseFuseEvent } from '../../firmware-protocol/src/fuse-event.ts';
import type { PlacedTerminal } from '../config/hailong-config.ts';
import type { RetainedState } from '../mqtt/retained-state.ts';
import type { TerminalSession } from './terminal-session.ts';

/** What the board needs from the bridge. */
export interface BoxStatusBoardOptions {
  /** Where statuses are published (retained). */
  readonly retained: Pick<RetainedState, 'terminalStatus'>;
  /** Which session speaks for each terminal id now: only its events change the box's status. */
  readonly owners: ReadonlyMap<string, TerminalSession>;
  /** The bridge's bad-input counters by code (a malformed FUSE value counts as `bad-fuse-event`). */
  readonly problemCounts: Map<string, number>;
}

/** The boxes' statuses, by terminal id. */
export class BoxStatusBoard {
  /** The error counters last published, by terminal id (JSON). */
  private readonly publishedErrors = new Map<string, string>();
  /** Supply in mV a box reported low (EVENT LOWV) in its current session, by terminal id (Status.supplyMv). */
  private readonly lowSupply = new Map<string, number>();
  /** Fuses a box reported lacking the power-cut protection (EVENT FUSE) in its current session (Status.fuses). */
  private readonly unprotected = new Map<string, BoxFuses>();

  /** Assigns only. */
  constructor(private readonly options: BoxStatusBoardOptions) {}

  /** A session of the box began: LOWV and FUSE are reported in every session while they hold (firmware 1.2), so it starts clear. */
  online(terminal: PlacedTerminal, session: TerminalSession): void {
    this.lowSupply.delete(terminal.id);
    this.unprotected.delete(terminal.id);
    this.publish(terminal, session, 'online');
  }

  /** Republishes the status when the port's error counters moved since the last one. */
  refresh(terminal: PlacedTerminal, session: TerminalSession): void {
    if (this.publishedErrors.get(terminal.id) !== JSON.stringify(session.errorCounts())) this.publish(terminal, session, 'online');
  }

  /** An EVENT from a box: logged; LOWV and FUSE from the session that speaks for it go on its status. */
  deviceEvent(session: TerminalSession, terminal: PlacedTerminal | undefined, code: string, value: string, log: Logger): void {
    if (code === 'FUSE') {
      this.fuseEvent(session, terminal, value, log);
      return;
    }
    const level = code === 'FULL' || code === 'LOWV' || code === 'STUCK' ? 'warn' : 'info';
    log[level](
      { terminal: terminal?.id ?? null, code, value },
      code === 'FULL' ? `terminal refused ${value} presses: its vote buffer was full` : 'terminal event',
    );
    // The dashboard shows a low supply on the counter's tile: it rides on the box's retained status.
    const mv = Number(value);
    if (code === 'LOWV' && terminal !== undefined && /^\d{1,5}$/.test(value) && mv <= MAX_SUPPLY_MV && this.speaksFor(session, terminal)) {
      this.lowSupply.set(terminal.id, mv);
      this.publish(terminal, session, 'online');
    }
  }

  /** Publishes the box's status as `state`, with what its current session reported. */
  publish(terminal: PlacedTerminal, session: TerminalSession, state: Status['state']): void {
    const hello = session.lastHello;
    const errors = session.errorCounts();
    this.publishedErrors.set(terminal.id, JSON.stringify(errors));
    this.options.retained.terminalStatus(terminal, {
      v: 1,
      state,
      at: Date.now(),
      kind: 'button',
      ...(hello === undefined ? {} : { uid: hello.uid, model: hello.model, firmware: hello.firmware }),
      ...(this.lowSupply.has(terminal.id) ? { supplyMv: this.lowSupply.get(terminal.id) } : {}),
      ...(this.unprotected.has(terminal.id) ? { fuses: this.unprotected.get(terminal.id) } : {}),
      errors,
    });
  }

  /**
   * EVENT FUSE (PROTOCOL.md §5.9): the box lacks the 4.3 V brown-out and/or
   * EESAVE (flashed through a bootloader). Warned in the log and put on the
   * box's retained status, where the counter's tile asks for an ISP re-flash.
   */
  private fuseEvent(session: TerminalSession, terminal: PlacedTerminal | undefined, value: string, log: Logger): void {
    const fuses = parseFuseEvent(value);
    if (!fuses.ok) {
      const n = (this.options.problemCounts.get('bad-fuse-event') ?? 0) + 1;
      this.options.problemCounts.set('bad-fuse-event', n);
      log.warn({ terminal: terminal?.id ?? null, code: 'bad-fuse-event', count: n, value }, fuses.message);
      return;
    }
    log.warn(
      { terminal: terminal?.id ?? null, code: 'FUSE', value, missing: fuses.value.missing },
      `terminal lacks power-cut protection (${fuses.value.missing.join(', ')} fuse not set): re-flash it over ISP (make flash-isp)`,
    );
    if (terminal === undefined || !this.speaksFor(session, terminal)) return;
    this.unprotected.set(terminal.id, fuses.value);
    this.publish(terminal, session, 'online');
  }

  private speaksFor(session: TerminalSession, terminal: PlacedTerminal): boolean {
    return this.options.owners.get(terminal.id) === session;
  }
}
