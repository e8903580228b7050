/**
 * The bridge's side of the send window (PROTOCOL.md §7.7, revision 1.1), pure:
 * in a session with W > 1 a VOTE is handled only in the terminal's order. The
 * first VOTE of a session (sent alone by the terminal) sets where the stream
 * starts, whatever gap lies below it; after that a VOTE above the next
 * expected seq was overtaken by a lost or garbled one and is dropped
 * unanswered, so the mark never passes a vote that is not stored. With W = 1
 * every VOTE is in order (§7.2: gaps are accepted anywhere).
 */

import { DEFAULT_IN_FLIGHT } from './constants.ts';

/**
 * Where a VOTE's seq stands in the session's stream: `in-order` (store or answer it as
 * usual), `behind` (a go-back-N resend of a vote this session handled: answer it as usual,
 * DUP or REJECT again, never store it twice), `ahead` (out of order: drop, do not answer),
 * `gap` (the terminal's seqs jumped, so the expected vote may never come: W or more above the
 * expected seq, which no window of contiguous seqs spans, or an `ahead` seq sent again before
 * the expected one, which a go-back-N resend would have brought first. The session must start
 * again, its first VOTE alone setting where the stream starts: NAK HELLO, §7.7).
 */
export type WindowPosition = 'in-order' | 'behind' | 'ahead' | 'gap';

/** The next seq a session expects, and the ordering rule of §7.7. */
export class ReceiveWindow {
  private expected: number | null = null;
  /** In-order seqs taken and not yet settled: only their failure makes the window wait again. */
  private readonly open = new Set<number>();
  /** Seqs dropped as `ahead` since the expected seq last moved (at most W of them). */
  private readonly dropped = new Set<number>();

  /** A window for a session granted `inFlight` (absent = 1, stop-and-wait). */
  constructor(readonly inFlight: number = DEFAULT_IN_FLIGHT) {}

  /** The seq the session expects next; null before its first VOTE (or with W = 1). */
  get next(): number | null {
    return this.expected;
  }

  /** Where `seq` stands; W = 1 sessions are always `in-order`. */
  position(seq: number): WindowPosition {
    if (this.inFlight <= 1 || this.expected === null || seq === this.expected) return 'in-order';
    if (seq < this.expected) return 'behind';
    return seq - this.expected >= this.inFlight || this.dropped.has(seq) ? 'gap' : 'ahead';
  }

  /** Records that the in-order VOTE `seq` was taken (to be stored, found stored, or stored as rejected). */
  handled(seq: number): void {
    if (this.inFlight > 1 && (this.expected === null || seq === this.expected)) {
      this.expect(seq + 1);
      this.open.add(seq);
    }
  }

  /** Records that the `ahead` VOTE `seq` was dropped: if it comes again before the expected one, it is a `gap`. */
  drop(seq: number): void {
    this.dropped.add(seq);
  }

  private expect(seq: number): void {
    this.expected = seq;
    this.dropped.clear();
  }

  /**
   * The VOTE `seq` settled. If it was taken in order and is not `durable` (NAK STORAGE, and not
   * stored earlier either), the window expects it again, so the votes after it wait, out of order,
   * for the terminal's go-back-N resend (§7.7). A failed resend of a vote already behind the window,
   * or of one stored earlier, changes nothing: the terminal will not send that vote again once its
   * ACK arrives, and waiting for it would block the box.
   */
  settled(seq: number, durable: boolean): void {
    if (!this.open.delete(seq) || durable || this.expected === null) return;
    if (seq < this.expected) this.expect(seq);
  }
}
