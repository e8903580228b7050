/**
 * A ward journal for report tests: the office of hailong.example.yaml
 * (Phường Phúc Xá), votes written through the real Journal (so a second
 * vote for a dossier and stage is flagged by the journal itself), served
 * dossiers recorded as the bridge records them, and a revocation.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { DossierStage } from '../../../core/dossier.ts';
import type { LevelKey } from '../../../core/scale.ts';
import { localMidnight } from '../../../core/time.ts';
import type { Vote } from '../../../core/vote.ts';
import { Journal } from '../../../bridge/journal/journal.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');

/** The example office's terminals: two boxes and a kiosk, with their counters. */
export const TERMINALS = [
  { terminal: 'hop-1', counter: 'quay-1', kind: 'button' },
  { terminal: 'hop-2', counter: 'quay-2', kind: 'button' },
  { terminal: 'kiosk-3', counter: 'quay-3', kind: 'touch' },
] as const;

/** One press of the fixture. */
export interface FixturePress {
  readonly t: number;
  readonly level: LevelKey;
  /** Day of the month (1..28) and minute of the office day. */
  readonly day: number;
  readonly minute: number;
  readonly officer: 'cb-1' | 'cb-2' | undefined;
  readonly reasons: readonly string[];
  readonly dossier: { readonly n: number; readonly stage: DossierStage } | undefined;
  readonly cooldown: boolean;
}

/** Presses over a month: 3 levels, officers, reasons on low votes, dossiers from a pool of 12 codes. */
export const pressesArb = fc.array(
  fc.record({
    t: fc.integer({ min: 0, max: 2 }),
    level: fc.constantFrom<LevelKey>('rat-hai-long', 'hai-long', 'khong-hai-long'),
    day: fc.integer({ min: 1, max: 28 }),
    minute: fc.integer({ min: 0, max: 8 * 60 }),
    officer: fc.constantFrom<'cb-1' | 'cb-2' | undefined>('cb-1', 'cb-2', undefined),
    reasons: fc.subarray(['thai-do', 'thoi-gian-cho', 'huong-dan', 'thu-tuc', 'phi-le-phi', 'khac']),
    dossier: fc.option(
      fc.record({ n: fc.integer({ min: 1, max: 12 }), stage: fc.constantFrom<DossierStage>('tiep-nhan', 'tra-ket-qua') }),
      { nil: undefined },
    ),
    cooldown: fc.boolean(),
  }),
  { minLength: 1, maxLength: 80 },
);

/** The dossier code of pool number `n`. */
export const code = (n: number) => `000.00.12.H26-261101-${String(n).padStart(4, '0')}`;

/** A temp office: the example config (dataDir in the temp folder) and its journal. */
export interface FixtureOffice {
  readonly dir: string;
  readonly configFile: string;
  readonly journalPath: string;
  remove(): void;
}

/** Writes the example office config into a temp folder. */
export function fixtureOffice(): FixtureOffice {
  const dir = mkdtempSync(join(tmpdir(), 'hailong-report-'));
  const configFile = join(dir, 'hailong.yaml');
  writeFileSync(
    configFile,
    readFileSync(join(REPO, 'hailong.example.yaml'), 'utf8').replace('dataDir: ./data', `dataDir: ${join(dir, 'data')}`),
  );
  return { dir, configFile, journalPath: join(dir, 'data', 'journal.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `presses` (month `month`, YYYY-MM) and served events for dossiers 1..12 at both stages; returns the journaled votes. */
export async function writeJournal(
  path: string,
  month: string,
  presses: readonly FixturePress[],
  servedDays = 28,
  firstSeq = 1,
): Promise<Vote[]> {
  const journal = new Journal({ path });
  journal.open();
  try {
    const seqs = new Map<string, number>();
    const sorted = [...presses].sort((a, b) => a.day - b.day || a.minute - b.minute);
    for (const p of sorted) {
      const t = TERMINALS[p.t]!;
      const seq = (seqs.get(t.terminal) ?? firstSeq - 1) + 1;
      seqs.set(t.terminal, seq);
      const pressedAt = localMidnight(`${month}-${String(p.day).padStart(2, '0')}`) + 7.5 * 3_600_000 + p.minute * 60_000 + seq;
      await journal.append({
        uid: t.kind === 'touch' ? `touch:${t.terminal}` : `SIM-${t.terminal}`,
        deviceSeq: seq,
        ...(t.kind === 'touch' ? { ownSeq: seq } : {}),
        path: { district: 'ba-dinh', ward: 'phuc-xa', counter: t.counter, terminal: t.terminal },
        level: p.level,
        pressedAt,
        receivedAt: pressedAt + 50,
        source: t.kind === 'touch' ? 'touch' : 'button',
        ...(p.level === 'khong-hai-long' && p.reasons.length > 0 ? { reasons: p.reasons } : {}),
        ...(p.officer === undefined ? {} : { officer: p.officer }),
        ...(p.dossier === undefined ? {} : { dossier: code(p.dossier.n), stage: p.dossier.stage }),
        ...(p.cooldown ? { filtered: 'cooldown' as const } : {}),
      });
    }
    for (let n = 1; n <= 12; n++) {
      for (const stage of ['tiep-nhan', 'tra-ket-qua'] as const) {
        const at = localMidnight(`${month}-${String(1 + (n % servedDays)).padStart(2, '0')}`) + 8 * 3_600_000 + n * 1000;
        journal.dossiers.recordServed({ counter: 'quay-1', dossier: code(n), stage, at, officer: 'cb-1' });
      }
    }
    return [...journal.votesPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((p) => JSON.parse(p) as Vote);
  } finally {
    journal.close();
  }
}
