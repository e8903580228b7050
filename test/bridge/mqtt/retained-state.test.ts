import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { terminalsOf } from '../../../bridge/config/hailong-config.ts';
import { Journal } from '../../../bridge/journal/journal.ts';
import { MqttLink } from '../../../bridge/mqtt/mqtt-link.ts';
import { RetainedState } from '../../../bridge/mqtt/retained-state.ts';
import { rigConfig, tempDir } from '../bridge-rig.ts';

describe('RetainedState failures (issue 13, item 9)', () => {
  it('logs a retained publish that failed at warn and counts it, instead of at debug only', async () => {
    const tmp = tempDir();
    try {
      const config = rigConfig({ boxes: 1, ports: [], dataDir: tmp.dir });
      const lines: { level: number; msg: string; what?: string }[] = [];
      const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
      // A real link that was never started: every publish fails ("not connected").
      const link = new MqttLink({ urls: ['mqtt://127.0.0.1:1'], clientId: 'test', log });
      const retained = new RetainedState(config, new Journal({ path: `${tmp.dir}/j.db`, log }), link, log, () => ({}), 'test');
      const terminal = terminalsOf(config)[0]!;
      retained.terminalStatus(terminal, { v: 1, state: 'online', at: Date.now(), kind: 'button' });
      await retained.publishOffline();
      expect(retained.stats().failed).toBe(2);
      const warnings = lines.filter((l) => l.level === 40);
      expect(warnings).toHaveLength(1); // the first in full, then every 100th
      expect(warnings[0]).toMatchObject({ what: 'status', count: 1 });
      expect(warnings[0]!.msg).toMatch(/not published/);
    } finally {
      tmp.remove();
    }
  });
});
