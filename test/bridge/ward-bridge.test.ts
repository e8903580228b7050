import { afterEach, describe, expect, it, vi } from 'vitest';
import { terminalsOf } from '../../bridge/config/hailong-config.ts';
import type { VoteAnswer } from '../../bridge/serial/vote-pipeline.ts';
import type { TerminalSession } from '../../bridge/serial/terminal-session.ts';
import { WardBridge } from '../../bridge/ward-bridge.ts';
import { rigConfig, tempDir, testLog } from './bridge-rig.ts';

const tmp = tempDir();
afterEach(() => tmp.remove());

describe("WardBridge's vote pipeline (issue 13, item 5)", () => {
  for (const where of ['commitBatch', 'highWaterMark'] as const) {
    it(`turns a journal that throws in ${where} (SQLite error) into a failed store, logged and counted, never a rejection`, () => {
      const config = rigConfig({ boxes: 1, ports: [], dataDir: tmp.dir });
      const bridge = new WardBridge({ config, log: testLog, version: 'test', broker: { urls: ['mqtt://127.0.0.1:1'] } });
      bridge.journal.open();
      try {
        vi.spyOn(bridge.journal, where).mockImplementation(() => {
          throw new Error('SQLITE_IOERR: disk I/O error');
        });
        const answers: VoteAnswer[] = [];
        const sink = { settle: (a: readonly VoteAnswer[]) => answers.push(...a) } as unknown as TerminalSession;
        bridge.votes.submit(sink, terminalsOf(config)[0] as never, 'SIM-01', { type: 'VOTE', seq: 1, button: 1, reason: 0, ageMs: 0, flags: '' }, Date.now());
        bridge.votes.flush();
        expect(answers).toEqual([{ seq: 1, outcome: expect.objectContaining({ status: 'failed', code: 'storage' }) }]);
        expect(bridge.counterSnapshot()['port-storage-threw']).toBe(1);
      } finally {
        vi.restoreAllMocks();
        bridge.journal.close();
      }
    });
  }
});
