/**
 * The ward bridge's counters snapshot: every visible counter (votes
 * stored, duplicates, rejections, refusals, port problems, MQTT, kiosk
 * intake, retained state, outbox) under its status key. Separate from
 * ward-bridge.ts so the status vocabulary is in one place; the bridge
 * publishes it on `_bridge/status` and logs it.
 */
import type { Journal } from './journal/journal.ts';
import type { KioskIntake } from './kiosk/kiosk-intake.ts';
import type { MqttLink } from './mqtt/mqtt-link.ts';
import type { OutboxPublisher } from './mqtt/outbox-publisher.ts';
import type { RetainedState } from './mqtt/retained-state.ts';

/** Where the counters are read from, at each snapshot. */
export interface CounterSources {
  readonly journal: Journal;
  /** Resends answered DUP before reaching the journal (the journal counts its own). */
  readonly earlyDuplicates: number;
  /** Refused HELLOs and votes by code. */
  readonly refused: Readonly<Record<string, number>>;
  /** HELLOs refused because their uid was live on another port. */
  readonly uidConflicts: number;
  /** Port problems by code. */
  readonly problemCounts: ReadonlyMap<string, number>;
  readonly link: MqttLink;
  readonly kioskIntake: KioskIntake;
  readonly retained: RetainedState;
  readonly outbox: OutboxPublisher;
  /** More counters (the embedded broker's refusals). */
  readonly extra?: () => Readonly<Record<string, number>>;
}

/** Counters for the bridge status (visible on the broker and in logs). */
export function bridgeCounters(s: CounterSources): Record<string, number> {
  const out: Record<string, number> = {};
  if (s.journal.isOpen) {
    const j = s.journal.stats();
    out['votes-stored'] = j.stored;
    out['votes-duplicate'] = j.duplicates + s.earlyDuplicates;
    out['journal-failed'] = j.failed;
    out['tally-persist-failed'] = j.tallyPersistFailed;
    out['outbox-backlog'] = s.journal.outboxSize();
    for (const [reason, n] of Object.entries(s.journal.rejectedCounts())) out[`votes-rejected-${reason}`] = n;
  }
  for (const [code, n] of Object.entries(s.refused)) out[`refused-${code}`] = n;
  // Every refused HELLO, not only the logged ones.
  if (s.uidConflicts > 0) out['refused-uid-conflict'] = s.uidConflicts;
  for (const [code, n] of s.problemCounts) out[`port-${code}`] = n;
  for (const [code, n] of Object.entries(s.link.rejected())) out[`mqtt-${code}`] = n;
  for (const [code, n] of Object.entries(s.kioskIntake.stats())) out[code] = n;
  out['retained-failed'] = s.retained.stats().failed;
  out['outbox-journal-errors'] = s.outbox.stats().journalErrors;
  Object.assign(out, s.extra?.());
  return out;
}
