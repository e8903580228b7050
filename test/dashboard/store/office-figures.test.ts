import { describe, expect, it } from 'vitest';
import { publicationFor } from '../../../core/index.ts';
import type { Publication } from '../../../core/index.ts';
import { counterFigure } from '../../../dashboard/src/store/office-figures.ts';
import { DashboardStore } from '../../../dashboard/src/store/store.ts';
import { DISTRICT, MORNING, WARD, officePub, statusPub } from '../fixtures.ts';

const TODAY = '2025-03-03';
const encoder = new TextEncoder();
const counter = `${DISTRICT}/${WARD.id}/quay-1`;

function apply(store: DashboardStore, ...pubs: Publication[]): void {
  for (const p of pubs) expect(store.apply(p.topic, encoder.encode(p.payload)).ok).toBe(true);
}

const bridgePub = (state: 'online' | 'offline', at: number) =>
  publicationFor('bridge-status', { district: DISTRICT, ward: WARD.id }, { v: 1, state, at, model: 'hailong-bridge' });

describe('terminal state on a tile', () => {
  it("shows a button box offline from the moment its bridge's last will fired", () => {
    const store = new DashboardStore();
    const online = statusPub('quay-1', 'q1-a', 'online', MORNING);
    apply(store, officePub(), bridgePub('online', MORNING - 1000), {
      ...online,
      payload: JSON.stringify({ ...JSON.parse(online.payload), kind: 'button' }),
    });
    expect(counterFigure(store, counter, TODAY).terminals.find((t) => t.id === 'q1-a')).toMatchObject({ state: 'online' });
    // kill -9 of the bridge: only its will arrives, with the `at` of the
    // connection it ends (older than the box's status); the box's retained "online" stays.
    apply(store, bridgePub('offline', MORNING - 1000));
    expect(counterFigure(store, counter, TODAY).terminals.find((t) => t.id === 'q1-a')).toEqual({
      key: `${counter}/q1-a`,
      id: 'q1-a',
      state: 'offline',
      since: MORNING - 1000,
    });
    // The bridge is back and says the box is online again, later.
    apply(store, bridgePub('online', MORNING + 90_000), {
      ...online,
      payload: JSON.stringify({ ...JSON.parse(online.payload), kind: 'button', at: MORNING + 91_000 }),
    });
    expect(counterFigure(store, counter, TODAY).terminals.find((t) => t.id === 'q1-a')).toMatchObject({ state: 'online' });
  });

  it('shows a kiosk offline from when its will was noticed, not from when it connected (issue 12: "mất kết nối từ 11:17")', () => {
    const connectedAt = MORNING + 36_000; // 11:17:36 style: the kiosk's online and its will share this `at`
    const wentOffline = MORNING + 88_000; // ≈ 52 s later the network goes
    let now = connectedAt;
    const store = new DashboardStore({ now: () => now });
    const kiosk = (state: 'online' | 'offline') =>
      publicationFor(
        'status',
        { district: DISTRICT, ward: WARD.id, counter: 'quay-1', terminal: 'k-1' },
        { v: 1, state, at: connectedAt, kind: 'touch' },
      );
    apply(store, officePub());
    expect(store.apply(kiosk('online').topic, encoder.encode(kiosk('online').payload), { live: true }).ok).toBe(true);
    now = wentOffline;
    expect(store.apply(kiosk('offline').topic, encoder.encode(kiosk('offline').payload), { live: true }).ok).toBe(true);
    expect(counterFigure(store, counter, TODAY).terminals.find((t) => t.id === 'k-1')).toMatchObject({
      state: 'offline',
      since: wentOffline,
    });
    // The same will again from the retained store (a reconnect): the noticed time stays.
    now = wentOffline + 60_000;
    store.apply(kiosk('offline').topic, encoder.encode(kiosk('offline').payload));
    expect(counterFigure(store, counter, TODAY).terminals.find((t) => t.id === 'k-1')).toMatchObject({
      state: 'offline',
      since: wentOffline,
    });
    // The bridge's stamp (it saw the will first) wins over a later notice.
    const stamped = publicationFor(
      'status',
      { district: DISTRICT, ward: WARD.id, counter: 'quay-1', terminal: 'k-1' },
      { v: 1, state: 'offline', at: connectedAt, kind: 'touch', since: wentOffline - 500 },
    );
    apply(store, stamped);
    expect(counterFigure(store, counter, TODAY).terminals.find((t) => t.id === 'k-1')).toMatchObject({ since: wentOffline - 500 });
  });

  it('flags two devices on one kiosk address (issue 12), not a replaced tablet', () => {
    const kiosk = (terminal: string, uid: string, at: number, errors?: Record<string, number>) =>
      publicationFor(
        'status',
        { district: DISTRICT, ward: WARD.id, counter: 'quay-1', terminal },
        { v: 1, state: 'online', at, kind: 'touch', uid, ...(errors === undefined ? {} : { errors }) },
      );
    const conflictOf = (store: DashboardStore, id: string) =>
      counterFigure(store, counter, TODAY).terminals.find((t) => t.id === id)?.conflict ?? false;
    const store = new DashboardStore();
    apply(store, officePub());
    // Two tablets knock each other off: A, B, A within seconds.
    apply(store, kiosk('k-1', 'kiosk-a', MORNING), kiosk('k-1', 'kiosk-b', MORNING + 1200), kiosk('k-1', 'kiosk-a', MORNING + 2500));
    expect(conflictOf(store, 'k-1')).toBe(true);
    // A tablet replaced by another: A, then B only.
    apply(store, kiosk('k-2', 'kiosk-c', MORNING), kiosk('k-2', 'kiosk-d', MORNING + 60_000));
    expect(conflictOf(store, 'k-2')).toBe(false);
    // A dashboard opened later sees only the retained status: the kiosk that kept the terminal reports it.
    const late = new DashboardStore();
    apply(late, officePub(), kiosk('k-1', 'kiosk-a', MORNING + 2500, { 'duplicate-device': 1 }));
    expect(conflictOf(late, 'k-1')).toBe(true);
  });
});
