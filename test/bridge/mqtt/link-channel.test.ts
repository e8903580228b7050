/**
 * The ward publishes its revocations on its own broker too (issue 10: "published by
 * the ward at QoS 1"), through the revocation forwarder over `linkChannel`, with the
 * journal's `published` mark set only on the broker's PUBACK: the bridge in-process
 * with its real embedded Aedes and a real subscriber.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage } from '../../../core/topic-payload.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { rigConfig, startApp, tempDir, until } from '../bridge-rig.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("revocations on the ward's own broker", () => {
  it('are published at QoS 1 on the ward topic and marked published on the PUBACK', async () => {
    const tmp = tempDir('hailong-link-channel-');
    cleanups.push(tmp.remove);
    const config = rigConfig({ boxes: 1, ports: [], dataDir: join(tmp.dir, 'data') });
    const { app, url } = await startApp(config);
    cleanups.push(() => app.stop());
    const journal = app.bridge.journal;
    const T0 = Date.now() - 60_000;
    await Promise.all(
      [1, 2, 3].map((seq) =>
        journal.append({
          uid: 'SIM-01',
          deviceSeq: seq,
          path: { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'hop-1' },
          level: 'hai-long',
          pressedAt: T0 + seq,
          receivedAt: T0 + seq,
          source: 'button',
        }),
      ),
    );
    const seen = await collect(url, 'hailong/v1/ba-dinh/phuc-xa/_revocation', { clean: false, clientId: 'revocation-watcher' });
    cleanups.push(() => seen.close());
    const { revocation } = journal.revoke({ terminal: 'hop-1', ids: ['hop-1:2'], reason: 'Bấm thử', by: 'Lê Văn Cường', at: Date.now() });
    await seen.waitFor((m) => m.length === 1, 10_000, 'the revocation on the ward broker');
    const parsed = parseMessage(seen.messages[0]!.topic, seen.messages[0]!.payload);
    expect(parsed).toMatchObject({
      ok: true,
      value: { kind: 'revocation', payload: { id: revocation.id, votes: ['hop-1:2'], by: 'Lê Văn Cường' } },
    });
    expect(seen.messages[0]!.retain).toBe(false);
    await until(() => journal.revocationTable.backlog('published') === 0, 5000, 'the published mark');
    // No upstream in this config: the hub's mark stays unset, waiting for one.
    expect(journal.revocationTable.backlog('forwarded')).toBe(1);
  });
});
