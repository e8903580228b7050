/**
 * The store a config file names, opened for reading: an office config's
 * journal or a hub config's archive (told apart by `configKindOf`). Shared
 * by `hailong export`, `report` and `dossiers`; opened read-side while the
 * bridge or hub runs (SQLite WAL readers do not block the writer).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HailongConfig } from '../config/hailong-config.ts';
import { HubArchive } from '../hub/hub-archive.ts';
import type { HubConfig } from '../hub/hub-config.ts';
import { configKindOf } from '../hub/load-hub-config.ts';
import { Journal } from '../journal/journal.ts';
import { readConfigOrReport, type CommandIo } from '../commands/command-io.ts';
import { readHubConfigOrReport } from '../commands/hub.ts';

/** An open store and the config that names it; the caller closes it. */
export type ConfigStore =
  | { readonly kind: 'hub'; readonly config: HubConfig; readonly archive: HubArchive }
  | { readonly kind: 'office'; readonly config: HailongConfig; readonly journal: Journal };

/**
 * Reads and validates the config `file` and opens its store; an exit code
 * when it cannot: 2 for an invalid config (every problem printed), 1 for a
 * store that does not open (named on stderr).
 */
export async function openConfigStore(file: string, io: CommandIo): Promise<ConfigStore | number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  if (configKindOf(text) === 'hub') {
    const config = await readHubConfigOrReport(file, io);
    if (config === undefined) return 2;
    const archive = new HubArchive({ path: join(config.dataDir, 'archive.db') });
    const failed = openOrReport(() => archive.open(), 'archive', config.dataDir, io);
    return failed ?? { kind: 'hub', config, archive };
  }
  const config = await readConfigOrReport(file, io);
  if (config === undefined) return 2;
  const journal = new Journal({ path: join(config.dataDir, 'journal.db') });
  const failed = openOrReport(() => journal.open(), 'journal', config.dataDir, io);
  return failed ?? { kind: 'office', config, journal };
}

/** Runs `open`; on an error names the store on stderr and gives exit code 1. */
function openOrReport(open: () => void, what: 'archive' | 'journal', dataDir: string, io: CommandIo): 1 | undefined {
  try {
    open();
    return undefined;
  } catch (error) {
    io.stderr(`Cannot open the ${what} in ${dataDir}: ${(error as Error).message}\n`);
    return 1;
  }
}
