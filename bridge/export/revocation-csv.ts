/**
 * The revocation audit trail as CSV (`hailong export --revocations`): one
 * row per supervisor revocation — when, who, why, what was asked and which
 * votes it took back — with the one formula-safe CSV writer (core/csv.ts):
 * a reason or a name starting with `=` stays text.
 */
import type { Revocation } from '../journal/revocation-log.ts';
import { csvLine } from '../../core/csv.ts';
import { localTimestamp } from './vote-csv.ts';

/** Column headers, in order. */
export const REVOCATION_CSV_COLUMNS: readonly string[] = [
  'Mã thu hồi (revocation)',
  'Thời điểm (at, UTC+7)',
  'Người thu hồi (by)',
  'Lý do (reason)',
  'Thiết bị (terminal)',
  'Từ (from, UTC+7)',
  'Đến trước (to, UTC+7)',
  'Phiếu yêu cầu (ids asked)',
  'Số phiếu thu hồi (votes revoked)',
  'Các phiếu (vote ids)',
];

/** The CSV header line (without BOM), CRLF-terminated, plus any `extra` columns (a hub's unit). */
export function revocationCsvHeader(extra: readonly string[] = []): string {
  return csvLine([...REVOCATION_CSV_COLUMNS, ...extra]);
}

/** What a revocation row shows: a ward journal's revocation, or one a hub archived. */
export type RevocationLine = Pick<Revocation, 'id' | 'at' | 'by' | 'reason' | 'terminal' | 'from' | 'to' | 'ids' | 'votes'>;

/** One revocation as a CSV line, CRLF-terminated, plus any `extra` cells. */
export function revocationCsvRow(r: RevocationLine, extra: readonly string[] = []): string {
  const cells = [
    String(r.id),
    localTimestamp(r.at),
    r.by,
    r.reason,
    r.terminal,
    r.from === undefined ? '' : localTimestamp(r.from),
    r.to === undefined ? '' : localTimestamp(r.to),
    (r.ids ?? []).join(' '),
    String(r.votes.length),
    r.votes.join(' '),
    ...extra,
  ];
  return csvLine(cells);
}
