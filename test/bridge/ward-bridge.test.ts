import { afterEach, describe, expect, it, vi } from 'vitest';
import { terminalsOf } from '../../bridge/config/hailong-config.ts';
import type { AppendOutcome } from '../../bridge/journal/vote-input.ts';
import { WardBridge } from '../../bridge/ward-bridge.ts';
import type { VoteMessage } from '../../firmware-protocol/src/message.ts';
import { rigConfig, tempDir, testLog } from './bridge-rig.ts';

const tmp = tempDir();
afterEach(() => tmp.remove());

type StoreVote = (terminal: unknown, uid: string, vote: VoteMessage, receivedAt: number) => Promise<AppendOutcome>;

describe('WardBridge.storeVote (issue 13, item 5)', () => {
  it('turns a journal that throws (SQLite error) into a failed store, logged and counted, never a rejection', async () => {
    const config = rigConfig({ boxes: 1, ports: [], dataDir: tmp.dir });
    const bridge = new WardBridge({ config, log: testLog, version: 'test', broker: { urls: ['mqtt://127.0.0.1:1'] } });
    bridge.journal.open();
    try {
      vi.spyOn(bridge.journal, 'append').mockImplementation(() => {
        throw new Error('SQLITE_IOERR: disk I/O error');
      });
      const storeVote = (bridge as unknown as { storeVote: StoreVote }).storeVote.bind(bridge);
      const outcome = await storeVote(terminalsOf(config)[0], 'SIM-01', { type: 'VOTE', seq: 1, button: 1, reason: 0, ageMs: 0, flags: '' }, Date.now());
      expect(outcome).toMatchObject({ status: 'failed', code: 'storage' });
      expect(bridge.counterSnapshot()['port-storage-threw']).toBe(1);
    } finally {
      bridge.journal.close();
    }
  });
});
