import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../../bridge/journal/journal.ts';
import type { VoteInput } from '../../../bridge/journal/vote-input.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(): Journal {
  const dir = mkdtempSync(join(tmpdir(), 'hailong-dossier-'));
  dirs.push(dir);
  const j = new Journal({ path: join(dir, 'journal.db') });
  j.open();
  return j;
}

const at = Date.UTC(2026, 11, 1, 3);
const kiosk = (seq: number, extra: Partial<VoteInput> = {}): VoteInput => ({
  uid: 'touch:kiosk-1',
  deviceSeq: seq,
  ownSeq: seq,
  path: { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'kiosk-1' },
  level: 'hai-long',
  pressedAt: at + seq,
  receivedAt: at + seq,
  source: 'touch',
  dossier: 'H26-0001',
  stage: 'tiep-nhan',
  ...extra,
});
const box = (seq: number, extra: Partial<VoteInput> = {}): VoteInput => ({
  uid: 'SIM-01',
  deviceSeq: seq,
  path: { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-2', terminal: 'hop-2' },
  level: 'rat-hai-long',
  pressedAt: at + 100 + seq,
  receivedAt: at + 100 + seq,
  source: 'button',
  dossier: 'H26-0001',
  stage: 'tiep-nhan',
  ...extra,
});

describe('Journal: one counted vote per dossier and stage (issue 15)', () => {
  it('two votes for one dossier in the same commit batch: the first counts, the second is flagged', async () => {
    const j = open();
    try {
      const [a, b, c] = await Promise.all([j.append(kiosk(1)), j.append(box(1)), j.append(box(2, { stage: 'tra-ket-qua' }))]);
      expect(a.status === 'stored' && a.vote.filtered).toBeUndefined();
      expect(b.status === 'stored' && b.vote.filtered).toBe('dossier');
      expect(c.status === 'stored' && c.vote.filtered).toBeUndefined();
      expect(j.dossiers.ratedBy('H26-0001', 'tiep-nhan')).toBe(a.status === 'stored' ? a.vote.id : '');
    } finally {
      j.close();
    }
  });

  it('a flagged or cooldown vote does not rate the dossier; a revoked vote stops rating it', async () => {
    const j = open();
    try {
      const cooled = await j.append(kiosk(1, { filtered: 'cooldown' }));
      expect(cooled.status === 'stored' && cooled.vote.filtered).toBe('cooldown');
      const first = await j.append(kiosk(2));
      expect(first.status === 'stored' && first.vote.filtered).toBeUndefined();
      expect((await j.append(box(1))).status === 'stored' && j.dossiers.ratedBy('H26-0001', 'tiep-nhan')).toBe('kiosk-1:2');
      j.revoke({ terminal: 'kiosk-1', reason: 'Tài khoản kiosk bị lộ', by: 'Nguyễn Văn A', at: Date.now() });
      expect(j.dossiers.ratedBy('H26-0001', 'tiep-nhan')).toBeUndefined();
      const again = await j.append(box(2));
      expect(again.status === 'stored' && again.vote.filtered).toBeUndefined();
    } finally {
      j.close();
    }
  });
});
