/**
 * Reads a USB barcode scanner in keyboard mode ("keyboard wedge"): the
 * scanner types the code as key presses a few milliseconds apart and ends
 * with Enter. A person typing averages ≥ ~100 ms between keys, so a burst
 * whose keys average at most `avgGapMs` apart and that ends in Enter is a
 * scan; anything slower is dropped and never taken for a code. The average,
 * not each gap, is judged: a busy tablet may deliver one key of a scan late
 * (a single gap of 100 ms) without splitting the code. Pure: every key
 * carries its time.
 */

/** Options of `WedgeReader`. */
export interface WedgeOptions {
  /** Largest average gap between the keys of one scan (ms): scanners send a key every 1–20 ms. @default 50 */
  readonly avgGapMs?: number;
  /** A gap longer than this starts a new burst (ms). @default 250 */
  readonly breakGapMs?: number;
  /** Fewest characters a scan has. @default 4 */
  readonly minChars?: number;
  /** Most characters kept (a stuck key cannot grow the buffer for ever). @default 64 */
  readonly maxChars?: number;
}

/** Collects key bursts and returns the text of each fast one that ends with Enter. */
export class WedgeReader {
  private readonly avgGapMs: number;
  private readonly breakGapMs: number;
  private readonly minChars: number;
  private readonly maxChars: number;
  private buffer = '';
  private firstAt = 0;
  private lastAt = -Infinity;

  constructor(options: WedgeOptions = {}) {
    this.avgGapMs = options.avgGapMs ?? 50;
    this.breakGapMs = options.breakGapMs ?? 250;
    this.minChars = options.minChars ?? 4;
    this.maxChars = options.maxChars ?? 64;
  }

  /**
   * One key (`KeyboardEvent.key`) at `at` ms. Returns the scanned text when
   * this key is the Enter that ends a scan, else undefined.
   */
  key(key: string, at: number): string | undefined {
    const gap = at - this.lastAt;
    if (key === 'Enter') {
      const text = this.buffer;
      const n = Array.from(text).length;
      // n keys and the Enter: n gaps from the first key to the Enter.
      const fast = gap <= this.breakGapMs && n > 0 && (at - this.firstAt) / n <= this.avgGapMs;
      this.buffer = '';
      this.lastAt = at;
      return fast && n >= this.minChars ? text : undefined;
    }
    // Shift, Control, … are not characters (a scanner sends Shift for capitals): they neither add nor break.
    if (key.length !== 1) return undefined;
    if (gap > this.breakGapMs || this.buffer === '') {
      this.buffer = key;
      this.firstAt = at;
    } else if (this.buffer.length < this.maxChars) this.buffer += key;
    this.lastAt = at;
    return undefined;
  }
}
