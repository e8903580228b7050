/**
 * Counter-level events published by the officer's desk software (or the
 * queue system): `_served` when a service is finished — in gated mode it
 * lets the counter's terminals take one rating for ~30 s — and the
 * retained `_session` naming the officer logged in, which the bridge stamps
 * on votes for per-officer statistics.
 */
import { readDossier } from './dossier.ts';
import type { DossierStage } from './dossier.ts';
import { idAt } from './ids.ts';
import { decodeWith, intIn, objectAt, optionalField, ownValue, reject, requiredField, textAt, versionOne } from './json-input.ts';
import type { InputResult } from './json-input.ts';
import { MAX_EPOCH_MS } from './time.ts';
import { MAX_TICKET_CHARS } from './vote.ts';

/** "Service finished" (QoS 1, not retained): opens gated rating for `windowMs`. */
export interface Served {
  readonly v: 1;
  /** Epoch ms when the officer ended the service. */
  readonly at: number;
  readonly officer?: string;
  /** Queue ticket of the citizen just served, copied onto the vote. */
  readonly ticket?: string;
  /** Dossier code (mã hồ sơ) of the service just finished, copied onto the vote of its window. */
  readonly dossier?: string;
  /** Stage of that dossier (default `tiep-nhan` when only the code is sent). */
  readonly stage?: DossierStage;
}

/** The officer session at a counter (retained); `officer: null` after logout. */
export interface Session {
  readonly v: 1;
  readonly officer: string | null;
  /** Display name, e.g. "Nguyễn Thị Lan" (not used as a key). */
  readonly name?: string;
  /** Epoch ms of the login or logout. */
  readonly at: number;
}

/** Longest counter event accepted as JSON text. */
export const COUNTER_EVENT_MAX_CHARS = 2048;

/** Longest officer display name, in characters. */
export const MAX_NAME_CHARS = 64;

function readServed(root: unknown): Served {
  const o = objectAt(root, undefined);
  const served: { -readonly [K in keyof Served]: Served[K] } = {
    v: versionOne(o),
    at: intIn(requiredField(o, 'at', 'at'), 'at', 0, MAX_EPOCH_MS),
  };
  const officer = optionalField(o, 'officer');
  if (officer !== undefined) served.officer = idAt(officer, 'officer');
  const ticket = optionalField(o, 'ticket');
  if (ticket !== undefined) served.ticket = textAt(ticket, 'ticket', MAX_TICKET_CHARS);
  const { dossier, stage } = readDossier(o);
  if (dossier !== undefined) {
    served.dossier = dossier;
    served.stage = stage;
  }
  return served;
}

function readSession(root: unknown): Session {
  const o = objectAt(root, undefined);
  const v = versionOne(o);
  // `officer` must be present: null is the explicit "nobody logged in",
  // which differs from a payload that forgot the field.
  if (ownValue(o, 'officer') === undefined) {
    reject('missing-field', 'officer is missing (use null for "logged out")', 'officer');
  }
  const rawOfficer = optionalField(o, 'officer');
  const officer = rawOfficer === undefined ? null : idAt(rawOfficer, 'officer');
  const session: { -readonly [K in keyof Session]: Session[K] } = {
    v,
    officer,
    at: intIn(requiredField(o, 'at', 'at'), 'at', 0, MAX_EPOCH_MS),
  };
  const name = optionalField(o, 'name');
  if (name !== undefined) session.name = textAt(name, 'name', MAX_NAME_CHARS);
  return session;
}

/** Validates a `_served` payload (JSON text or value); never throws. */
export function parseServed(input: unknown): InputResult<Served> {
  return decodeWith(input, COUNTER_EVENT_MAX_CHARS, readServed);
}

/** Validates a `_session` payload (JSON text or value); never throws. */
export function parseSession(input: unknown): InputResult<Session> {
  return decodeWith(input, COUNTER_EVENT_MAX_CHARS, readSession);
}
