/**
 * Scheduled reports (issue 15, item 5): at a month's and a quarter's end the
 * hub writes the report pack and e-mails it through a real SMTP server on
 * loopback (the npm smtp-server); the attachment is opened (base64 →
 * XLSX → unzip → sheet XML) and its vote count checked. A mail server that
 * is down is tried again at the next check; nothing is sent twice.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { HubArchive } from '../../../bridge/hub/hub-archive.ts';
import { endedPeriods, ReportSchedule } from '../../../bridge/hub/report-schedule.ts';
import { hubSource } from '../../../bridge/report/report-source.ts';
import { localMidnight } from '../../../core/time.ts';
import { freePort } from '../../helpers/ports.ts';
import { hubConfig, vote } from './hub-fixtures.ts';

const log = pino({ level: process.env.HAILONG_TEST_LOG ?? 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real SMTP server on loopback that keeps every message it accepts. */
async function smtpServer(port: number): Promise<{ messages: string[]; close(): Promise<void> }> {
  const messages: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The base64 body of the attachment named `name` in a MIME message, decoded. */
function attachment(message: string, name: string): Buffer {
  const at = message.indexOf(`filename=${name}`) >= 0 ? message.indexOf(`filename=${name}`) : message.indexOf(`filename="${name}"`);
  expect(at, `attachment ${name}`).toBeGreaterThan(0);
  const start = message.indexOf('\r\n\r\n', at) + 4;
  const end = message.indexOf('\r\n--', start);
  return Buffer.from(message.slice(start, end).replace(/\s+/g, ''), 'base64');
}

describe('scheduled report packs on the hub, e-mailed through a real SMTP server', () => {
  it('at the turn of a quarter: writes and mails the month and the quarter; retries a mail server that was down; sends nothing twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hailong-sched-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    const config = hubConfig(dir, {
      reports: {
        dir: 'reports',
        smtp: {
          host: '127.0.0.1',
          port,
          secure: false,
          from: 'hailong@ba-dinh.example',
          to: ['vanphong@ba-dinh.example', 'lanhdao@ba-dinh.example'],
        },
      },
    });
    const archive = new HubArchive({ path: join(dir, 'archive.db') });
    archive.open();
    cleanups.push(() => archive.close());
    // December 2026: 23 votes of two wards; November: 5 (in the quarter, not the month).
    const dec = localMidnight('2026-12-10') + 9 * 3_600_000;
    const votes = [
      ...Array.from({ length: 15 }, (_, i) => vote('phuc-xa', i + 1, dec + i * 60_000)),
      ...Array.from({ length: 8 }, (_, i) => vote('truc-bach', i + 1, dec + i * 60_000)),
      ...Array.from({ length: 5 }, (_, i) => vote('lieu-giai', i + 1, localMidnight('2026-11-10') + 9 * 3_600_000 + i)),
    ];
    for (const v of votes)
      await archive.store({ type: 'vote', unit: v.ward, id: v.id, pressedAt: v.pressedAt, payload: JSON.stringify(v) });
    const now = localMidnight('2027-01-02') + 8 * 3_600_000;
    expect(endedPeriods(now).map((r) => r.key)).toEqual(['2026-12', '2026-q4']);
    const schedule = new ReportSchedule({
      config: config.reports!,
      dataDir: dir,
      source: () => hubSource(config, archive, true),
      log,
      now: () => now,
      checkEveryMs: 3_600_000,
    });

    // The mail server is down: the packs are written, the mails wait.
    await schedule.check();
    expect(schedule.counts['reports-mail-failed']).toBe(2);
    expect(existsSync(join(dir, 'reports', 'bao-cao-2026-12-01-2026-12-31.xlsx'))).toBe(true);
    expect(existsSync(join(dir, 'reports', 'bao-cao-2026-12-01-2026-12-31.sent'))).toBe(false);

    const smtp = await smtpServer(port);
    cleanups.push(() => smtp.close());
    await schedule.check();
    expect(schedule.counts['reports-mailed']).toBe(2);
    expect(smtp.messages).toHaveLength(2);
    await schedule.check(); // done: nothing is sent again
    expect(smtp.messages).toHaveLength(2);

    const december = smtp.messages.find((m) => m.includes('bao-cao-2026-12-01-2026-12-31.xlsx'))!;
    expect(december).toMatch(/^To: vanphong@ba-dinh\.example, lanhdao@ba-dinh\.example/m);
    const xlsx = join(dir, 'received.xlsx');
    writeFileSync(xlsx, attachment(december, 'bao-cao-2026-12-01-2026-12-31.xlsx'));
    const sheet = execFileSync('unzip', ['-p', xlsx, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' });
    // Units ranked: rows 7–9; the total row (10) counts December's 23 votes.
    expect(sheet).toContain('<c r="C10" s="8"><v>23</v></c>');
    const quarter = smtp.messages.find((m) => m.includes('bao-cao-2026-10-01-2026-12-31.xlsx'))!;
    writeFileSync(xlsx, attachment(quarter, 'bao-cao-2026-10-01-2026-12-31.xlsx'));
    expect(execFileSync('unzip', ['-p', xlsx, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' })).toContain(
      '<c r="C10" s="8"><v>28</v></c>',
    );
    expect(attachment(quarter, 'bao-cao-2026-10-01-2026-12-31.html').toString('utf8')).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
  });
});
