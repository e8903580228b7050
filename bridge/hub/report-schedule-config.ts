/**
 * The hub config's `reports:` section (issue 15): where the month- and
 * quarter-end report packs are written and, when `smtp:` is given, whom
 * they are e-mailed to. Validated by schema/hub.schema.json with the rest of
 * the hub config (addresses, ports, username and password together).
 */

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

/** `reports:` as schema/hub.schema.json lets it be written. */
export interface ReportScheduleFile {
  readonly dir?: string;
  readonly smtp?: Omit<SmtpConfig, 'port' | 'secure'> & { readonly port?: number; readonly secure?: boolean };
}

/** The `reports:` block of a valid hub config, resolved (absent → packs in `<dataDir>/reports`, no e-mail). */
export function resolveReportSchedule(file: ReportScheduleFile | undefined): ReportScheduleConfig {
  const dir = file?.dir ?? 'reports';
  const smtp = file?.smtp;
  if (smtp === undefined) return { dir };
  const port = smtp.port ?? 587;
  // Port 465 is TLS from the first byte (RFC 8314 §3.3); other ports upgrade with STARTTLS.
  return { dir, smtp: { ...smtp, port, secure: smtp.secure ?? port === 465, to: [...smtp.to] } };
}
