/**
 * Journal votes as CSV rows for a district report or a spreadsheet: one
 * row per press, filtered presses included and marked, local Vietnam time,
 * Vietnamese column names with the English in brackets. Written by core's
 * formula-safe RFC 4180 writer (core/csv.ts); the file starts with a UTF-8
 * BOM so Excel shows the diacritics.
 */
import { CSV_BOM, csvLine } from '../../core/csv.ts';
import { LEVEL_LABELS } from '../../core/scale.ts';
import { localParts } from '../../core/time.ts';
import type { Vote } from '../../core/vote.ts';

/** The UTF-8 byte-order mark Excel needs to read UTF-8 CSV (core's). */
export { CSV_BOM };

/** Column headers, in order. */
export const VOTE_CSV_COLUMNS: readonly string[] = [
  'Mã phiếu (id)',
  'Quận/huyện (district)',
  'Phường/xã (ward)',
  'Quầy (counter)',
  'Thiết bị (terminal)',
  'Số thứ tự (seq)',
  'Thời điểm đánh giá (pressed at, UTC+7)',
  'Mức đánh giá (level)',
  'Tính vào tỷ lệ (counted)',
  'Bị lọc (filtered)',
  'Lý do (reasons)',
  'Cán bộ (officer)',
  'Số phiếu chờ (ticket)',
  'Nguồn (source)',
  'Giờ không chắc (time uncertain)',
];

/** `2026-11-23 09:05:07` in Vietnam time. */
export function localTimestamp(epochMs: number): string {
  const t = localParts(epochMs);
  const s = String(Math.floor((epochMs % 60_000 + 60_000) % 60_000 / 1000)).padStart(2, '0');
  return `${t.date} ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}:${s}`;
}

/** The CSV header line (without BOM), CRLF-terminated. */
export function voteCsvHeader(): string {
  return csvLine(VOTE_CSV_COLUMNS);
}

/** One vote as a CSV line, CRLF-terminated. */
export function voteCsvRow(vote: Vote): string {
  const cells = [
    vote.id,
    vote.district,
    vote.ward,
    vote.counter,
    vote.terminal,
    String(vote.seq),
    localTimestamp(vote.pressedAt),
    LEVEL_LABELS[vote.level].vi,
    vote.filtered === undefined ? 'có' : 'không',
    vote.filtered === undefined ? '' : vote.filtered === 'cooldown' ? 'bấm lặp (cooldown)' : 'ngoài lượt (gated)',
    (vote.reasons ?? []).join(' '),
    vote.officer ?? '',
    vote.ticket ?? '',
    vote.source === 'button' ? 'hộp nút (button)' : 'màn hình cảm ứng (touch)',
    vote.timeUncertain === true ? 'có' : '',
  ];
  return csvLine(cells);
}
