/**
 * A TerminalStore in a JSON file, so a simulated terminal keeps its seq and
 * its unacknowledged votes across `hailong simulate` restarts. Restarting at
 * seq 1 would be fatal: the bridge's high-water mark (PROTOCOL.md §7.1)
 * would answer every new vote DUP and they would be silently lost.
 *
 * Each save writes a temporary file, fsyncs it, renames it over the old one
 * and fsyncs the folder: a crash leaves either the old or the new snapshot,
 * never a torn one (the same reasoning as the firmware's checksummed ring).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { err, ok, type Result } from '../../core/result.ts';
import { parseSnapshot, type StoreErrorCode, type TerminalSnapshot, type TerminalStore } from './terminal-store.ts';

/** Options of JsonFileTerminalStore. */
export interface JsonFileTerminalStoreOptions {
  /** File path; its folder is created when missing. */
  path: string;
  /**
   * fsync the file and its folder on every save. Turning it off keeps the
   * atomic rename (no torn file after a process crash) but not durability
   * across an OS crash; it is for load tests that press thousands of times.
   * @default true
   */
  fsync?: boolean;
}

/** Snapshot file written atomically (write + fsync + rename + fsync folder). */
export class JsonFileTerminalStore implements TerminalStore {
  /** The snapshot file. */
  readonly path: string;
  private readonly fsync: boolean;
  private readonly tmpPath: string;

  /** Creates the store; nothing is read or written until load/save. */
  constructor(options: JsonFileTerminalStoreOptions) {
    if (typeof options.path !== 'string' || options.path === '') throw new TypeError('"path" must be a non-empty string');
    this.path = options.path;
    this.fsync = options.fsync ?? true;
    this.tmpPath = `${options.path}.tmp`;
  }

  load(): Result<TerminalSnapshot | undefined, StoreErrorCode> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok(undefined);
      return err('store-unreadable', `cannot read ${this.path}: ${(error as Error).message}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return err('corrupt-store', `${this.path} is not valid JSON: ${(error as Error).message}`);
    }
    const parsed = parseSnapshot(value);
    if (!parsed.ok) return err('corrupt-store', `${this.path}: ${parsed.message}`, parsed.field);
    return parsed;
  }

  save(snapshot: TerminalSnapshot): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.tmpPath, 'w', 0o644);
    try {
      writeSync(fd, JSON.stringify(snapshot));
      if (this.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(this.tmpPath, this.path);
    if (this.fsync) {
      // The rename itself is only durable once the folder entry is on disk.
      const dir = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
  }
}
