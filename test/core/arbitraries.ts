/** Shared fast-check arbitraries and fixtures for the core tests. */
import fc from 'fast-check';
import { DOSSIER_STAGES, type DossierStage } from '../../core/dossier.ts';
import { LEVEL_KEYS } from '../../core/scale.ts';
import type { LevelKey } from '../../core/scale.ts';
import type { TerminalPath } from '../../core/path.ts';
import { daysInMonth, localMidnight, MAX_EPOCH_MS } from '../../core/time.ts';
import { MAX_SEQ } from '../../core/vote.ts';
import type { FilterReason, Vote } from '../../core/vote.ts';

/** Valid ids. */
export const idArb = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,31}$/);

/** Valid terminal paths. */
export const pathArb: fc.Arbitrary<TerminalPath> = fc.record({
  district: idArb,
  ward: idArb,
  counter: idArb,
  terminal: idArb,
});

/** Valid month keys. */
export const monthArb = fc
  .record({ year: fc.integer({ min: 1900, max: 9999 }), month: fc.integer({ min: 1, max: 12 }) })
  .map(({ year, month }) => `${year}-${String(month).padStart(2, '0')}`);

/** Valid queue tickets (including Vietnamese letters and spaces). */
export const ticketArb = fc.string({
  unit: fc.constantFrom('A', 'B', 'Q', '0', '1', '7', '9', '-', ' ', 'ố', 'Đ', '#', '/'),
  minLength: 1,
  maxLength: 32,
});

/** Valid dossier codes with a stage (iGate-like codes and odd but valid ones). */
export const dossierArb = fc.record({
  dossier: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._\-/]{0,47}$/),
  stage: fc.constantFrom<DossierStage>(...DOSSIER_STAGES),
});

/** Valid votes (any fields, any times). */
export const voteArb: fc.Arbitrary<Vote> = fc
  .record({
    path: pathArb,
    seq: fc.integer({ min: 1, max: MAX_SEQ }),
    level: fc.constantFrom(...LEVEL_KEYS),
    pressedAt: fc.integer({ min: 0, max: MAX_EPOCH_MS }),
    receivedAt: fc.integer({ min: 0, max: MAX_EPOCH_MS }),
    source: fc.constantFrom('button' as const, 'touch' as const),
    reasons: fc.option(fc.uniqueArray(idArb, { maxLength: 8 }), { nil: undefined }),
    officer: fc.option(idArb, { nil: undefined }),
    ticket: fc.option(ticketArb, { nil: undefined }),
    dossier: fc.option(dossierArb, { nil: undefined }),
    filtered: fc.option(fc.constantFrom<FilterReason>('cooldown', 'gated', 'dossier'), { nil: undefined }),
    timeUncertain: fc.option(fc.constant(true as const), { nil: undefined }),
  })
  .map((r) => {
    const { dossier, ...rest } = r;
    return makeVote(r.path, r.seq, r.level, r.pressedAt, { ...rest, ...(dossier === undefined ? {} : dossier) });
  });

/** Builds a vote; optional fields are set only when defined. */
export function makeVote(
  path: TerminalPath,
  seq: number,
  level: LevelKey,
  pressedAt: number,
  extra: Partial<Omit<Vote, 'v' | 'id' | 'seq' | 'level' | 'pressedAt'>> = {},
): Vote {
  const vote: { -readonly [K in keyof Vote]: Vote[K] } = {
    v: 1,
    id: `${path.terminal}:${seq}`,
    district: path.district,
    ward: path.ward,
    counter: path.counter,
    terminal: path.terminal,
    seq,
    level,
    pressedAt,
    receivedAt: extra.receivedAt ?? pressedAt + 150,
    source: extra.source ?? 'button',
  };
  if (extra.reasons !== undefined) vote.reasons = extra.reasons;
  if (extra.officer !== undefined) vote.officer = extra.officer;
  if (extra.ticket !== undefined) vote.ticket = extra.ticket;
  if (extra.dossier !== undefined) {
    vote.dossier = extra.dossier;
    vote.stage = extra.stage ?? 'tiep-nhan';
  }
  if (extra.filtered !== undefined) vote.filtered = extra.filtered;
  if (extra.timeUncertain !== undefined) vote.timeUncertain = extra.timeUncertain;
  return vote;
}

/** A fixed terminal used by example-based tests. */
export const T1: TerminalPath = { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'hop-1' };

/** Epoch ms of a Vietnam-local wall-clock time. */
export function vnTime(date: string, hour = 9, minute = 0): number {
  return localMidnight(date) + hour * 3_600_000 + minute * 60_000;
}

/** One press inside a month, before seq numbering. */
export interface Press {
  readonly day: number;
  readonly hour: number;
  readonly level: LevelKey;
  readonly officer: string | undefined;
  readonly filtered: FilterReason | undefined;
  readonly gap: number;
}

const pressArb: fc.Arbitrary<Press> = fc.record({
  day: fc.integer({ min: 1, max: 31 }),
  hour: fc.integer({ min: 0, max: 23 }),
  level: fc.constantFrom(...LEVEL_KEYS),
  officer: fc.option(fc.constantFrom('cb-lan', 'cb-minh', 'constructor'), { nil: undefined }),
  filtered: fc.option(fc.constantFrom<FilterReason>('cooldown', 'gated', 'dossier'), { nil: undefined, freq: 4 }),
  gap: fc.integer({ min: 1, max: 3 }),
});

/** Turns presses into the votes of one terminal in one month, seq strictly increasing. */
export function votesOf(path: TerminalPath, month: string, presses: readonly Press[], firstSeq = 1): Vote[] {
  const last = daysInMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7)));
  let seq = firstSeq - 1;
  return presses.map((p) => {
    seq += p.gap;
    const date = `${month}-${String(Math.min(p.day, last)).padStart(2, '0')}`;
    return makeVote(path, seq, p.level, vnTime(date, p.hour, 7), { officer: p.officer, filtered: p.filtered });
  });
}

/** The votes of one terminal in one month (2020–2030), in seq order. */
export const terminalMonthArb = fc
  .record({
    path: pathArb,
    year: fc.integer({ min: 2020, max: 2030 }),
    month: fc.integer({ min: 1, max: 12 }),
    presses: fc.array(pressArb, { maxLength: 40 }),
  })
  .map(({ path, year, month, presses }) => {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    return { path, month: key, votes: votesOf(path, key, presses) };
  });

/** Inputs that must never crash a parser. */
export const HOSTILE_INPUTS: readonly unknown[] = [
  undefined,
  null,
  true,
  0,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 53 + 2,
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
  '{',
  '[]',
  '{}',
  '"str"',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  `${'['.repeat(2000)}${']'.repeat(2000)}`,
  `${'{"a":'.repeat(600)}1${'}'.repeat(600)}`,
  JSON.parse('{"__proto__":{"polluted":1}}'),
  Object.create({ v: 1, id: 'x:1' }),
  [],
  new Array(100_000).fill(1),
  { v: 1, levels: new Array(100_000).fill('hai-long') },
  { v: 1, reasons: new Array(100_000).fill('a') },
  new Proxy(
    {},
    {
      getOwnPropertyDescriptor() {
        throw new Error('trap');
      },
      ownKeys() {
        throw new Error('trap');
      },
    },
  ),
  Object.defineProperty({}, 'v', {
    get() {
      throw new Error('getter');
    },
    enumerable: true,
  }),
  Symbol('s'),
  () => 1,
  10n,
];

/** Arbitrary JSON-ish and non-JSON values and strings. */
export const junkArb = fc.oneof(
  fc.anything({ withNullPrototype: true, withObjectString: true, withBigInt: true, withMap: true, withSet: true }),
  fc.json(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.jsonValue(),
);
