/**
 * A vote: one press on a terminal, as published by the bridge on
 * `hailong/v1/{d}/{w}/{c}/{t}/vote`. The terminal numbers its presses
 * (`seq`, never reused), so `terminal:seq` identifies a vote and replays
 * can be recognised anywhere downstream.
 */
import { idAt, idListAt, requireId } from './ids.ts';
import {
  decodeWith,
  enumAt,
  intIn,
  objectAt,
  optionalField,
  reject,
  requiredField,
  show,
  textAt,
  typeName,
  versionOne,
} from './json-input.ts';
import type { InputResult } from './json-input.ts';
import { readDossier } from './dossier.ts';
import type { DossierStage } from './dossier.ts';
import { LEVEL_KEYS } from './scale.ts';
import type { LevelKey } from './scale.ts';
import { MAX_EPOCH_MS } from './time.ts';

/** Highest press number a terminal can send (uint32, as on the serial wire). */
export const MAX_SEQ = 4_294_967_295;

/** Longest vote payload accepted as JSON text. */
export const VOTE_MAX_CHARS = 4096;

/** Most reasons a vote may carry. */
export const MAX_REASONS = 8;

/** Longest queue ticket, in characters. */
export const MAX_TICKET_CHARS = 32;

/** Where the press came from. */
export type VoteSource = 'button' | 'touch';

/**
 * Why a press is not counted: inside the cooldown, while gated rating was
 * closed, or a second vote for a dossier and stage already rated
 * (`dossier`, core/dossier.ts).
 */
export type FilterReason = 'cooldown' | 'gated' | 'dossier';

/** The vote payload (v1). Filtered presses are still published; they are never counted. */
export interface Vote {
  readonly v: 1;
  /** `${terminal}:${seq}` */
  readonly id: string;
  readonly district: string;
  readonly ward: string;
  readonly counter: string;
  readonly terminal: string;
  /** 1..4294967295, strictly increasing per terminal. */
  readonly seq: number;
  readonly level: LevelKey;
  /** Epoch ms of the press (an estimate when `timeUncertain`). */
  readonly pressedAt: number;
  /** Epoch ms when the bridge received it. */
  readonly receivedAt: number;
  readonly source: VoteSource;
  /** Reason ids chosen after the rating, at most 8, no repeats. */
  readonly reasons?: readonly string[];
  /** Officer logged in at the counter. */
  readonly officer?: string;
  /** Queue ticket number, 1–32 printable characters. */
  readonly ticket?: string;
  /** Dossier code (mã hồ sơ) the vote rates, from the desk's `_served` or the receipt scanned at the kiosk. */
  readonly dossier?: string;
  /** Stage of the dossier rated; present exactly when `dossier` is. */
  readonly stage?: DossierStage;
  readonly filtered?: FilterReason;
  /** The terminal rebooted between press and send, so `pressedAt` is approximate. */
  readonly timeUncertain?: true;
}

/** Allowed values of `source`. */
export const VOTE_SOURCES: readonly VoteSource[] = ['button', 'touch'];

/** Allowed values of `filtered`. */
export const FILTER_REASONS: readonly FilterReason[] = ['cooldown', 'gated', 'dossier'];

/** `terminal:seq`, the vote id; throws on a bad terminal id or seq (programmer error). */
export function voteId(terminal: string, seq: number): string {
  requireId(terminal, 'terminal');
  if (!Number.isInteger(seq) || seq < 1 || seq > MAX_SEQ) {
    throw new RangeError(`seq must be an integer in 1..${MAX_SEQ}, got ${String(seq)}`);
  }
  return `${terminal}:${seq}`;
}

/** `${district}/${ward}/${id}`: the key consumers dedupe votes by. */
export function voteKey(vote: Vote): string {
  return `${vote.district}/${vote.ward}/${vote.id}`;
}

/** True when the vote counts toward satisfaction figures (it was not filtered). */
export function isCounted(vote: Vote): boolean {
  return vote.filtered === undefined;
}

function readVote(root: unknown): Vote {
  const o = objectAt(root, undefined);
  const v = versionOne(o);
  const rawId = requiredField(o, 'id', 'id');
  if (typeof rawId !== 'string') reject('bad-type', `id must be a string, got ${typeName(rawId)}`, 'id');
  const district = idAt(requiredField(o, 'district', 'district'), 'district');
  const ward = idAt(requiredField(o, 'ward', 'ward'), 'ward');
  const counter = idAt(requiredField(o, 'counter', 'counter'), 'counter');
  const terminal = idAt(requiredField(o, 'terminal', 'terminal'), 'terminal');
  const seq = intIn(requiredField(o, 'seq', 'seq'), 'seq', 1, MAX_SEQ);
  // The id is redundant on purpose (a readable dedupe key in logs); a
  // mismatch means a forged or corrupted payload, so it is refused.
  if (rawId !== `${terminal}:${seq}`) {
    reject('id-mismatch', `id ${show(rawId)} does not equal terminal:seq "${terminal}:${seq}"`, 'id');
  }
  const level = enumAt(requiredField(o, 'level', 'level'), 'level', LEVEL_KEYS);
  const pressedAt = intIn(requiredField(o, 'pressedAt', 'pressedAt'), 'pressedAt', 0, MAX_EPOCH_MS);
  const receivedAt = intIn(requiredField(o, 'receivedAt', 'receivedAt'), 'receivedAt', 0, MAX_EPOCH_MS);
  const source = enumAt(requiredField(o, 'source', 'source'), 'source', VOTE_SOURCES);
  // Fresh object with known fields only, in a fixed order: unknown fields
  // (a newer minor version, or hostile keys) never reach consumers.
  const vote: {
    -readonly [K in keyof Vote]: Vote[K];
  } = { v, id: rawId, district, ward, counter, terminal, seq, level, pressedAt, receivedAt, source };
  const reasons = optionalField(o, 'reasons');
  if (reasons !== undefined) vote.reasons = idListAt(reasons, 'reasons', MAX_REASONS);
  const officer = optionalField(o, 'officer');
  if (officer !== undefined) vote.officer = idAt(officer, 'officer');
  const ticket = optionalField(o, 'ticket');
  if (ticket !== undefined) vote.ticket = textAt(ticket, 'ticket', MAX_TICKET_CHARS);
  const { dossier, stage } = readDossier(o);
  if (dossier !== undefined) {
    vote.dossier = dossier;
    vote.stage = stage;
  }
  const filtered = optionalField(o, 'filtered');
  if (filtered !== undefined) vote.filtered = enumAt(filtered, 'filtered', FILTER_REASONS);
  const uncertain = optionalField(o, 'timeUncertain');
  // `false` is accepted as "not uncertain" and dropped, so the flag is only
  // ever present as `true`.
  if (uncertain === true) vote.timeUncertain = true;
  else if (uncertain !== undefined && uncertain !== false) {
    reject('bad-type', `timeUncertain must be true when present, got ${typeName(uncertain)}`, 'timeUncertain');
  }
  return vote;
}

/**
 * Validates a vote from JSON text (at most 4096 chars) or an already
 * parsed value. Returns a fresh object holding only the known fields;
 * never throws.
 */
export function parseVote(input: unknown): InputResult<Vote> {
  return decodeWith(input, VOTE_MAX_CHARS, readVote);
}
