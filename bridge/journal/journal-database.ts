/**
 * Opening the journal's SQLite file: durability pragmas, schema creation and
 * migration, the size cap and the `meta` keys the journal reads at open.
 * Separate from journal.ts because it runs once per open and owns every
 * pragma choice, while the class owns the commit path.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DOSSIER_SQL } from './dossier-book.ts';
import { migrateSchema, REJECTED_SQL, SCHEMA_SQL, SCHEMA_VERSION } from './journal-schema.ts';
import type { ResolvedJournalOptions } from './journal-options.ts';

/** An opened journal database and the `meta` values read at open. */
export interface OpenedJournal {
  readonly db: Database.Database;
  /** Published seqs of this journal start above this (its `meta` seq_base; 0 for an old journal). */
  readonly seqBase: number;
  /** The highest revocation whose tallies were folded again (its `meta` revocations_folded). */
  readonly revocationsFolded: number;
}

/** Reads one `meta` value, or undefined when the key is absent. */
export function readMeta(db: Database.Database, key: string): string | undefined {
  return (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

/** Writes (inserts or replaces) one `meta` value. */
export function writeMeta(db: Database.Database, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

/** Opens (creating if needed) the database, migrates its schema, and refuses one newer than this hailong. */
export function openJournalDatabase(options: ResolvedJournalOptions): OpenedJournal {
  mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  try {
    db.pragma('journal_mode = WAL');
    // FULL: the WAL is fsynced at every commit, so an ACKed vote survives
    // a power cut, not only a crash of this process.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    // Checkpoint the WAL every ~16 MB instead of 4 MB: fewer checkpoints
    // (each one copies pages and fsyncs the database) inside vote commits.
    db.pragma('wal_autocheckpoint = 4000');
    db.exec(SCHEMA_SQL);
    db.exec(REJECTED_SQL);
    db.exec(DOSSIER_SQL);
    const schema = readMeta(db, 'schema');
    if (schema === undefined) {
      // A new journal: its published seqs start above the clock (issue 17).
      db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('seq_base', ?)").run(String(options.seqBase));
    }
    if (schema !== undefined && Number(schema) > SCHEMA_VERSION) {
      throw new Error(`journal ${options.path} has schema ${schema}, newer than this hailong (${SCHEMA_VERSION})`);
    }
    db.transaction(() => {
      migrateSchema(db);
      writeMeta(db, 'schema', String(SCHEMA_VERSION));
    })();
    if (options.maxBytes !== undefined) {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxBytes / pageSize))}`);
    }
  } catch (error) {
    db.close();
    throw error;
  }
  const base = readMeta(db, 'seq_base');
  return { db, seqBase: base === undefined ? 0 : Number(base), revocationsFolded: Number(readMeta(db, 'revocations_folded') ?? 0) };
}
