/**
 * The hub's archive receipts (core/archive-receipt.ts): per unit terminal, a
 * retained message naming the seqs the archive holds, so a ward can tell a
 * vote its hub's broker acknowledged but lost (Mosquitto, a NATS cluster)
 * from one archived, and forward it again (bridge/upstream/archive-watch.ts).
 *
 * The ranges live in memory, read from the archive once at start (vote ids
 * are `terminal:seq`, seqs the ward bridge's own and contiguous, so a
 * terminal is one range unless a vote is missing). Every archived vote, and
 * every duplicate (a ward forwarding again must hear back even if it missed
 * the last receipt), marks its terminal; marked terminals are published at
 * most once per `everyMs`. All receipts are published at start and again
 * whenever the hub's connection to its broker comes back (a broker
 * restarted without persistence has lost them).
 */
import type { Logger } from 'pino';
import { MAX_RECEIPT_RANGES, addSeq, rangesOf, type SeqRange } from '../../core/kiosk-receipt.ts';
import { publicationFor } from '../../core/topic-payload.ts';
import type { HubArchive } from './hub-archive.ts';

/** Options of `HubReceipts`. */
export interface HubReceiptsOptions {
  /** The parent's id (first topic level under hailong/v1). */
  readonly parent: string;
  readonly archive: HubArchive;
  /** Publishes one retained receipt at QoS 1 (embedded broker, or the subscriber's connection). */
  readonly publish: (topic: string, payload: string) => Promise<void>;
  readonly log: Logger;
  /**
   * Shortest interval between two receipts of one terminal (ms).
   * @default 1000
   */
  readonly everyMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

interface TerminalRanges {
  ranges: readonly SeqRange[];
  /** False once older ranges were dropped (more than MAX_RECEIPT_RANGES gaps). */
  complete: boolean;
}

/** Splits `terminal:seq`; undefined for anything else. */
function terminalSeq(id: string): { terminal: string; seq: number } | undefined {
  const colon = id.lastIndexOf(':');
  const seq = Number(id.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(seq) || seq < 1) return undefined;
  return { terminal: id.slice(0, colon), seq };
}

/** Publishes the hub's archive receipts; `start()` / `stop()`. */
export class HubReceipts {
  readonly #byTerminal = new Map<string, TerminalRanges>();
  readonly #dirty = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #published = 0;

  constructor(readonly options: HubReceiptsOptions) {}

  /** Reads the archive's ranges (the archive must be open) and publishes every receipt. */
  async start(): Promise<void> {
    this.#running = true;
    // The archive yields its ids in key order (unit, id): the ids `terminal:seq` of one terminal
    // share the prefix `terminal:`, so they come together, and one terminal's seqs are held at a time.
    let key: string | undefined;
    let seqs: number[] = [];
    const settle = () => {
      if (key === undefined) return;
      seqs.sort((a, b) => a - b);
      const all = rangesOf(seqs, Number.MAX_SAFE_INTEGER);
      this.#byTerminal.set(key, { ranges: all.slice(-MAX_RECEIPT_RANGES), complete: all.length <= MAX_RECEIPT_RANGES });
    };
    for (const { unit, id } of this.options.archive.voteIds()) {
      const parsed = terminalSeq(id);
      if (parsed === undefined) continue;
      const k = `${unit}/${parsed.terminal}`;
      if (k !== key) {
        settle();
        key = k;
        seqs = [];
      }
      seqs.push(parsed.seq);
    }
    settle();
    await this.publishAll();
  }

  /** Stops publishing (marked terminals are dropped: they are published again at the next start). */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dirty.clear();
  }

  /** Receipts published since start. */
  get published(): number {
    return this.#published;
  }

  /** A vote of `unit` was archived or found already archived: its terminal's receipt goes out soon. */
  noteVote(unit: string, id: string): void {
    const parsed = terminalSeq(id);
    if (parsed === undefined) return;
    const k = `${unit}/${parsed.terminal}`;
    const t = this.#byTerminal.get(k) ?? { ranges: [], complete: true };
    const grown = addSeq(t.ranges, parsed.seq, Number.MAX_SAFE_INTEGER);
    if (grown.length > MAX_RECEIPT_RANGES) {
      t.ranges = grown.slice(-MAX_RECEIPT_RANGES);
      t.complete = false;
    } else t.ranges = grown;
    this.#byTerminal.set(k, t);
    this.#dirty.add(k);
    if (this.#running && this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.#flush(), this.options.everyMs ?? 1000);
      this.#timer.unref();
    }
  }

  /** Publishes every terminal's receipt (at start, and when the broker connection is back). */
  async publishAll(): Promise<void> {
    for (const k of this.#byTerminal.keys()) this.#dirty.add(k);
    await this.#flush();
  }

  async #flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#running) return;
    const keys = [...this.#dirty];
    this.#dirty.clear();
    const now = (this.options.now ?? Date.now)();
    for (const k of keys) {
      const t = this.#byTerminal.get(k);
      if (t === undefined) continue;
      const slash = k.indexOf('/');
      const place = { district: this.options.parent, ward: k.slice(0, slash), terminal: k.slice(slash + 1) };
      try {
        const p = publicationFor('archived', place, { v: 1, ...place, archived: t.ranges, complete: t.complete, at: now });
        await this.options.publish(p.topic, p.payload);
        this.#published++;
      } catch (error) {
        // The next vote of the terminal, or the next connect, publishes it again.
        this.options.log.warn({ err: (error as Error).message, terminal: k }, 'could not publish an archive receipt');
      }
    }
  }
}
