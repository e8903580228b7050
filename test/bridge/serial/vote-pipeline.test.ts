import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { terminalsOf, type PlacedTerminal } from '../../../bridge/config/hailong-config.ts';
import { Journal } from '../../../bridge/journal/journal.ts';
import { CooldownGuard } from '../../../bridge/rating/cooldown-guard.ts';
import { CounterState } from '../../../bridge/rating/counter-state.ts';
import { BoxVoteIntake } from '../../../bridge/serial/box-vote-intake.ts';
import { VotePipeline, type VoteAnswer, type VoteSink } from '../../../bridge/serial/vote-pipeline.ts';
import type { VoteMessage } from '../../../firmware-protocol/src/message.ts';
import { rigConfig, tempDir, testLog } from '../bridge-rig.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const vote = (seq: number, button = 1): VoteMessage => ({ type: 'VOTE', seq, button, reason: 0, ageMs: 0, flags: '' });

/** A real journal (SQLite, synchronous=FULL) under a real intake; ports are recording sinks. */
function rig(boxes = 3, cooldownMs = 0) {
  const tmp = tempDir('hailong-pipeline-');
  const config = rigConfig({ boxes, ports: [], dataDir: tmp.dir, cooldownMs });
  const journal = new Journal({ path: join(tmp.dir, 'journal.db'), seqBase: 0 });
  journal.open();
  cleanups.push(() => {
    journal.close();
    tmp.remove();
  });
  const problemCounts = new Map<string, number>();
  const intake = new BoxVoteIntake({
    config,
    journal,
    counters: new CounterState(),
    cooldown: new CooldownGuard(),
    log: testLog,
    problemCounts,
  });
  const offered: number[] = [];
  /** What the pipeline did, in order: 'offer' (to the outbox), 'ack' (a port's write), 'stored' (onStored). */
  const steps: string[] = [];
  const stored: string[] = [];
  const filtered: (string | undefined)[] = [];
  const pipeline = new VotePipeline({
    intake,
    journal,
    outbox: {
      offer: (rowid) => offered.push(rowid) && steps.push(journal.outbox(rowid - 1, 1)[0]?.rowid === rowid ? 'offer' : 'offer-not-durable'),
    },
    onStored: (v) => {
      steps.push('stored');
      stored.push(v.id);
      filtered.push(v.filtered);
    },
    log: testLog,
  });
  const terminals = terminalsOf(config);
  /** A port: every settle() is one write; `durableAtSettle` proves each OK was on disk when it was written. */
  const port = (i: number) => {
    const writes: VoteAnswer[][] = [];
    const durableAtSettle: boolean[] = [];
    const t = terminals[i] as PlacedTerminal;
    const sink: VoteSink = {
      settle: (answers) => {
        steps.push('ack');
        writes.push([...answers]);
        for (const a of answers) if (a.outcome.status === 'stored') durableAtSettle.push(journal.hasVote(t.id, a.outcome.vote.seq));
      },
    };
    const uid = `SIM-${String(i + 1).padStart(2, '0')}`;
    return { writes, durableAtSettle, submit: (m: VoteMessage) => pipeline.submit(sink, t, uid, m, Date.now()) };
  };
  return { journal, pipeline, port, offered, steps, stored, filtered, problemCounts };
}

const settled = () => new Promise((r) => setImmediate(r));

describe('VotePipeline', () => {
  it('commits the votes of every port that arrived in one turn in ONE transaction, then writes each port its ACKs once', async () => {
    const r = rig(3);
    const ports = [r.port(0), r.port(1), r.port(2)];
    for (const [i, p] of ports.entries()) for (let seq = 1; seq <= 4 + i; seq++) p.submit(vote(seq));
    const commits = r.journal.stats().commits;
    expect(ports.every((p) => p.writes.length === 0)).toBe(true); // nothing before the commit
    await settled();
    expect(r.journal.stats().commits).toBe(commits + 1);
    for (const [i, p] of ports.entries()) {
      expect(p.writes).toHaveLength(1);
      expect(p.writes[0]?.map((a) => [a.seq, a.outcome.status])).toEqual(Array.from({ length: 4 + i }, (_, k) => [k + 1, 'stored']));
      expect(p.durableAtSettle.every(Boolean)).toBe(true);
    }
    expect(r.offered).toHaveLength(4 + 5 + 6);
    expect(r.journal.voteCount()).toBe(15);
  });

  it('a lone stored vote goes to the outbox right after its commit, before its ACK write and onStored (issue 14: the subscriber does not wait for the serial write)', async () => {
    const r = rig(1);
    const p = r.port(0);
    p.submit(vote(1));
    expect(r.steps).toEqual([]); // nothing before the commit
    await settled();
    expect(r.steps).toEqual(['offer', 'ack', 'stored']);
    expect(p.durableAtSettle).toEqual([true]);
  });

  it('votes arriving after a batch committed join the next batch', async () => {
    const r = rig(2);
    const [a, b] = [r.port(0), r.port(1)];
    a.submit(vote(1));
    await settled();
    b.submit(vote(1));
    a.submit(vote(2));
    await settled();
    expect(r.pipeline.stats()).toEqual({ batches: 2, votes: 3 });
    expect(a.writes.map((w) => w.map((x) => x.seq))).toEqual([[1], [2]]);
    expect(b.writes.map((w) => w.map((x) => x.seq))).toEqual([[1]]);
  });

  it('a resend inside the batch joins its vote: one row, one publish, two ACKs; after the commit it is a DUP without a commit', async () => {
    const r = rig(1);
    const p = r.port(0);
    p.submit(vote(7, 2));
    p.submit(vote(7, 2));
    await settled();
    expect(p.writes[0]?.map((a) => a.outcome.status)).toEqual(['stored', 'stored']);
    expect(r.journal.voteCount()).toBe(1);
    expect(r.offered).toHaveLength(1);
    const commits = r.journal.stats().commits;
    p.submit(vote(7, 2));
    p.submit(vote(3, 1)); // below the mark: a DUP too
    await settled();
    expect(p.writes[1]?.map((a) => a.outcome.status)).toEqual(['duplicate', 'duplicate']);
    expect(r.journal.stats().commits).toBe(commits);
    expect(r.journal.voteCount()).toBe(1);
  });

  it('keeps a vote beyond the scale as rejected in the same batch, ACKs it REJECT and never counts or publishes it', async () => {
    const r = rig(1);
    const p = r.port(0);
    p.submit(vote(1));
    p.submit(vote(2, 9));
    p.submit(vote(3));
    await settled();
    expect(p.writes[0]?.map((a) => a.outcome.status)).toEqual(['stored', 'rejected', 'stored']);
    expect(r.journal.rejectedCounts()).toEqual({ 'button-beyond-scale': 1 });
    expect(r.offered).toHaveLength(2);
    expect(r.journal.highWaterMark('SIM-01')).toBe(3);
  });

  it('answers the resend of a vote stored as rejected REJECT without a write, so a failing commit cannot NAK a vote the box may have completed', async () => {
    const r = rig(1);
    const p = r.port(0);
    p.submit(vote(1));
    p.submit(vote(2, 9)); // beyond the scale
    await settled();
    p.submit(vote(200_003)); // a jump: more than 100000 above the mark 1
    await settled();
    expect(r.journal.rejectedCounts()).toEqual({ 'button-beyond-scale': 1, 'seq-jump': 1 });
    const commits = r.journal.stats().commits;
    r.journal.commitBatch = (entries) =>
      entries.map(() => ({ status: 'failed', code: 'SQLITE_FULL', message: 'database or disk is full' }));
    // their ACK REJECTs were lost: the box sends them again (a new session's first vote) while storage fails
    p.submit(vote(2, 9));
    p.submit(vote(200_003));
    await settled();
    expect(p.writes[2]?.map((a) => a.outcome)).toEqual([
      { status: 'rejected', code: 'button-beyond-scale', message: expect.stringContaining('stored as rejected before'), duplicate: true },
      { status: 'rejected', code: 'seq-jump', message: expect.stringContaining('stored as rejected before'), duplicate: true },
    ]);
    expect(r.journal.stats().commits).toBe(commits);
  });

  it('stores no later vote of a box past one whose intake threw: that would raise the mark above it and its resend would be a lost DUP', async () => {
    const r = rig(1);
    const p = r.port(0);
    p.submit(vote(1));
    const real = r.journal.highWaterMark.bind(r.journal);
    r.journal.highWaterMark = () => {
      throw new Error('disk I/O error (injected)');
    };
    p.submit(vote(2)); // a read error while judging it
    r.journal.highWaterMark = real;
    p.submit(vote(3));
    await settled();
    expect(p.writes[0]?.map((a) => [a.seq, a.outcome.status])).toEqual([
      [1, 'stored'],
      [2, 'failed'],
      [3, 'failed'],
    ]);
    expect(r.journal.highWaterMark('SIM-01')).toBe(1);
    p.submit(vote(2)); // the box resends from the vote that failed
    p.submit(vote(3));
    await settled();
    expect(p.writes[1]?.map((a) => [a.seq, a.outcome.status])).toEqual([
      [2, 'stored'],
      [3, 'stored'],
    ]);
    expect(r.problemCounts.get('storage-threw')).toBe(1);
  });

  it('publishes a stored vote whose port closed during the commit (its sink writes nothing)', async () => {
    const r = rig(1);
    const pipelineSink: VoteSink = { settle: () => undefined };
    r.pipeline.submit(
      pipelineSink,
      terminalsOf(rigConfig({ boxes: 1, ports: [], dataDir: '/x' }))[0] as PlacedTerminal,
      'SIM-01',
      vote(1),
      Date.now(),
    );
    await settled();
    expect(r.offered).toHaveLength(1);
    expect(r.stored).toEqual(['hop-1:1']);
  });

  it('a failed commit answers every vote of the batch as failed (NAK), and their resends are stored', async () => {
    const r = rig(2);
    const [a, b] = [r.port(0), r.port(1)];
    const real = r.journal.commitBatch.bind(r.journal);
    r.journal.commitBatch = (entries) =>
      entries.map(() => ({ status: 'failed', code: 'SQLITE_FULL', message: 'database or disk is full' }));
    a.submit(vote(1));
    b.submit(vote(1));
    await settled();
    expect([...a.writes, ...b.writes].flat().map((x) => x.outcome.status)).toEqual(['failed', 'failed']);
    expect(r.offered).toEqual([]);
    r.journal.commitBatch = real;
    a.submit(vote(1));
    b.submit(vote(1));
    await settled();
    expect([a.writes[1], b.writes[1]].flat().map((x) => x?.outcome.status)).toEqual(['stored', 'stored']);
    expect(r.journal.voteCount()).toBe(2);
  });

  it('applies the cooldown between presses of one batch (a window of a box that does not flag C), and a failed batch moves no cooldown', async () => {
    const r = rig(1, 3000);
    const p = r.port(0);
    const real = r.journal.commitBatch.bind(r.journal);
    r.journal.commitBatch = (entries) => entries.map(() => ({ status: 'failed', code: 'SQLITE_IOERR', message: 'injected' }));
    p.submit({ ...vote(1), ageMs: 0 });
    await settled();
    r.journal.commitBatch = real;
    // The resend counts (the failed batch left no cooldown behind); the next press, in the same batch, is inside the cooldown.
    p.submit({ ...vote(1), ageMs: 0 });
    p.submit({ ...vote(2), ageMs: 0 });
    await settled();
    expect(r.filtered).toEqual([undefined, 'cooldown']);
  });
});
