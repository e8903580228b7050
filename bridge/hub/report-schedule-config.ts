/**
 * The hub config's `reports:` section (issue 15): where the month- and
 * quarter-end report packs are written and, when `smtp:` is given, whom
 * they are e-mailed to. Validated with the rest of the hub config, every
 * problem named with its path.
 */
import type { ConfigReader } from '../config/config-reader.ts';

/** An SMTP server and the message's addresses. */
export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly from: string;
  readonly to: readonly string[];
}

/** `reports:` of the hub config. */
export interface ReportScheduleConfig {
  /** Folder of the packs; relative paths are under the hub's dataDir. */
  readonly dir: string;
  readonly smtp?: SmtpConfig;
}

/** An address as `user@host` (no display names: the config is not a mail client). */
const EMAIL_RE = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** Reads `reports:` (absent → packs in `<dataDir>/reports`, no e-mail). */
export function reportScheduleAt(r: ConfigReader, value: unknown): ReportScheduleConfig | undefined {
  if (value === undefined || value === null) return { dir: 'reports' };
  const node = r.map(value, 'reports');
  if (node === undefined) return undefined;
  r.unknownKeys(node, 'reports', ['dir', 'smtp']);
  const dir = node.dir === undefined ? 'reports' : r.text(node.dir, 'reports.dir', 1024);
  if (dir === undefined) return undefined;
  if (node.smtp === undefined || node.smtp === null) return { dir };
  const s = r.map(node.smtp, 'reports.smtp');
  if (s === undefined) return undefined;
  r.unknownKeys(s, 'reports.smtp', ['host', 'port', 'secure', 'username', 'password', 'from', 'to']);
  const host = r.text(s.host, 'reports.smtp.host', 253);
  const port = r.int(s.port, 'reports.smtp.port', 1, 65535, 587);
  const secure = r.bool(s.secure, 'reports.smtp.secure', port === 465);
  const username = r.text(s.username, 'reports.smtp.username', 256, false);
  const password = r.text(s.password, 'reports.smtp.password', 256, false);
  const from = r.text(s.from, 'reports.smtp.from', 256);
  if (from !== undefined && !EMAIL_RE.test(from)) r.list.add('reports.smtp.from', `"${from}" is not an e-mail address`);
  const list = r.list_(s.to, 'reports.smtp.to', true);
  const to: string[] = [];
  (list ?? []).forEach((a, i) => {
    if (typeof a !== 'string' || !EMAIL_RE.test(a)) r.list.add(`reports.smtp.to[${i}]`, `${JSON.stringify(a)} is not an e-mail address`);
    else to.push(a);
  });
  if (list !== undefined && list.length === 0) r.list.add('reports.smtp.to', 'needs at least one address');
  if ((username === undefined) !== (password === undefined)) r.list.add('reports.smtp', 'username and password go together');
  if (host === undefined || port === undefined || secure === undefined || from === undefined || list === undefined) return undefined;
  return { dir, smtp: { host, port, secure, ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }), from, to } };
}
