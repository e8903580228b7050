/**
 * One-use rating tokens for the QR code a desk shows at the end of a
 * service (issue 15): an opaque random token (16 random bytes, base64url),
 * never the dossier code, kept in its own SQLite file beside the journal
 * with the counter, officer and dossier it rates, its expiry, and the vote
 * that used it. A token rates once; a used or expired one is refused with
 * its reason.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DossierStage } from '../../core/dossier.ts';

/** What a token rates. */
export interface QrGrant {
  readonly counter: string;
  readonly officer?: string;
  readonly dossier?: string;
  readonly stage?: DossierStage;
}

/** A stored token. */
export interface QrToken extends QrGrant {
  readonly token: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** The vote id that used it. */
  readonly usedBy?: string;
}

/** Why a token cannot rate. */
export type QrRefusal = 'unknown' | 'used' | 'expired';

const SQL = `
CREATE TABLE IF NOT EXISTS qr_tokens (
  token      TEXT PRIMARY KEY,
  counter    TEXT NOT NULL,
  officer    TEXT,
  dossier    TEXT,
  stage      TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_by    TEXT
) STRICT;
`;

/** Tokens look like this (base64url of 16 bytes); anything else is unknown without a lookup. */
const TOKEN_RE = /^[A-Za-z0-9_-]{22}$/;

interface Row {
  token: string;
  counter: string;
  officer: string | null;
  dossier: string | null;
  stage: DossierStage | null;
  created_at: number;
  expires_at: number;
  used_by: string | null;
}

/** The token file (`qr.db` in the data folder). */
export class QrTokens {
  private db: Database.Database | undefined;

  constructor(readonly path: string) {}

  /** Opens (creating) the file. */
  open(): void {
    if (this.db !== undefined) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SQL);
    this.db = db;
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }

  private get handle(): Database.Database {
    if (this.db === undefined) throw new Error('QrTokens is not open: call open() first');
    return this.db;
  }

  /** Mints a token for `grant`, valid `ttlMs` from `now`. */
  issue(grant: QrGrant, now: number, ttlMs: number): QrToken {
    const token = randomBytes(16).toString('base64url');
    const row: QrToken = { token, ...grant, createdAt: now, expiresAt: now + ttlMs };
    this.handle
      .prepare('INSERT INTO qr_tokens (token, counter, officer, dossier, stage, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(token, grant.counter, grant.officer ?? null, grant.dossier ?? null, grant.stage ?? null, row.createdAt, row.expiresAt);
    return row;
  }

  /** The token if it may rate at `now`, else why not. */
  check(token: unknown, now: number): { ok: true; token: QrToken } | { ok: false; reason: QrRefusal } {
    if (typeof token !== 'string' || !TOKEN_RE.test(token)) return { ok: false, reason: 'unknown' };
    const r = this.handle.prepare('SELECT * FROM qr_tokens WHERE token = ?').get(token) as Row | undefined;
    if (r === undefined) return { ok: false, reason: 'unknown' };
    if (r.used_by !== null) return { ok: false, reason: 'used' };
    if (now >= r.expires_at) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      token: {
        token: r.token,
        counter: r.counter,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        ...(r.officer === null ? {} : { officer: r.officer }),
        ...(r.dossier === null ? {} : { dossier: r.dossier }),
        ...(r.stage === null ? {} : { stage: r.stage }),
      },
    };
  }

  /** Marks the token used by `vote`; false when it was used already (a race lost). */
  use(token: string, vote: string): boolean {
    return this.handle.prepare('UPDATE qr_tokens SET used_by = ? WHERE token = ? AND used_by IS NULL').run(vote, token).changes === 1;
  }

  /** Who took the token: a vote id or a `uid:deviceSeq` marker; null when unused, undefined when unknown. */
  usedBy(token: string): string | null | undefined {
    const r = this.handle.prepare('SELECT used_by FROM qr_tokens WHERE token = ?').get(token) as { used_by: string | null } | undefined;
    return r?.used_by;
  }

  /** Gives a token back (its vote could not be stored). */
  release(token: string, vote: string): void {
    this.handle.prepare('UPDATE qr_tokens SET used_by = NULL WHERE token = ? AND used_by = ?').run(token, vote);
  }
}
