/**
 * The reconciliation export (issue 15): one row per rated dossier — the
 * counted vote of each dossier and stage — for matching against the
 * province's one-stop system (iGate) and the national portal's rating of
 * each dossier, and the dossiers a desk reported served (`_served` with a
 * code) that got no vote. Pure: votes and served events in, rows out; the
 * columns are documented one by one in docs/REPORTS.md.
 */
import { csvLine } from './csv.ts';
import type { DossierStage } from './dossier.ts';
import { STAGE_LABELS_VI } from './dossier.ts';
import { reasonLabel } from './reason.ts';
import { LEVEL_LABELS } from './scale.ts';
import type { LevelKey } from './scale.ts';
import { localTimestamp } from './time.ts';
import type { Vote } from './vote.ts';

/** One rated dossier: the counted vote of a dossier at a stage. */
export interface RatedDossier {
  readonly dossier: string;
  readonly stage: DossierStage;
  /** Epoch ms of the press. */
  readonly pressedAt: number;
  readonly level: LevelKey;
  readonly reasons: readonly string[];
  readonly district: string;
  readonly ward: string;
  readonly counter: string;
  readonly officer?: string;
  readonly terminal: string;
  /** The vote id (`terminal:seq`): the key back into the journal. */
  readonly vote: string;
}

/** A service a desk reported finished with a dossier code. */
export interface ServedEvent {
  readonly ward: string;
  readonly counter: string;
  readonly dossier: string;
  readonly stage: DossierStage;
  /** Epoch ms the officer ended the service. */
  readonly at: number;
  readonly officer?: string;
  readonly ticket?: string;
}

/** Display names for the rows (ids where a name is unknown). */
export interface ReconciliationNames {
  readonly ward?: (id: string) => string | undefined;
  readonly counter?: (ward: string, id: string) => string | undefined;
  readonly officer?: (ward: string, id: string) => string | undefined;
}

/** The key of a dossier at a stage. */
export function dossierKey(dossier: string, stage: DossierStage): string {
  return `${dossier}\u0000${stage}`;
}

/**
 * The rated dossiers among `votes`: counted votes (not filtered, not
 * revoked: the caller leaves those out) that carry a dossier. Should two
 * counted votes name the same dossier and stage (two wards' journals merged
 * at a hub), the first pressed is the rating and the rest are ignored.
 * Sorted by press time.
 */
export function ratedDossiers(votes: Iterable<Vote>): RatedDossier[] {
  const byKey = new Map<string, RatedDossier>();
  for (const v of votes) {
    if (v.filtered !== undefined || v.dossier === undefined || v.stage === undefined) continue;
    const key = dossierKey(v.dossier, v.stage);
    const held = byKey.get(key);
    if (held !== undefined && held.pressedAt <= v.pressedAt) continue;
    byKey.set(key, {
      dossier: v.dossier,
      stage: v.stage,
      pressedAt: v.pressedAt,
      level: v.level,
      reasons: v.reasons ?? [],
      district: v.district,
      ward: v.ward,
      counter: v.counter,
      ...(v.officer === undefined ? {} : { officer: v.officer }),
      terminal: v.terminal,
      vote: v.id,
    });
  }
  return [...byKey.values()].sort((a, b) => a.pressedAt - b.pressedAt || a.vote.localeCompare(b.vote));
}

/**
 * Served dossiers with no vote at all for that dossier and stage (neither
 * counted nor flagged): the citizens who were not asked or did not answer.
 * One row per dossier and stage (the first service), sorted by time.
 */
export function unratedDossiers(served: Iterable<ServedEvent>, votes: Iterable<Vote>): ServedEvent[] {
  const voted = new Set<string>();
  for (const v of votes) if (v.dossier !== undefined && v.stage !== undefined) voted.add(dossierKey(v.dossier, v.stage));
  const first = new Map<string, ServedEvent>();
  for (const s of served) {
    const key = dossierKey(s.dossier, s.stage);
    if (voted.has(key)) continue;
    const held = first.get(key);
    if (held === undefined || s.at < held.at) first.set(key, s);
  }
  return [...first.values()].sort((a, b) => a.at - b.at || a.dossier.localeCompare(b.dossier));
}

/** Columns of the rated-dossier CSV, Vietnamese with the JSON field in brackets (docs/REPORTS.md). */
export const RATED_COLUMNS: readonly string[] = [
  'Mã hồ sơ (dossier)',
  'Giai đoạn (stage)',
  'Thời điểm đánh giá (ratedAt)',
  'Mức độ (level)',
  'Lý do (reasons)',
  'Đơn vị (ward)',
  'Quầy (counter)',
  'Cán bộ (officer)',
  'Thiết bị (terminal)',
  'Mã phiếu (vote)',
];

/** Columns of the served-not-rated CSV. */
export const UNRATED_COLUMNS: readonly string[] = [
  'Mã hồ sơ (dossier)',
  'Giai đoạn (stage)',
  'Thời điểm phục vụ xong (servedAt)',
  'Đơn vị (ward)',
  'Quầy (counter)',
  'Cán bộ (officer)',
  'Số thứ tự (ticket)',
];

/** A rated dossier as a CSV line (formula-safe, core/csv.ts). */
export function ratedCsvLine(r: RatedDossier, names: ReconciliationNames = {}): string {
  return csvLine([
    r.dossier,
    STAGE_LABELS_VI[r.stage],
    localTimestamp(r.pressedAt),
    LEVEL_LABELS[r.level].vi,
    r.reasons.map((id) => reasonLabel(id)).join('; '),
    names.ward?.(r.ward) ?? r.ward,
    names.counter?.(r.ward, r.counter) ?? r.counter,
    r.officer === undefined ? '' : (names.officer?.(r.ward, r.officer) ?? r.officer),
    r.terminal,
    r.vote,
  ]);
}

/** A served, unrated dossier as a CSV line. */
export function unratedCsvLine(s: ServedEvent, names: ReconciliationNames = {}): string {
  return csvLine([
    s.dossier,
    STAGE_LABELS_VI[s.stage],
    localTimestamp(s.at),
    names.ward?.(s.ward) ?? s.ward,
    names.counter?.(s.ward, s.counter) ?? s.counter,
    s.officer === undefined ? '' : (names.officer?.(s.ward, s.officer) ?? s.officer),
    s.ticket ?? '',
  ]);
}

/** A rated dossier as a JSON record (ids, not names; ISO time with the +07:00 offset). */
export function ratedJson(r: RatedDossier): Record<string, unknown> {
  return {
    dossier: r.dossier,
    stage: r.stage,
    ratedAt: isoVietnam(r.pressedAt),
    level: r.level,
    reasons: r.reasons,
    district: r.district,
    ward: r.ward,
    counter: r.counter,
    officer: r.officer ?? null,
    terminal: r.terminal,
    vote: r.vote,
  };
}

/** A served, unrated dossier as a JSON record. */
export function unratedJson(s: ServedEvent): Record<string, unknown> {
  return {
    dossier: s.dossier,
    stage: s.stage,
    servedAt: isoVietnam(s.at),
    ward: s.ward,
    counter: s.counter,
    officer: s.officer ?? null,
    ticket: s.ticket ?? null,
  };
}

/** `2026-12-06T09:05:07+07:00`. */
export function isoVietnam(epochMs: number): string {
  return `${localTimestamp(epochMs).replace(' ', 'T')}+07:00`;
}
