import { describe, expect, it } from 'vitest';
import { localParts, publicationFor } from '../../../core/index.ts';
import type { LinkHandlers } from '../../../dashboard/src/mqtt/link.ts';
import { SETTLE_MS, SETTLE_WINDOW_MS, createAppState } from '../../../dashboard/src/state/app-state.ts';
import { DashboardStore } from '../../../dashboard/src/store/store.ts';
import { tally } from '../../bridge/hub/hub-fixtures.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the slow figures after (re)subscribing', () => {
  it('follow the retained burst as soon as it goes quiet, then the live throttle again', async () => {
    let handlers: LinkHandlers | undefined;
    let clock = Date.now();
    const storage = new Map<string, string>();
    const app = createAppState({
      store: new DashboardStore(),
      connect: (_options, h) => {
        handlers = h;
        return { close() {} };
      },
      storage: {
        getItem: (k) => storage.get(k) ?? null,
        setItem: (k, v) => void storage.set(k, v),
        removeItem: (k) => void storage.delete(k),
      },
      location: { protocol: 'http:', host: 'hub.local:8080', search: '?district=ba-dinh&hub=1', hash: '#/district' },
      throttleMs: 1000,
      now: () => clock,
    });
    await app.start();
    try {
      handlers!.onState('connecting');
      handlers!.onState('online');
      // The Hà Nội month of the app's clock (the UTC month differs from 17:00 UTC on a month's last day).
      const month = localParts(clock).monthKey;
      const enc = new TextEncoder();
      const send = (seq: number) => {
        const p = publicationFor('tally', tally('phuc-xa', month, seq), tally('phuc-xa', month, seq));
        handlers!.onMessage(p.topic, enc.encode(p.payload), true);
      };
      const before = app.slowRev.value;
      for (let i = 1; i <= 20; i++) send(i);
      await wait(SETTLE_MS + 150);
      // Well before the live throttle (5 × 1000 ms).
      expect(app.slowRev.value).toBe(before + 1);
      // A second burst (the next filter's retained messages) is folded as quickly.
      for (let i = 21; i <= 30; i++) send(i);
      await wait(SETTLE_MS + 150);
      expect(app.slowRev.value).toBe(before + 2);
      // Past the window a live message waits for the throttle.
      clock += SETTLE_WINDOW_MS;
      send(31);
      await wait(SETTLE_MS + 150);
      expect(app.slowRev.value).toBe(before + 2);
    } finally {
      app.stop();
    }
  });
});
