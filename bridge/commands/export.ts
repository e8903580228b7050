/**
 * `hailong export`: writes the journal's votes of a date range to CSV, with
 * progress on stderr. Works while the bridge runs (SQLite WAL readers do not
 * block the writer).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { adminLevelWords } from '../../core/admin-name.ts';
import { unitOn, type Lineage } from '../../core/merger.ts';
import { parseVote, type Vote } from '../../core/vote.ts';
import { unitFigures, unitFiguresCsvHeader, unitFiguresCsvRow } from '../export/unit-figures.ts';
import { CSV_BOM, GENERIC_LEVELS, voteCsvHeader, voteCsvRow, type VoteCsvLevels } from '../export/vote-csv.ts';
import { lineageOfHub, unitKindsLabel, unitNamesOf } from '../hub/hub-config.ts';
import { revocationCsvHeader, revocationCsvRow } from '../export/revocation-csv.ts';
import type { HubArchive } from '../hub/hub-archive.ts';
import type { HubConfig } from '../hub/hub-config.ts';
import { openConfigStore } from '../report/config-store.ts';
import { reportRange } from '../report/report-range.ts';
import { parseCommand, processIo, type CommandIo } from './command-io.ts';
import { REPORT_OPTIONS } from './report-command.ts';

/** `hailong export --help`. */
export const EXPORT_HELP = `hailong export: write journal (or hub archive) votes to CSV

Usage: hailong export --config <file> (--period <key> | --from <date> --to <date>) [--out <file>]
       hailong export --config <hub.yaml> (--period <key> | --from … --to …) --by-unit [--apart]
       hailong export --config <file> --revocations [--out <file>]

Options:
  --config <file>   The office config (its dataDir holds the journal), or a hub
                    config (its archive: every unit's votes)
  --period <key>    2026-11 (month), 2026-q4, 2026-h2, 2026, 2026-W47, 2026-11-23
  --from <date>     First day, YYYY-MM-DD (Vietnam time), inclusive
  --to <date>       Last day, YYYY-MM-DD, inclusive
  --out <file>      Output file (default: votes-<from>-<to>.csv; "-" = stdout)
  --revocations     Write the revocation audit trail instead (hailong revoke):
                    who, when, why and which votes (default: revocations.csv);
                    with a hub config, every unit's, as their bridges forwarded them
  --by-unit         Hub only: figures per unit instead of votes (units-<from>-<to>.csv).
                    Units merged before --to (units[].mergedFrom) are folded into
                    the unit that absorbed them; its line names them.
  --apart           With --by-unit: every old unit on its own line, saying where it went
  -h, --help        Show this help

Every press is exported, filtered and revoked ones too (column "Tính vào tỷ lệ"
= không; column "Thu hồi" names the revocation). A hub marks the votes its
units revoked the same way, once their bridges have forwarded the revocation.
Column headings use the level words of the configured names (Tỉnh …, Xã …).
A hub's export adds the unit's name and the unit it counts for at --to.
`;

/** Where exported votes come from: an office's journal or a hub's archive (same reads). */
interface VoteSource {
  countPressedBetween(fromMs: number, toMs: number): number;
  /** Stored payloads in pressed order, with the revocation that took each out of the figures, if any. */
  rowsPressedBetween(fromMs: number, toMs: number): Iterable<{ readonly payload: string; readonly revocation: number | null }>;
  close(): void;
}

/** A hub's archive as a vote source: each vote with the revocation its unit forwarded for it, if any. */
function archiveSource(archive: HubArchive): VoteSource {
  return {
    countPressedBetween: (fromMs, toMs) => archive.countPressedBetween(fromMs, toMs),
    rowsPressedBetween: (fromMs, toMs) => archive.rowsPressedBetween(fromMs, toMs),
    close: () => archive.close(),
  };
}

/** How the rows are labelled: level words, and for a hub its units and mergers. */
interface ExportLabels {
  readonly levels: VoteCsvLevels;
  readonly hub?: { readonly names: ReadonlyMap<string, string>; readonly lineage: Lineage };
}

/** Opens the journal of an office config, or the archive of a hub config; an exit code when it cannot. */
async function openSource(file: string, io: CommandIo): Promise<{ source: VoteSource; labels: ExportLabels } | number> {
  const store = await openConfigStore(file, io);
  if (typeof store === 'number') return store;
  if (store.kind === 'office') {
    const { config } = store;
    const levels = {
      parent: adminLevelWords([config.district.name], GENERIC_LEVELS.parent),
      unit: adminLevelWords([config.ward.name], GENERIC_LEVELS.unit),
    };
    return { source: store.journal, labels: { levels } };
  }
  const { config } = store;
  const labels: ExportLabels = {
    // Units say what they are by their kind (a provincial center's "cơ sở 2" has no level word in its name).
    levels: { parent: adminLevelWords([config.parent.name], GENERIC_LEVELS.parent), unit: unitKindsLabel(config.units.map((u) => u.kind)) },
    hub: { names: unitNamesOf(config), lineage: lineageOfHub(config) },
  };
  return { source: archiveSource(store.archive), labels };
}

/** Runs `hailong export`; resolves with the exit code. */
export async function runExport(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  const args = parseCommand(
    argv,
    { ...REPORT_OPTIONS, revocations: { type: 'boolean' }, 'by-unit': { type: 'boolean' }, apart: { type: 'boolean' } },
    EXPORT_HELP,
    io,
  );
  if ('exit' in args) return args.exit;
  const { values } = args;
  if (values.revocations === true) return exportRevocations(values.config ?? 'hailong.yaml', values.out ?? 'revocations.csv', io);
  const range = reportRange(values);
  const problems = 'problems' in range ? [...range.problems] : [];
  if (values.apart === true && values['by-unit'] !== true) problems.push('"--apart" goes with "--by-unit"');
  if ('problems' in range || problems.length > 0) {
    io.stderr(`${problems.join('\n')}\n\n${EXPORT_HELP}`);
    return 2;
  }
  const file = values.config ?? 'hailong.yaml';
  const opened = await openSource(file, io);
  if (typeof opened === 'number') return opened;
  const { source, labels } = opened;
  const { from: first, to: last, fromMs, toMs } = range;
  if (values['by-unit'] === true)
    return exportByUnit(source, labels, { first, last, fromMs, toMs, apart: values.apart === true, out: values.out }, io);
  const total = source.countPressedBetween(fromMs, toMs);
  const outPath = values.out ?? `votes-${first}-${last}.csv`;
  const out = outPath === '-' ? process.stdout : createWriteStream(outPath, { encoding: 'utf8' });
  io.stderr(`Exporting ${total} votes pressed ${first} … ${last} to ${outPath === '-' ? 'stdout' : outPath}\n`);
  let written = 0;
  let bad = 0;
  let lastReport = Date.now();
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const hub = labels.hub;
  await write(
    CSV_BOM +
      voteCsvHeader(
        labels.levels,
        hub === undefined ? [] : [`Tên ${labels.levels.unit.toLocaleLowerCase('vi-VN')} (unit name)`, `Tính cho (counts for, at ${last})`],
      ),
  );
  for (const row of source.rowsPressedBetween(fromMs, toMs)) {
    const vote = parseVote(row.payload);
    if (!vote.ok) {
      bad += 1;
      continue;
    }
    const v = vote.value;
    const now = hub === undefined ? undefined : unitOn(hub.lineage, v.ward, last);
    const extra = hub === undefined || now === undefined ? [] : [hub.names.get(v.ward) ?? v.ward, hub.names.get(now) ?? now];
    await write(voteCsvRow(v, row.revocation ?? undefined, extra));
    written += 1;
    if (Date.now() - lastReport >= 2000) {
      lastReport = Date.now();
      io.stderr(`  ${written}/${total} (${Math.floor((written / Math.max(1, total)) * 100)}%)\n`);
    }
  }
  source.close();
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
  io.stderr(`Done: ${written} votes written${bad > 0 ? `, ${bad} unreadable journal rows skipped` : ''}.\n`);
  return bad > 0 ? 1 : 0;
}

/** `hailong export --revocations`: the audit trail of every revocation (an office's, or every unit's at a hub). */
async function exportRevocations(configFile: string, outPath: string, io: CommandIo): Promise<number> {
  const store = await openConfigStore(configFile, io);
  if (typeof store === 'number') return store;
  if (store.kind === 'hub') return exportHubRevocations(store.config, store.archive, outPath, io);
  const revocations = store.journal.revocations();
  store.journal.close();
  const text = CSV_BOM + revocationCsvHeader() + revocations.map((r) => revocationCsvRow(r)).join('');
  if (outPath === '-') process.stdout.write(text);
  else await writeFile(outPath, text, 'utf8');
  io.stderr(`Done: ${revocations.length} revocations written to ${outPath === '-' ? 'stdout' : outPath}.\n`);
  return 0;
}

/** `--revocations` with a hub config: every unit's revocations as forwarded, with the unit's id and name. */
async function exportHubRevocations(config: HubConfig, archive: HubArchive, outPath: string, io: CommandIo): Promise<number> {
  const revocations = archive.revocations();
  archive.close();
  const names = unitNamesOf(config);
  const unitWord = unitKindsLabel(config.units.map((u) => u.kind));
  const text =
    CSV_BOM +
    revocationCsvHeader([`${unitWord} (unit)`, `Tên ${unitWord.toLocaleLowerCase('vi-VN')} (unit name)`, 'Phần đã nhận (parts received)']) +
    revocations.map((r) => revocationCsvRow(r, [r.unit, names.get(r.unit) ?? r.unit, `${r.partsReceived}/${r.parts}`])).join('');
  if (outPath === '-') process.stdout.write(text);
  else await writeFile(outPath, text, 'utf8');
  const incomplete = revocations.filter((r) => r.partsReceived < r.parts).length;
  io.stderr(
    `Done: ${revocations.length} revocations of ${new Set(revocations.map((r) => r.unit)).size} units` +
      ` written to ${outPath === '-' ? 'stdout' : outPath}` +
      `${incomplete > 0 ? ` (${incomplete} still missing parts: their wards have not forwarded them all yet)` : ''}.\n`,
  );
  return 0;
}

/** `--by-unit`: figures per unit of a hub, mergers folded in (or `--apart`). */
async function exportByUnit(
  source: VoteSource,
  labels: ExportLabels,
  range: { first: string; last: string; fromMs: number; toMs: number; apart: boolean; out: string | undefined },
  io: CommandIo,
): Promise<number> {
  const hub = labels.hub;
  if (hub === undefined) {
    source.close();
    io.stderr('"--by-unit" needs a hub config (units:): an office has one unit; export its votes instead\n');
    return 2;
  }
  let bad = 0;
  const votes: Vote[] = [];
  for (const row of source.rowsPressedBetween(range.fromMs, range.toMs)) {
    // A revoked vote is out of every figure, at the hub as at the ward.
    if (row.revocation !== null) continue;
    const vote = parseVote(row.payload);
    if (vote.ok) votes.push(vote.value);
    else bad += 1;
  }
  source.close();
  const rows = unitFigures(votes, { lineage: hub.lineage, to: range.last, names: hub.names, apart: range.apart });
  const text = CSV_BOM + unitFiguresCsvHeader(labels.levels.unit) + rows.map((r) => unitFiguresCsvRow(r, hub.names)).join('');
  const outPath = range.out ?? `units-${range.first}-${range.last}.csv`;
  if (outPath === '-') process.stdout.write(text);
  else await writeFile(outPath, text, 'utf8');
  io.stderr(
    `Done: ${rows.length} units, ${votes.length} votes ${range.first} … ${range.last}${range.apart ? ', old units apart' : ''}${bad > 0 ? `, ${bad} unreadable rows skipped` : ''} → ${outPath === '-' ? 'stdout' : outPath}.\n`,
  );
  return bad > 0 ? 1 : 0;
}
