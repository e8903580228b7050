import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Status, UpstreamProgress } from '../../../core/status.ts';
import { parseMessage, type TopicMessage } from '../../../core/topic-payload.ts';
import { validateConfig } from '../../../bridge/config/validate-config.ts';
import { officeOf } from '../../../bridge/mqtt/retained-state.ts';
import { mirrorSubscriptions, RetainedMirror } from '../../../bridge/upstream/retained-mirror.ts';
import { FakeChannel } from './fake-channel.ts';

const WARD = { district: 'ba-dinh', ward: 'phuc-xa' };
const ROOT = 'hailong/v1/ba-dinh/phuc-xa';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

function msg(topic: string, payload: unknown): TopicMessage {
  const r = parseMessage(topic, JSON.stringify(payload));
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function office() {
  const r = validateConfig({
    district: { id: 'ba-dinh', name: 'Quận Ba Đình' },
    ward: { id: 'phuc-xa', name: 'Phường Phúc Xá' },
    counters: [{ id: 'quay-1', name: 'Quầy 1', terminals: [{ id: 'hop-1', kind: 'button', uid: 'HL-1' }] }],
  });
  if (!r.ok) throw new Error('config');
  return r.config;
}

const status = (state: Status['state'], at: number): Status => ({ v: 1, state, at, kind: 'touch' });
const progress: UpstreamProgress = { connected: true, backlog: 42, votesPerSecond: 7, forwarded: 9 };

function mirror(ch: FakeChannel, draining = false): RetainedMirror {
  const m = new RetainedMirror(
    WARD,
    ch,
    { version: '1.2.3', counters: () => ({ 'votes-stored': 3 }), progress: () => progress, draining: () => draining },
    pino({ level: 'silent' }),
    { delayMs: 10 },
  );
  stops.push(() => m.stop(false));
  return m;
}
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RetainedMirror', () => {
  it('subscribes to the retained kinds of its own ward only', () => {
    expect(mirrorSubscriptions(WARD)).toEqual([`${ROOT}/_office`, `${ROOT}/+/+/config`, `${ROOT}/+/+/status`, `${ROOT}/+/+/tally/+`]);
  });

  it('sends the latest value per topic, retained, coalesced; nothing of other wards, votes or the local bridge status', async () => {
    const ch = new FakeChannel();
    ch.autoAck = true;
    ch.connect();
    const m = mirror(ch);
    m.start();
    await tick(20);
    ch.published.splice(0);
    m.received(msg(`${ROOT}/quay-3/kiosk-3/status`, status('online', 1)));
    m.received(msg(`${ROOT}/quay-3/kiosk-3/status`, status('offline', 2)));
    m.received(msg(`hailong/v1/ba-dinh/other/quay-3/kiosk-3/status`, status('online', 3)));
    m.received(msg(`${ROOT}/_bridge/status`, { v: 1, state: 'online', at: 1 }));
    m.received(
      msg(`${ROOT}/quay-1/hop-1/vote`, {
        v: 1,
        id: 'hop-1:1',
        ...WARD,
        counter: 'quay-1',
        terminal: 'hop-1',
        seq: 1,
        level: 'hai-long',
        pressedAt: 1,
        receivedAt: 1,
        source: 'button',
      }),
    );
    await tick(40);
    expect(ch.published.map((p) => [p.topic, JSON.parse(p.payload).state, p.retain])).toEqual([
      [`${ROOT}/quay-3/kiosk-3/status`, 'offline', true],
    ]);
    // The same value again is not sent again.
    m.received(msg(`${ROOT}/quay-3/kiosk-3/status`, status('offline', 2)));
    await tick(40);
    expect(ch.published).toHaveLength(1);
  });

  it('sends everything again on every connect, and what failed while the hub was away', async () => {
    const ch = new FakeChannel();
    ch.autoAck = true;
    const m = mirror(ch);
    m.start();
    m.received(msg(`${ROOT}/_office`, officeOf(office(), 1)));
    m.received(msg(`${ROOT}/quay-3/kiosk-3/status`, status('online', 1)));
    await tick(30);
    expect(ch.published).toHaveLength(0);
    ch.connect();
    await tick(30);
    const topics = () => ch.published.map((p) => p.topic).sort();
    expect(topics()).toEqual([`${ROOT}/_bridge/status`, `${ROOT}/_office`, `${ROOT}/quay-3/kiosk-3/status`]);
    ch.drop();
    ch.published.splice(0);
    ch.connect();
    await tick(30);
    // A broker may have lost its retained store: all of it again.
    expect(topics()).toEqual([`${ROOT}/_bridge/status`, `${ROOT}/_office`, `${ROOT}/quay-3/kiosk-3/status`]);
    expect(m.size).toBe(2);
  });

  it("makes the ward's bridge status on the hub: online with the hub connection's time and the progress, offline on a clean stop", async () => {
    const ch = new FakeChannel();
    ch.autoAck = true;
    ch.connect();
    const m = mirror(ch);
    m.start();
    await tick(20);
    const online = JSON.parse(ch.published[0]!.payload) as Status;
    expect(ch.published[0]).toMatchObject({ topic: `${ROOT}/_bridge/status`, retain: true });
    expect(online).toEqual({
      v: 1,
      state: 'online',
      at: ch.connectionAt,
      model: 'hailong-bridge',
      firmware: '1.2.3',
      errors: { 'votes-stored': 3 },
      upstream: progress,
    });
    await m.stop(true);
    const last = JSON.parse(ch.published.at(-1)!.payload) as Status;
    expect(last).toMatchObject({ state: 'offline', upstream: progress });
    expect(last.at).toBeGreaterThanOrEqual(online.at);
  });

  it('does not hold the shutdown when the hub never acknowledges the offline status', async () => {
    const ch = new FakeChannel();
    ch.connect();
    const m = mirror(ch);
    m.start();
    const t0 = Date.now();
    await m.stop(true);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(JSON.parse(ch.published.at(-1)!.payload)).toMatchObject({ state: 'offline' });
  });
});
