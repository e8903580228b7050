/**
 * `hailong report`: the official report pack of a period (issue 15) — XLSX
 * and a printable A4 HTML page with the signature block — from an office's
 * journal or a hub's archive. Formulas: docs/REPORTS.md.
 */
import { writeReportPack } from '../report/report-writer.ts';
import { processIo, type CommandIo } from './command-io.ts';
import { runReportCommand } from './report-command.ts';

/** `hailong report --help`. */
export const REPORT_HELP = `hailong report: the report pack of a period (XLSX + printable HTML)

Usage: hailong report --config <file> (--period <key> | --from <date> --to <date>) [--out <dir>]

Writes bao-cao-<from>-<to>.xlsx and bao-cao-<from>-<to>.html into <dir>:
units ranked (counts and % of each level, % hài lòng, target, Đạt / Chưa đạt,
previous period, TT 01 points index, QĐ 766 satisfaction points), per counter,
per officer, low-rating reasons by TT 01 criterion, the formulas, the
signature block.

Options:
  --config <file>   The office config (its journal), or a hub config (its archive: every unit)
  --period <key>    2026-11 (month), 2026-q4 (quarter), 2026-h2 (6 months), 2026 (year)
  --from <date>     First day of a custom range, YYYY-MM-DD (Vietnam time), inclusive
  --to <date>       Last day, YYYY-MM-DD, inclusive
  --out <dir>       Output folder (default: the current folder)
  -h, --help        Show this help
`;

/** Runs `hailong report`; resolves with the exit code. */
export function runReport(argv: readonly string[], io: CommandIo = processIo, now: () => number = Date.now): Promise<number> {
  return runReportCommand(argv, REPORT_HELP, io, async (source, range, outDir) => {
    const written = await writeReportPack(source, range, outDir, now());
    io.stderr(`${written.pack.total.total} counted votes, ${written.pack.units.length} unit(s) → ${written.xlsx}, ${written.html}\n`);
    if (written.bad > 0) io.stderr(`${written.bad} unreadable rows skipped\n`);
    return written.bad > 0 ? 1 : 0;
  });
}
