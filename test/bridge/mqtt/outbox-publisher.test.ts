import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HailongApp } from '../../../bridge/hailong-app.ts';
import { collect, type Collector } from '../../helpers/mqtt-collector.ts';
import { rigConfig, startApp, tempDir, until } from '../bridge-rig.ts';

let app: HailongApp | undefined;
let sub: Collector | undefined;
const tmp = tempDir();
afterEach(async () => {
  await sub?.close();
  await app?.stop();
  tmp.remove();
});

describe('OutboxPublisher journal failures (issue 13, item 5)', () => {
  it('a SQLite error while reading the outbox is logged, counted and retried: the bridge stays up and the vote goes out', async () => {
    const started = await startApp(rigConfig({ boxes: 1, ports: [], dataDir: tmp.dir }));
    app = started.app;
    const bridge = app.bridge;
    await until(() => bridge.link.connected, 10_000, 'the bridge connected');
    sub = await collect(started.url, 'hailong/v1/+/+/+/+/vote');
    // Inject the failure at the journal seam: its next two outbox reads throw, as SQLite does on an I/O error.
    const journal = bridge.journal;
    const real = journal.outbox.bind(journal);
    let failures = 2;
    vi.spyOn(journal, 'outbox').mockImplementation((after, limit) => {
      if (failures-- > 0) throw new Error('SQLITE_IOERR: disk I/O error');
      return real(after, limit);
    });
    const out = await journal.append({
      uid: 'SIM-01', deviceSeq: 1, path: { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'hop-1' },
      level: 'hai-long', pressedAt: Date.now(), receivedAt: Date.now(), source: 'button',
    });
    expect(out.status).toBe('stored');
    bridge.outbox.wake(); // before the fix: the thrown SQLite error escaped setImmediate and killed the process
    await sub.waitFor((m) => m.length === 1, 10_000, 'the vote published after the retries');
    expect(bridge.outbox.stats().journalErrors).toBe(2);
    expect(bridge.counterSnapshot()['outbox-journal-errors']).toBe(2);
    await until(() => journal.outboxSize() === 0, 5000, 'the vote marked published');
  });
});
