/**
 * Turning a `VoteInput` into a stored vote row inside the journal's open
 * commit: a serial box's vote gets the terminal's next published seq and
 * advances the device's high-water mark; a kiosk's vote keeps its own
 * `terminal:seq` and is stored once per id. Separate from journal.ts so
 * the class keeps the batching and the bookkeeping, and this file the
 * shape of a row (both paths build the same vote, in the same key order,
 * so the stored JSON payloads are byte-identical to before).
 */
import { DEFAULT_STAGE } from '../../core/dossier.ts';
import { topicFor } from '../../core/topic.ts';
import { voteId, type Vote } from '../../core/vote.ts';
import type { DossierBook } from './dossier-book.ts';
import type { Statements } from './journal-statements.ts';
import { OWN_SEQ_UID_PREFIX } from './tally-book.ts';
import type { AppendOutcome, VoteInput } from './vote-input.ts';

/** Where the last commit put each stored vote. */
export interface Committed {
  readonly vote: Vote;
  readonly rowid: number;
}

/** What storing a vote reads and writes besides the statements: the batch's and the journal's marks. */
export interface StoreContext {
  readonly sql: Statements;
  readonly dossiers: DossierBook | undefined;
  /** Marks and seqs written by earlier votes of this transaction. */
  readonly batchMarks: Map<string, number>;
  readonly batchSeqs: Map<string, number>;
  /** Marks and seqs known before this transaction (the database is the truth). */
  readonly knownMarks: ReadonlyMap<string, number>;
  readonly knownSeqs: ReadonlyMap<string, number>;
  /** Published seqs of this journal start above this. */
  readonly seqBase: number;
  /** Collects every stored vote of the transaction. */
  readonly committed: Committed[];
}

type MutableVote = { -readonly [K in keyof Vote]: Vote[K] };

/**
 * The vote topic of each terminal path object: a box's path is one frozen
 * object per terminal (rating/vote-intake.ts), so its topic is built and
 * checked once, not per vote (issue 14). Keyed by identity, and only a
 * frozen path (its ids cannot change under the cached topic); any other
 * path object builds its topic each time.
 */
const voteTopics = new WeakMap<VoteInput['path'], string>();

function voteTopicOf(input: VoteInput, vote: Vote): string {
  if (!Object.isFrozen(input.path)) return topicFor('vote', vote);
  let topic = voteTopics.get(input.path);
  if (topic === undefined) {
    topic = topicFor('vote', vote);
    voteTopics.set(input.path, topic);
  }
  return topic;
}

/** The vote's fields in the order they are serialized (the stored payload). */
function buildVote(input: VoteInput, seq: number, dossiers: DossierBook | undefined): MutableVote {
  const { district, ward, counter, terminal } = input.path;
  const vote: MutableVote = {
    v: 1,
    id: voteId(terminal, seq),
    district,
    ward,
    counter,
    terminal,
    seq,
    level: input.level,
    pressedAt: input.pressedAt,
    receivedAt: input.receivedAt,
    source: input.source,
  };
  if (input.reasons !== undefined && input.reasons.length > 0) vote.reasons = input.reasons;
  if (input.officer !== undefined) vote.officer = input.officer;
  if (input.ticket !== undefined) vote.ticket = input.ticket;
  stampDossier(vote, input, dossiers);
  return vote;
}

/**
 * Copies the dossier and the filter onto the vote: a vote that would
 * count for a dossier and stage already rated is kept, flagged `dossier`.
 */
function stampDossier(vote: MutableVote, input: VoteInput, dossiers: DossierBook | undefined): void {
  if (input.dossier !== undefined) {
    vote.dossier = input.dossier;
    vote.stage = input.stage ?? DEFAULT_STAGE;
  }
  let filtered = input.filtered;
  if (
    filtered === undefined &&
    vote.dossier !== undefined &&
    vote.stage !== undefined &&
    dossiers?.ratedBy(vote.dossier, vote.stage) !== undefined
  ) {
    filtered = 'dossier';
  }
  if (filtered !== undefined) vote.filtered = filtered;
}

/**
 * Stores one vote inside the caller's transaction (kiosk votes by their own
 * id, the rest by device seq). `judged`: an intake already decided the vote
 * is above its device's mark (the serial boxes' path, box-vote-intake.ts),
 * so the mark is not read again; other writers (QR, the demo) are checked
 * here.
 */
export function storeVote(ctx: StoreContext, input: VoteInput, judged = false): AppendOutcome {
  if (input.ownSeq !== undefined) return storeOwn(ctx, input);
  const { sql } = ctx;
  if (!judged) {
    // Marks as of this transaction: earlier votes of the batch first, then memory, then disk.
    const hwm =
      ctx.batchMarks.get(input.uid) ??
      ctx.knownMarks.get(input.uid) ??
      (sql.device.get(input.uid) as { hwm: number | null } | undefined)?.hwm ??
      0;
    if (input.deviceSeq <= hwm) return { status: 'duplicate', hwm };
  }
  const { terminal } = input.path;
  const last =
    ctx.batchSeqs.get(terminal) ??
    ctx.knownSeqs.get(terminal) ??
    Math.max(ctx.seqBase, (sql.lastSeq.get(terminal) as { seq: number | null } | undefined)?.seq ?? 0);
  const seq = last + 1;
  const vote = buildVote(input, seq, ctx.dossiers);
  if (input.timeUncertain === true) vote.timeUncertain = true;
  const payload = JSON.stringify(vote);
  // The topic is stored with the vote, so a replay publishes rows as they are.
  const topic = voteTopicOf(input, vote);
  const rowid = Number(
    sql.insertVote.run(terminal, seq, input.uid, input.deviceSeq, input.pressedAt, input.receivedAt, topic, payload).lastInsertRowid,
  );
  ctx.batchMarks.set(input.uid, input.deviceSeq);
  ctx.batchSeqs.set(terminal, seq);
  ctx.committed.push({ vote, rowid });
  return { status: 'stored', vote, payload, rowid, topic };
}

/**
 * A vote that keeps its terminal's own id (a kiosk's `terminal:seq`):
 * stored once per id, whatever order or how often it arrives; a second
 * copy is a `duplicate`. Same row shape as a box vote (uid `touch:<id>`,
 * device_seq = seq), so whatever reads the journal treats both alike.
 */
function storeOwn(ctx: StoreContext, input: VoteInput): AppendOutcome {
  const { sql } = ctx;
  const seq = input.ownSeq as number;
  const { terminal } = input.path;
  if (sql.byId.get(terminal, seq) !== undefined) return { status: 'duplicate', hwm: seq };
  const vote = buildVote(input, seq, ctx.dossiers);
  const payload = JSON.stringify(vote);
  const topic = topicFor('vote', vote);
  const rowid = Number(
    sql.insertOwn.run(terminal, seq, `${OWN_SEQ_UID_PREFIX}${terminal}`, seq, input.pressedAt, input.receivedAt, topic, payload)
      .lastInsertRowid,
  );
  ctx.committed.push({ vote, rowid });
  return { status: 'stored', vote, payload, rowid, topic };
}
