/**
 * Reads a USB barcode scanner in keyboard mode ("keyboard wedge"): the
 * scanner types the code as key presses a few milliseconds apart and ends
 * with Enter. A person typing is far slower (≥ ~80 ms between keys), so a
 * burst of fast keys ending in Enter is a scan; anything slower is dropped
 * and never reaches the rating screen as a code. Pure: every key carries
 * its time.
 */

/** Options of `WedgeReader`. */
export interface WedgeOptions {
  /** Longest gap between two keys of one scan (ms). @default 50 */
  readonly maxGapMs?: number;
  /** Fewest characters a scan has. @default 4 */
  readonly minChars?: number;
  /** Most characters kept (a stuck key cannot grow the buffer for ever). @default 64 */
  readonly maxChars?: number;
}

/** Collects fast key bursts and returns the text of each one that ends with Enter. */
export class WedgeReader {
  private readonly maxGapMs: number;
  private readonly minChars: number;
  private readonly maxChars: number;
  private buffer = '';
  private lastAt = -Infinity;

  constructor(options: WedgeOptions = {}) {
    this.maxGapMs = options.maxGapMs ?? 50;
    this.minChars = options.minChars ?? 4;
    this.maxChars = options.maxChars ?? 64;
  }

  /**
   * One key (`KeyboardEvent.key`) at `at` ms. Returns the scanned text when
   * this key is the Enter that ends a scan, else undefined.
   */
  key(key: string, at: number): string | undefined {
    const fast = at - this.lastAt <= this.maxGapMs;
    this.lastAt = at;
    if (key === 'Enter') {
      const text = fast ? this.buffer : '';
      this.buffer = '';
      return text.length >= this.minChars ? text : undefined;
    }
    // Shift, Control, … are not characters; a scanner sends Shift for capitals.
    if (key.length !== 1) return undefined;
    this.buffer = fast ? (this.buffer + key).slice(0, this.maxChars) : key;
    return undefined;
  }
}
