/**
 * Kiosk votes into the journal. A kiosk publishes its votes on its own
 * `…/{counter}/{terminal}/vote` topic; the bridge takes each one in here,
 * from either adapter (the embedded broker's publish path, kiosk-gate.ts,
 * or a persistent-session subscription to an external broker,
 * kiosk-vote-subscriber.ts), and the adapter acknowledges the kiosk's
 * publish only once this resolves `accept`: after the journal commit.
 *
 * Checks: size, core `parseMessage` (schema, and the payload names the
 * place its topic names), the terminal is a configured kiosk of this office
 * at that counter. A refused vote is counted by code and never crashes
 * anything. A vote id already stored is a duplicate (accepted, not counted
 * twice). The vote keeps the kiosk's own id; `receivedAt` is the bridge's.
 *
 * Gated counters (one service, one vote, whatever the terminal): the
 * counter's window (bridge/rating/counter-state.ts) is shared with its
 * button boxes, so the second vote of a service — box or kiosk — is kept,
 * flagged `gated` and left out of the tallies. One dossier and stage, one
 * vote: the journal flags a second one `dossier` (bridge/journal/dossier-book.ts).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { parseMessage } from '../../core/topic-payload.ts';
import { VOTE_MAX_CHARS, type Vote } from '../../core/vote.ts';
import type { HailongConfig, PlacedTerminal } from '../config/hailong-config.ts';
import { terminalsOf } from '../config/hailong-config.ts';
import type { Journal } from '../journal/journal.ts';
import { OWN_SEQ_UID_PREFIX } from '../journal/tally-book.ts';
import type { CounterState } from '../rating/counter-state.ts';

/** Largest kiosk vote accepted, in bytes: a vote's 4096 characters of UTF-8. */
export const MAX_KIOSK_VOTE_BYTES = VOTE_MAX_CHARS * 4;

/** What the adapter does with the kiosk's publish. */
export type IntakeVerdict =
  | { readonly accept: true; readonly status: 'stored' | 'duplicate'; readonly vote?: Vote }
  /** `retry`: the vote was fine but not stored (journal full): do NOT acknowledge it, the kiosk keeps it. */
  | { readonly accept: false; readonly code: string; readonly message: string; readonly retry: boolean };

/** Events of `KioskIntake`. */
export interface KioskIntakeEvents {
  /** A kiosk vote was committed to the journal. */
  stored: [vote: Vote, terminal: PlacedTerminal];
  /**
   * The vote's id is in the journal (stored now, stored before, or stored
   * as rejected): the kiosk may forget it (its receipt, kiosk-receipts.ts).
   */
  journaled: [vote: Vote, terminal: PlacedTerminal];
}

/** Options of `KioskIntake`. */
export interface KioskIntakeOptions {
  readonly config: HailongConfig;
  readonly journal: Journal;
  readonly counters: CounterState;
  readonly log: Logger;
  /** The bridge's clock (receivedAt). @default Date.now */
  readonly now?: () => number;
}

/** Validates, judges and journals kiosk votes. */
export class KioskIntake extends EventEmitter<KioskIntakeEvents> {
  private readonly kiosks = new Map<string, PlacedTerminal>();
  private readonly inflight = new Map<string, Promise<IntakeVerdict>>();
  private readonly counts: Record<string, number> = {};
  private readonly now: () => number;

  constructor(readonly options: KioskIntakeOptions) {
    super();
    this.now = options.now ?? Date.now;
    for (const t of terminalsOf(options.config)) if (t.kind === 'touch') this.kiosks.set(t.id, t);
  }

  /** The configured kiosks (their vote topics are what the adapters listen to). */
  terminals(): readonly PlacedTerminal[] {
    return [...this.kiosks.values()];
  }

  /** Counters for the bridge status: `kiosk-votes-stored`, `kiosk-votes-duplicate`, `kiosk-refused-<code>`. */
  stats(): Readonly<Record<string, number>> {
    return { ...this.counts };
  }

  /** Takes one kiosk publish (topic + raw payload). Never rejects. */
  ingest(topic: string, payload: Uint8Array | string): Promise<IntakeVerdict> {
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
    if (size > MAX_KIOSK_VOTE_BYTES)
      return Promise.resolve(this.refuse(topic, 'too-large', `vote payload of ${size} bytes is over ${MAX_KIOSK_VOTE_BYTES}`));
    const text =
      typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
    const parsed = parseMessage(topic, text);
    if (!parsed.ok) return Promise.resolve(this.refuse(topic, parsed.code, parsed.message));
    if (parsed.value.kind !== 'vote') return Promise.resolve(this.refuse(topic, 'not-a-vote', `${parsed.value.kind} is not a vote topic`));
    const vote = parsed.value.payload;
    const { config } = this.options;
    const terminal = this.kiosks.get(vote.terminal);
    if (
      vote.district !== config.district.id ||
      vote.ward !== config.ward.id ||
      terminal === undefined ||
      terminal.counter.id !== vote.counter
    ) {
      return Promise.resolve(
        this.refuse(
          topic,
          'unknown-terminal',
          `${vote.counter}/${vote.terminal} is not a kiosk of ${config.district.id}/${config.ward.id}`,
        ),
      );
    }
    if (vote.source !== 'touch')
      return Promise.resolve(this.refuse(topic, 'wrong-source', `a kiosk vote has source "touch", got "${vote.source}"`));
    // A second copy while the first is being stored waits for the first's outcome.
    const held = this.inflight.get(vote.id);
    if (held !== undefined) return held;
    const pending = this.store(vote, terminal).finally(() => this.inflight.delete(vote.id));
    this.inflight.set(vote.id, pending);
    return pending;
  }

  private async store(vote: Vote, terminal: PlacedTerminal): Promise<IntakeVerdict> {
    const { journal, counters } = this.options;
    if (!journal.isOpen) return this.refuse(vote.id, 'journal-closed', 'the journal is not open', true);
    // A stored id must not consume a gated window again.
    if (journal.hasVote(vote.terminal, vote.seq)) return this.duplicate(vote, terminal);
    const gated = terminal.counter.mode === 'gated';
    const verdict = counters.judge(terminal.counter.id, gated, vote.pressedAt, vote.filtered);
    const officer = vote.officer ?? verdict.officer;
    const ticket = vote.ticket ?? verdict.ticket;
    // A code the kiosk read from the receipt wins over the desk's window (the citizen holds that dossier).
    const dossier =
      vote.dossier === undefined
        ? verdict.dossier === undefined
          ? undefined
          : { dossier: verdict.dossier, stage: verdict.stage }
        : { dossier: vote.dossier, stage: vote.stage };
    const outcome = await journal.append({
      uid: `${OWN_SEQ_UID_PREFIX}${vote.terminal}`,
      deviceSeq: vote.seq,
      ownSeq: vote.seq,
      path: { district: vote.district, ward: vote.ward, counter: vote.counter, terminal: vote.terminal },
      level: vote.level,
      pressedAt: vote.pressedAt,
      receivedAt: this.now(),
      source: 'touch',
      ...(vote.reasons === undefined ? {} : { reasons: vote.reasons }),
      ...(officer === undefined ? {} : { officer }),
      ...(ticket === undefined ? {} : { ticket }),
      ...(dossier === undefined ? {} : { dossier: dossier.dossier, ...(dossier.stage === undefined ? {} : { stage: dossier.stage }) }),
      ...(verdict.filtered === undefined ? {} : { filtered: verdict.filtered }),
    });
    if (outcome.status === 'duplicate') return this.duplicate(vote, terminal);
    if (outcome.status === 'rejected') {
      // Stored as rejected (journal's rejected-votes table): acknowledged so the kiosk forgets it, never counted.
      this.bump('kiosk-votes-rejected');
      this.options.log.warn({ vote: vote.id, code: outcome.code, error: outcome.message }, 'kiosk vote stored as rejected, not counted');
      this.emit('journaled', vote, terminal);
      return { accept: true, status: 'duplicate' };
    }
    if (outcome.status === 'failed') {
      if (verdict.filtered === undefined) counters.release(terminal.counter.id, vote.pressedAt);
      this.options.log.error(
        { vote: vote.id, code: outcome.code, error: outcome.message },
        'KIOSK VOTE NOT STORED: journal write failed, the kiosk keeps the vote and sends it again',
      );
      return this.refuse(vote.id, outcome.code, outcome.message, true);
    }
    this.bump('kiosk-votes-stored');
    this.emit('stored', outcome.vote, terminal);
    this.emit('journaled', vote, terminal);
    return { accept: true, status: 'stored', vote: outcome.vote };
  }

  private duplicate(vote: Vote, terminal: PlacedTerminal): IntakeVerdict {
    this.bump('kiosk-votes-duplicate');
    // Sent again because its receipt did not arrive (or was lost): say so again.
    this.emit('journaled', vote, terminal);
    return { accept: true, status: 'duplicate' };
  }

  private refuse(what: string, code: string, message: string, retry = false): IntakeVerdict {
    const n = this.bump(`kiosk-refused-${code}`);
    // First of each kind in full, then every 1000th: a flood must not flood the log.
    if (n === 1 || n % 1000 === 0)
      this.options.log.warn({ topic: what.slice(0, 200), code, count: n, error: message.slice(0, 300) }, 'kiosk vote refused');
    return { accept: false, code, message, retry };
  }

  private bump(key: string): number {
    const n = (this.counts[key] ?? 0) + 1;
    this.counts[key] = n;
    return n;
  }
}
