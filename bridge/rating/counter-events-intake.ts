/**
 * What the ward bridge does with its counters' MQTT events: a `session`
 * updates the counter state; a `served` opens the rating window (and the
 * gated boxes' windows) and keeps a served dossier for the reconciliation.
 * Separate from ward-bridge.ts so the bridge only subscribes and hands
 * each message here.
 */
import type { Logger } from 'pino';
import type { Served } from '../../core/counter-events.ts';
import { DEFAULT_STAGE } from '../../core/dossier.ts';
import type { TopicMessage } from '../../core/topic-payload.ts';
import type { HailongConfig } from '../config/hailong-config.ts';
import type { Journal } from '../journal/journal.ts';
import type { TerminalSession } from '../serial/terminal-session.ts';
import type { CounterState } from './counter-state.ts';
import { setCounterWindows } from './gated-windows.ts';

/** What a counter event reads and changes; the bridge owns each of them. */
export interface CounterEventsContext {
  readonly config: HailongConfig;
  readonly counters: CounterState;
  readonly journal: Journal;
  /** Which session speaks for each terminal id now. */
  readonly owners: ReadonlyMap<string, TerminalSession>;
  readonly log: Logger;
}

/** Applies one `session` or `served` message of this ward; ignores anything else. */
export function onCounterMessage(ctx: CounterEventsContext, m: TopicMessage): void {
  const { config } = ctx;
  if (m.params.district !== config.district.id || m.params.ward !== config.ward.id) return;
  if (m.kind === 'session') {
    ctx.counters.session(m.params.counter, m.payload);
    return;
  }
  if (m.kind !== 'served') return;
  const counter = config.counters.find((c) => c.id === m.params.counter);
  if (counter === undefined) return;
  ctx.counters.served(counter.id, m.payload, Date.now(), config.rating.windowMs);
  if (m.payload.dossier !== undefined) recordServed(ctx, counter.id, m.payload);
  if (counter.mode !== 'gated') return;
  setCounterWindows(ctx.owners, counter.id, config.rating.windowMs);
}

/** Keeps a served dossier for the reconciliation's "served, not rated" list; a failed write is logged, never thrown. */
function recordServed(ctx: CounterEventsContext, counter: string, served: Served): void {
  try {
    ctx.journal.dossiers.recordServed({
      counter,
      dossier: served.dossier as string,
      stage: served.stage ?? DEFAULT_STAGE,
      at: served.at,
      ...(served.officer === undefined ? {} : { officer: served.officer }),
      ...(served.ticket === undefined ? {} : { ticket: served.ticket }),
    });
  } catch (error) {
    ctx.log.error(
      { counter, dossier: served.dossier, error: (error as Error).message },
      'served dossier not recorded (the reconciliation will miss it)',
    );
  }
}
