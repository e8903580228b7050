/**
 * Logs a broker outage once, then a summary at most every `summaryMs`,
 * then its end: mqtt.js retries every second and reports each failed
 * attempt, and a line per attempt would fill the log during a long outage
 * (issue 17).
 */
import type { Logger } from 'pino';

/** The log of the current outage of one MQTT link. */
export class OutageLog {
  #since: number | undefined;
  #errors = 0;
  #lastError = '';
  #lastSummary = 0;

  constructor(
    private readonly log: Logger,
    /** @default 60000 */
    private readonly summaryMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  #begin(): boolean {
    if (this.#since !== undefined) return false;
    const now = this.now();
    this.#since = now;
    this.#lastSummary = now;
    this.#errors = 0;
    return true;
  }

  /** The connection dropped (logged once per outage). */
  lost(): void {
    if (this.#begin()) this.log.warn('MQTT connection lost: reconnecting');
  }

  /** An attempt failed: the first is logged in full, the rest counted and summarised. */
  error(message: string): void {
    this.#begin();
    this.#errors += 1;
    this.#lastError = message;
    const now = this.now();
    if (this.#errors === 1) {
      this.log.warn(
        { error: message },
        `MQTT error: ${message} (retrying; a summary every ${Math.round(this.summaryMs / 1000)} s until connected)`,
      );
    } else if (now - this.#lastSummary >= this.summaryMs) {
      this.#lastSummary = now;
      const downS = Math.round((now - (this.#since ?? now)) / 1000);
      this.log.warn(
        { errors: this.#errors, downS, error: message },
        `MQTT still unreachable after ${downS} s: ${this.#errors} failed attempts, last: ${message}`,
      );
    }
  }

  /** Connected: ends the outage, with its length, if there was one. */
  connected(broker: string): void {
    if (this.#since === undefined) {
      this.log.info({ broker }, 'MQTT connected');
      return;
    }
    const downS = Math.round((this.now() - this.#since) / 1000);
    this.log.info(
      { broker, downS, errors: this.#errors, lastError: this.#lastError || null },
      `MQTT connected after ${downS} s without the broker (${this.#errors} failed attempts)`,
    );
    this.#since = undefined;
    this.#errors = 0;
    this.#lastError = '';
  }
}
