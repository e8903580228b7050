/**
 * The ward bridge's `kiosk-receipts` feature: after each kiosk vote it
 * journals (or finds already journaled), it publishes that kiosk's receipt
 * (core/kiosk-receipt.ts), retained and QoS 1, and it republishes every
 * kiosk's receipt on each connect (a broker may have lost its retained
 * store, Koenkk/zigbee2mqtt#9629). The kiosk forgets a vote only when a
 * receipt names it: a broker's PUBACK does not mean the bridge has it
 * (Mosquitto acknowledges a vote no session has subscribed to yet and keeps
 * it for no one; docs/ARCHITECTURE.md, "Kiosk votes go through the journal too").
 *
 * The journaled seqs are read from the journal once at start, then kept
 * in memory from the intake's `journaled` events; a burst of votes costs
 * one publish per kiosk per `delayMs`.
 */
import type { Logger } from 'pino';
import { addSeq, MAX_RECEIPT_RANGES, type KioskReceipt, type SeqRange } from '../../core/kiosk-receipt.ts';
import type { TerminalPath } from '../../core/path.ts';
import type { PlacedTerminal } from '../config/hailong-config.ts';
import { OWN_SEQ_UID_PREFIX } from '../journal/tally-book.ts';
import type { RetainedLink } from '../mqtt/retained-state.ts';
import type { KioskIntake } from './kiosk-intake.ts';

/** What the receipts read from the journal (`Journal`; unit tests pass a fake). */
export interface ReceiptJournal {
  readonly isOpen: boolean;
  deviceSeqRuns(uid: string, limit: number): [number, number][];
}

/** Options of `KioskReceipts`. */
export interface KioskReceiptsOptions {
  readonly intake: Pick<KioskIntake, 'terminals' | 'on' | 'off' | 'options'>;
  readonly journal: ReceiptJournal;
  readonly link: RetainedLink;
  readonly log: Logger;
  /**
   * Longest wait before a changed receipt is published (ms). Short: the
   * kiosk keeps a vote until then; and after the kiosk's PUBACK, which
   * comes first on the embedded broker's path.
   * @default 100
   */
  readonly delayMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Publishes each kiosk's receipt. */
export class KioskReceipts {
  private readonly journaled = new Map<string, readonly SeqRange[]>();
  private readonly dirty = new Set<string>();
  private readonly kiosks = new Map<string, PlacedTerminal>();
  private timer: NodeJS.Timeout | undefined;
  private readonly onJournaled = (vote: { readonly terminal: string; readonly seq: number }): void => this.add(vote.terminal, vote.seq);
  private readonly onConnect = (): void => void this.publishAll();

  constructor(private readonly options: KioskReceiptsOptions) {}

  /** Reads the journaled seqs, listens to the intake, publishes every receipt (and again on each connect). */
  start(): void {
    const { intake, journal, link } = this.options;
    for (const t of intake.terminals()) this.kiosks.set(t.id, t);
    if (this.kiosks.size === 0) return;
    // The read is synchronous (better-sqlite3): no vote is journaled between it and the listener.
    for (const id of this.kiosks.keys()) {
      this.journaled.set(id, journal.isOpen ? journal.deviceSeqRuns(`${OWN_SEQ_UID_PREFIX}${id}`, MAX_RECEIPT_RANGES) : []);
    }
    intake.on('journaled', this.onJournaled);
    link.on('connect', this.onConnect);
    if (link.connected) void this.publishAll();
  }

  /** Stops listening; publishes what is pending. */
  async stop(): Promise<void> {
    this.options.intake.off('journaled', this.onJournaled);
    this.options.link.off('connect', this.onConnect);
    await this.flush();
  }

  /** The receipt of a kiosk as it would be published now (undefined for a terminal that is not a kiosk). */
  receiptOf(terminal: string): KioskReceipt | undefined {
    const t = this.kiosks.get(terminal);
    if (t === undefined) return undefined;
    return { v: 1, ...this.pathOf(t), journaled: this.journaled.get(terminal) ?? [], at: (this.options.now ?? Date.now)() };
  }

  private add(terminal: string, seq: number): void {
    if (!this.kiosks.has(terminal)) return;
    const before = this.journaled.get(terminal) ?? [];
    this.journaled.set(terminal, addSeq(before, seq));
    // Published even when unchanged: the kiosk sent it again because it lacks the receipt.
    this.dirty.add(terminal);
    this.timer ??= setTimeout(() => void this.flush(), this.options.delayMs ?? 100);
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const dirty = [...this.dirty];
    this.dirty.clear();
    await Promise.all(dirty.map((t) => this.publish(t)));
  }

  private async publishAll(): Promise<void> {
    await Promise.all([...this.kiosks.keys()].map((t) => this.publish(t)));
    this.options.log.info({ kiosks: this.kiosks.size }, 'kiosk receipts published');
  }

  private async publish(terminal: string): Promise<void> {
    const receipt = this.receiptOf(terminal);
    if (receipt === undefined || !this.options.link.connected) return; // republished on the next connect
    try {
      await this.options.link.publish('receipt', receipt, receipt);
    } catch (error) {
      this.options.log.warn({ terminal, error: String(error) }, 'kiosk receipt not published (sent again on the next connect)');
    }
  }

  private pathOf(t: PlacedTerminal): TerminalPath {
    const { config } = this.options.intake.options;
    return { district: config.district.id, ward: config.ward.id, counter: t.counter.id, terminal: t.id };
  }
}
