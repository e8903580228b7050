/**
 * Scheduled reports on the hub (issue 15): at each month's end (and each
 * quarter's) the hub writes the report pack of every unit (XLSX + printable
 * HTML, report-writer.ts) into its reports folder and, when `reports.smtp`
 * is configured, e-mails both files to the listed addresses (nodemailer).
 * A period is done when its mail went out (or was written, without SMTP):
 * a `.sent` marker beside the files; a failed mail is tried again at the
 * next check, so a mail server that is down for a night loses nothing.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { parsePeriodKey } from '../../core/period.ts';
import { addDays, localMidnight, localParts } from '../../core/time.ts';
import type { ReportRange } from '../report/report-range.ts';
import type { ReportSource } from '../report/report-source.ts';
import { writeReportPack } from '../report/report-writer.ts';
import type { ReportScheduleConfig } from './report-schedule-config.ts';

/** Options of `ReportSchedule`. */
export interface ReportScheduleOptions {
  readonly config: ReportScheduleConfig;
  /** The hub's data folder (a relative `reports.dir` is under it). */
  readonly dataDir: string;
  /** The archive as a report source (kept open by the hub). */
  readonly source: () => ReportSource;
  readonly log: Logger;
  /** How often to look for a period that ended (ms). @default 600_000 */
  readonly checkEveryMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The periods that ended last before `now`: the previous month, and the previous quarter when `now` is in a quarter's first month. */
export function endedPeriods(now: number): ReportRange[] {
  const t = localParts(now);
  const month = t.month === 1 ? `${t.year - 1}-12` : `${t.year}-${String(t.month - 1).padStart(2, '0')}`;
  const keys = [month];
  if ((t.month - 1) % 3 === 0) keys.push(t.month === 1 ? `${t.year - 1}-q4` : `${t.year}-q${(t.month - 1) / 3}`);
  return keys.map((key) => {
    const p = parsePeriodKey(key);
    if (!p.ok) throw new Error(`bad period key ${key}`);
    return { key, from: p.value.from, to: p.value.to, fromMs: localMidnight(p.value.from), toMs: localMidnight(addDays(p.value.to, 1)) };
  });
}

/** Writes and mails the packs of ended periods. */
export class ReportSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  readonly dir: string;
  /** Counters: `reports-written`, `reports-mailed`, `reports-mail-failed`. */
  readonly counts: Record<string, number> = {};

  constructor(readonly options: ReportScheduleOptions) {
    this.now = options.now ?? Date.now;
    this.dir = isAbsolute(options.config.dir) ? options.config.dir : join(options.dataDir, options.config.dir);
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.options.checkEveryMs ?? 600_000);
    this.timer.unref();
    void this.check();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Looks for ended periods not yet done; one check at a time. */
  check(): Promise<void> {
    this.running = this.running
      .then(() => this.checkNow())
      .catch((error: unknown) =>
        this.options.log.error({ error: (error as Error).message }, 'scheduled report failed; tried again at the next check'),
      );
    return this.running;
  }

  private async checkNow(): Promise<void> {
    for (const range of endedPeriods(this.now())) {
      const marker = join(this.dir, `bao-cao-${range.from}-${range.to}.sent`);
      if (existsSync(marker)) continue;
      const written = await writeReportPack(this.options.source(), range, this.dir, this.now());
      this.bump('reports-written');
      this.options.log.info({ period: range.key, xlsx: written.xlsx }, `report pack of ${range.key} written`);
      const smtp = this.options.config.smtp;
      if (smtp !== undefined) {
        try {
          const transport = nodemailer.createTransport({
            host: smtp.host,
            port: smtp.port,
            secure: smtp.secure,
            ...(smtp.username === undefined ? {} : { auth: { user: smtp.username, pass: smtp.password ?? '' } }),
          });
          await transport.sendMail({
            from: smtp.from,
            to: [...smtp.to],
            subject: `${written.heading.title} — ${written.heading.scope} — ${range.key}`,
            text: `${written.heading.title}\n${written.heading.scope}\n${written.heading.period}\n\nĐính kèm: báo cáo (XLSX) và bản in (HTML, khổ A4).\n`,
            attachments: [
              {
                filename: basename(written.xlsx),
                path: written.xlsx,
                contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
              },
              { filename: basename(written.html), path: written.html, contentType: 'text/html; charset=utf-8' },
            ],
          });
          transport.close();
          this.bump('reports-mailed');
          this.options.log.info({ period: range.key, to: smtp.to }, `report pack of ${range.key} e-mailed`);
        } catch (error) {
          this.bump('reports-mail-failed');
          this.options.log.error(
            { period: range.key, error: (error as Error).message },
            `report pack of ${range.key} NOT e-mailed; tried again at the next check`,
          );
          continue;
        }
      }
      await writeFile(marker, `${new Date(this.now()).toISOString()}\n`);
    }
  }

  private bump(key: string): void {
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }
}
