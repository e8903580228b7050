/**
 * `hailong revoke`: a supervisor takes back a terminal's votes — a time
 * range and/or listed ids — with a reason and their name (issue 13: a
 * stolen kiosk login). The revocation is stored in the journal with the
 * votes it revoked (the audit trail, `hailong export --revocations`); the
 * tallies are folded again without them, and a running bridge republishes
 * them within a second (it watches the journal); with an `upstream:` hub,
 * the bridge forwards the revocation there too (bridge/upstream/
 * revocation-forwarder.ts), so the hub's export and figures leave the same
 * votes out. Works while the bridge runs (SQLite WAL; the write waits for
 * the bridge's commit).
 */
import { join } from 'node:path';
import { auditTextProblem } from '../../core/revocation.ts';
import { isDateString, localMidnight, addDays } from '../../core/time.ts';
import { terminalsOf } from '../config/hailong-config.ts';
import { Journal } from '../journal/journal.ts';
import { parseCommand, processIo, readConfigOrReport, type CommandIo } from './command-io.ts';

/** `hailong revoke --help`. */
export const REVOKE_HELP = `hailong revoke: take back a terminal's votes (kiosk misuse), with an audit trail

Usage: hailong revoke --config <file> --terminal <id> (--from <time> --to <time> | --ids <list>)
                      --reason "<why>" --by "<your name>"

Options:
  --config <file>    The office config (its dataDir holds the journal)
  --terminal <id>    The terminal whose votes are revoked (e.g. kiosk-1)
  --from <time>      First press revoked: YYYY-MM-DD or YYYY-MM-DDTHH:MM (Vietnam time)
  --to <time>        Last: YYYY-MM-DD (that whole day) or YYYY-MM-DDTHH:MM (before that minute)
  --ids <list>       Vote ids, comma-separated (kiosk-1:41,kiosk-1:42); with --from/--to both apply
  --reason <text>    Why (kept in the audit trail)
  --by <name>        Who decides (kept in the audit trail)
  -h, --help         Show this help

Revoked votes stay in the journal and in exports (column "Thu hồi"), and are
left out of every tally. See them with: hailong export --config <file> --revocations
With an upstream hub, the bridge forwards the revocation to it (also after an outage).
`;

const TIME_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/;

/** Epoch ms of a Vietnam-local `YYYY-MM-DD` (start of day, or of the next day when `end`) or `YYYY-MM-DDTHH:MM`. */
function parseLocalTime(value: string, end: boolean): number | undefined {
  if (isDateString(value)) return localMidnight(end ? addDays(value, 1) : value);
  const m = TIME_RE.exec(value);
  if (m === null || !isDateString(m[1]) || Number(m[2]) > 23 || Number(m[3]) > 59) return undefined;
  return localMidnight(m[1] as string) + Number(m[2]) * 3_600_000 + Number(m[3]) * 60_000;
}

/** Runs `hailong revoke`; resolves with the exit code. */
export async function runRevoke(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  const args = parseCommand(
    argv,
    {
      config: { type: 'string', short: 'c' },
      terminal: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      ids: { type: 'string' },
      reason: { type: 'string' },
      by: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    REVOKE_HELP,
    io,
  );
  if ('exit' in args) return args.exit;
  const { values } = args;
  const problems: string[] = [];
  const terminal = values.terminal?.trim() ?? '';
  if (terminal === '') problems.push('"--terminal" is required');
  const from = values.from === undefined ? undefined : parseLocalTime(values.from, false);
  const to = values.to === undefined ? undefined : parseLocalTime(values.to, true);
  if (values.from !== undefined && from === undefined)
    problems.push(`"--from" ${JSON.stringify(values.from)} must be YYYY-MM-DD or YYYY-MM-DDTHH:MM`);
  if (values.to !== undefined && to === undefined)
    problems.push(`"--to" ${JSON.stringify(values.to)} must be YYYY-MM-DD or YYYY-MM-DDTHH:MM`);
  if (from !== undefined && to !== undefined && from >= to) problems.push(`"--from" ${values.from} is not before "--to" ${values.to}`);
  const ids = values.ids
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (ids !== undefined && terminal !== '') {
    const foreign = ids.filter((id) => !id.startsWith(`${terminal}:`));
    if (foreign.length > 0) problems.push(`"--ids" ${foreign.join(', ')} are not votes of ${terminal} (ids are ${terminal}:<seq>)`);
  }
  if (from === undefined && to === undefined && (ids === undefined || ids.length === 0)) {
    problems.push('say which votes: "--from" and "--to", and/or "--ids" (revoking a terminal\'s whole history takes an explicit range)');
  }
  if ((values.from === undefined) !== (values.to === undefined)) problems.push('"--from" and "--to" go together');
  if ((values.reason ?? '').trim() === '') problems.push('"--reason" is required: it is kept in the audit trail');
  if ((values.by ?? '').trim() === '') problems.push('"--by" is required: who decides is kept in the audit trail');
  // The same rule as the hub's validator (core/revocation.ts): the audit line must reach the hub as typed.
  for (const field of ['reason', 'by'] as const) {
    const text = (values[field] ?? '').trim();
    const problem = text === '' ? undefined : auditTextProblem(text, field);
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0) {
    io.stderr(`${problems.join('\n')}\n\n${REVOKE_HELP}`);
    return 2;
  }
  const config = await readConfigOrReport(values.config ?? 'hailong.yaml', io);
  if (config === undefined) return 2;
  if (!terminalsOf(config).some((t) => t.id === terminal)) {
    io.stderr(
      `Terminal "${terminal}" is not in ${values.config ?? 'hailong.yaml'} (terminals: ${terminalsOf(config)
        .map((t) => t.id)
        .join(', ')})\n`,
    );
    return 2;
  }
  const journal = new Journal({ path: join(config.dataDir, 'journal.db') });
  try {
    journal.open();
    const { revocation, tallies } = journal.revoke({
      terminal,
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      ...(ids === undefined || ids.length === 0 ? {} : { ids }),
      reason: (values.reason as string).trim(),
      by: (values.by as string).trim(),
      at: Date.now(),
    });
    io.stdout(
      `Đã thu hồi ${revocation.votes.length} phiếu của ${terminal} (revocation #${revocation.id}: ${revocation.votes.length} votes revoked; ${tallies.length} monthly tallies folded again).\n` +
        (revocation.votes.length > 0 ? `  ${revocation.votes.join(' ')}\n` : '  (no vote matched, or they were already revoked)\n') +
        'A running bridge republishes the tallies within a second (and forwards the revocation to its hub, if it has one).\n',
    );
    return 0;
  } catch (error) {
    io.stderr(`Cannot revoke in the journal of ${config.dataDir}: ${(error as Error).message}\n`);
    return 1;
  } finally {
    if (journal.isOpen) journal.close();
  }
}
