import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage } from '../../../core/topic-payload.ts';
import { MAX_RECEIPT_RANGES } from '../../../core/kiosk-receipt.ts';
import { HubArchive } from '../../../bridge/hub/hub-archive.ts';
import { HubReceipts } from '../../../bridge/hub/hub-receipts.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function openArchive(): HubArchive {
  const dir = mkdtempSync(join(tmpdir(), 'hailong-hub-receipts-'));
  const archive = new HubArchive({ path: join(dir, 'archive.db') });
  archive.open();
  cleanups.push(() => {
    archive.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return archive;
}

async function storeVotes(archive: HubArchive, unit: string, terminal: string, seqs: number[]): Promise<void> {
  await Promise.all(seqs.map((seq) => archive.store({ type: 'vote', unit, id: `${terminal}:${seq}`, pressedAt: 0, payload: '{}' })));
}

function rig(archive: HubArchive) {
  const sent: { topic: string; payload: string }[] = [];
  const receipts = new HubReceipts({
    parent: 'ba-dinh',
    archive,
    publish: async (topic, payload) => {
      sent.push({ topic, payload });
    },
    log: pino({ level: 'silent' }),
    everyMs: 30,
    now: () => 1_750_000_000_000,
  });
  cleanups.push(() => receipts.stop());
  const last = (topic: string) => {
    const m = [...sent].reverse().find((s) => s.topic === topic);
    if (m === undefined) return undefined;
    const parsed = parseMessage(m.topic, m.payload);
    if (!parsed.ok || parsed.value.kind !== 'archived') throw new Error(`bad receipt ${m.payload}`);
    return parsed.value.payload;
  };
  return { receipts, sent, last };
}

describe('HubReceipts', () => {
  it('builds each terminal whole at start, whatever the text order of the ids (hop-1:10 before hop-1:2, hop-10 beside hop-1)', async () => {
    const archive = openArchive();
    const seqs = Array.from({ length: 25 }, (_, i) => i + 1);
    await storeVotes(archive, 'phuc-xa', 'hop-1', seqs);
    await storeVotes(
      archive,
      'phuc-xa',
      'hop-10',
      seqs.filter((s) => s !== 7),
    );
    await storeVotes(archive, 'phuc-xa', 'hop-1a', [3]);
    const { receipts, last } = rig(archive);
    await receipts.start();
    expect(last('hailong/v1/ba-dinh/_archived/phuc-xa/hop-1')?.archived).toEqual([[1, 25]]);
    expect(last('hailong/v1/ba-dinh/_archived/phuc-xa/hop-10')?.archived).toEqual([
      [1, 6],
      [8, 25],
    ]);
    expect(last('hailong/v1/ba-dinh/_archived/phuc-xa/hop-1a')?.archived).toEqual([[3, 3]]);
  });

  it('publishes at start, per unit terminal, the seq ranges the archive holds', async () => {
    const archive = openArchive();
    await storeVotes(archive, 'phuc-xa', 'hop-1', [1, 2, 3, 5, 6]);
    await storeVotes(archive, 'phuc-xa', 'hop-2', [10]);
    await storeVotes(archive, 'truc-bach', 'hop-1', [1]);
    const { receipts, sent, last } = rig(archive);
    await receipts.start();
    expect(sent.map((s) => s.topic).sort()).toEqual([
      'hailong/v1/ba-dinh/_archived/phuc-xa/hop-1',
      'hailong/v1/ba-dinh/_archived/phuc-xa/hop-2',
      'hailong/v1/ba-dinh/_archived/truc-bach/hop-1',
    ]);
    expect(last('hailong/v1/ba-dinh/_archived/phuc-xa/hop-1')).toMatchObject({
      archived: [
        [1, 3],
        [5, 6],
      ],
      complete: true,
    });
  });

  it('coalesces the votes of a terminal into one receipt, and sends one again for a duplicate', async () => {
    const archive = openArchive();
    const { receipts, sent, last } = rig(archive);
    await receipts.start();
    for (let seq = 1; seq <= 20; seq++) receipts.noteVote('phuc-xa', `hop-1:${seq}`);
    await expect.poll(() => sent.length).toBe(1);
    expect(last('hailong/v1/ba-dinh/_archived/phuc-xa/hop-1')?.archived).toEqual([[1, 20]]);
    // A vote forwarded again that the archive already holds: the ward must hear back.
    receipts.noteVote('phuc-xa', 'hop-1:7');
    await expect.poll(() => sent.length).toBe(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(sent.length).toBe(2);
  });

  it('keeps the newest ranges only, and then says the receipt is incomplete', async () => {
    const archive = openArchive();
    const { receipts, last } = rig(archive);
    await receipts.start();
    for (let i = 0; i <= MAX_RECEIPT_RANGES; i++) receipts.noteVote('phuc-xa', `hop-1:${2 * i + 1}`);
    await receipts.publishAll();
    const r = last('hailong/v1/ba-dinh/_archived/phuc-xa/hop-1');
    expect(r?.archived).toHaveLength(MAX_RECEIPT_RANGES);
    expect(r?.archived[0]).toEqual([3, 3]);
    expect(r?.complete).toBe(false);
  });
});
