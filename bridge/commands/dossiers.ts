/**
 * `hailong dossiers`: the reconciliation export (issue 15). For a period,
 * one row per rated dossier (CSV and JSON) and the dossiers served but not
 * rated (CSV and JSON), from an office's journal or a hub's archive. The
 * columns are documented in docs/REPORTS.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CSV_BOM, csvLine } from '../../core/csv.ts';
import {
  RATED_COLUMNS,
  ratedCsvLine,
  ratedDossiers,
  ratedJson,
  UNRATED_COLUMNS,
  unratedCsvLine,
  unratedDossiers,
  unratedJson,
  type ReconciliationNames,
} from '../../core/reconciliation.ts';
import type { ReportSource } from '../report/report-source.ts';
import { processIo, type CommandIo } from './command-io.ts';
import { runReportCommand } from './report-command.ts';

/** `hailong dossiers --help`. */
export const DOSSIERS_HELP = `hailong dossiers: rated dossiers for reconciliation with the one-stop system

Usage: hailong dossiers --config <file> (--period <key> | --from <date> --to <date>) [--out <dir>]

Writes into <dir> (default: the current folder), for the period:
  dossiers-<from>-<to>.csv / .json            one row per rated dossier and stage
  dossiers-unrated-<from>-<to>.csv / .json    served (desk _served with a code), not rated

Options:
  --config <file>   The office config (its journal), or a hub config (its
                    archive; the hub has no served list)
  --period <key>    2026-11 (month), 2026-q4, 2026-h2, 2026, 2026-W47, 2026-11-23
  --from <date>     First day, YYYY-MM-DD (Vietnam time), inclusive
  --to <date>       Last day, YYYY-MM-DD, inclusive
  --out <dir>       Output folder
  -h, --help        Show this help

Columns: docs/REPORTS.md.
`;

/** Names of a source's wards, counters and officers. */
export function namesOf(source: ReportSource): ReconciliationNames {
  const unit = (id: string) => source.units.find((u) => u.id === id);
  return {
    ward: (id) => unit(id)?.name,
    counter: (ward, id) => unit(ward)?.counters.get(id),
    officer: (ward, id) => unit(ward)?.officers.get(id),
  };
}

/** Runs `hailong dossiers`; resolves with the exit code. */
export function runDossiers(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  return runReportCommand(argv, DOSSIERS_HELP, io, async (source, range, dir) => {
    const { votes, bad } = source.votes(range.fromMs, range.toMs);
    const rated = ratedDossiers(votes);
    const served = source.served(range.fromMs, range.toMs);
    const unrated = served === undefined ? [] : unratedDossiers(served, votes);
    const names = namesOf(source);
    await mkdir(dir, { recursive: true });
    const base = `${range.from}-${range.to}`;
    const files = {
      rated: join(dir, `dossiers-${base}.csv`),
      ratedJson: join(dir, `dossiers-${base}.json`),
      unrated: join(dir, `dossiers-unrated-${base}.csv`),
      unratedJson: join(dir, `dossiers-unrated-${base}.json`),
    };
    await writeFile(files.rated, CSV_BOM + csvLine(RATED_COLUMNS) + rated.map((r) => ratedCsvLine(r, names)).join(''));
    await writeFile(files.ratedJson, `${JSON.stringify({ from: range.from, to: range.to, dossiers: rated.map(ratedJson) }, null, 2)}\n`);
    await writeFile(files.unrated, CSV_BOM + csvLine(UNRATED_COLUMNS) + unrated.map((s) => unratedCsvLine(s, names)).join(''));
    await writeFile(
      files.unratedJson,
      `${JSON.stringify({ from: range.from, to: range.to, servedKnown: served !== undefined, dossiers: unrated.map(unratedJson) }, null, 2)}\n`,
    );
    io.stderr(`${rated.length} rated dossiers → ${files.rated}\n`);
    if (served === undefined)
      io.stderr('A hub archive has no served list: the unrated files are empty (run this on the ward office for them).\n');
    else io.stderr(`${unrated.length} of ${served.length} served dossiers not rated → ${files.unrated}\n`);
    if (bad > 0) io.stderr(`${bad} unreadable journal rows skipped\n`);
    return bad > 0 ? 1 : 0;
  });
}
