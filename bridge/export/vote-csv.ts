/**
 * Journal votes as CSV rows for a district report or a spreadsheet: one
 * row per press, filtered presses included and marked, local Vietnam time,
 * Vietnamese column names with the English in brackets. Written by core's
 * formula-safe RFC 4180 writer (core/csv.ts); the file starts with a UTF-8
 * BOM so Excel shows the diacritics.
 */
import { CSV_BOM, csvLine } from '../../core/csv.ts';
import { reasonLabel } from '../../core/reason.ts';
import { LEVEL_LABELS } from '../../core/scale.ts';
import { localTimestamp } from '../../core/time.ts';
import type { Vote } from '../../core/vote.ts';

/** Why a vote was left out, in the export's words. */
const FILTER_LABELS = {
  cooldown: 'bấm lặp (cooldown)',
  gated: 'ngoài lượt (gated)',
  dossier: 'hồ sơ đã đánh giá (dossier)',
} as const;

/** The UTF-8 byte-order mark Excel needs to read UTF-8 CSV (core's). */
export { CSV_BOM };

/**
 * What the parent and unit columns are called: the level words of the
 * configured names ("Tỉnh", "Xã/phường"), never a hard-coded "quận".
 */
export interface VoteCsvLevels {
  /** e.g. "Tỉnh" or "Quận". */
  readonly parent: string;
  /** e.g. "Phường" or "Xã/phường/cơ sở". */
  readonly unit: string;
}

/** Generic words, for a config whose names carry no level word. */
export const GENERIC_LEVELS: VoteCsvLevels = Object.freeze({ parent: 'Đơn vị cấp trên', unit: 'Đơn vị' });

/** Column headers, in order, with the level words of the config. */
export function voteCsvColumns(levels: VoteCsvLevels = GENERIC_LEVELS): readonly string[] {
  return [
    VOTE_CSV_COLUMNS[0] as string,
    `${levels.parent} (parent: district or province)`,
    `${levels.unit} (ward)`,
    ...VOTE_CSV_COLUMNS.slice(3),
  ];
}

/** Column headers, in order (generic level words; see `voteCsvColumns`). */
export const VOTE_CSV_COLUMNS: readonly string[] = [
  'Mã phiếu (id)',
  'Đơn vị cấp trên (parent: district or province)',
  'Đơn vị (ward)',
  'Quầy (counter)',
  'Thiết bị (terminal)',
  'Số thứ tự (seq)',
  'Thời điểm đánh giá (pressed at, UTC+7)',
  'Mức đánh giá (level)',
  'Tính vào tỷ lệ (counted)',
  'Bị lọc (filtered)',
  'Lý do (reasons)',
  'Lý do, diễn giải (reason names)',
  'Cán bộ (officer)',
  'Số phiếu chờ (ticket)',
  'Nguồn (source)',
  'Giờ không chắc (time uncertain)',
  'Thu hồi (revoked)',
];

/** `YYYY-MM-DD HH:MM:SS` in Vietnam time (core's). */
export { localTimestamp };

/** The CSV header line (without BOM), CRLF-terminated, plus any `extra` columns. */
export function voteCsvHeader(levels: VoteCsvLevels = GENERIC_LEVELS, extra: readonly string[] = []): string {
  return csvLine([...voteCsvColumns(levels), ...extra]);
}

/**
 * One vote as a CSV line, CRLF-terminated. `revocation`: the id of the
 * supervisor's revocation that took the vote back (then it is not counted;
 * `hailong export --revocations` lists who, when and why).
 */
export function voteCsvRow(vote: Vote, revocation?: number, extra: readonly string[] = []): string {
  const counted = vote.filtered === undefined && revocation === undefined;
  const cells = [
    vote.id,
    vote.district,
    vote.ward,
    vote.counter,
    vote.terminal,
    String(vote.seq),
    localTimestamp(vote.pressedAt),
    LEVEL_LABELS[vote.level].vi,
    counted ? 'có' : 'không',
    vote.filtered === undefined ? '' : FILTER_LABELS[vote.filtered],
    (vote.reasons ?? []).join(' '),
    // Named in words as the kiosk asked them (core/reason.ts); an office's own ids show as themselves.
    (vote.reasons ?? []).map((id) => reasonLabel(id, 'vi')).join('; '),
    vote.officer ?? '',
    vote.ticket ?? '',
    vote.source === 'button' ? 'hộp nút (button)' : 'màn hình cảm ứng (touch)',
    vote.timeUncertain === true ? 'có' : '',
    revocation === undefined ? '' : `thu hồi #${revocation} (revoked)`,
    ...extra,
  ];
  return csvLine(cells);
}
