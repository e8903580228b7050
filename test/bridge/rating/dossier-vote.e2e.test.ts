/**
 * Issue 15, item 1: votes tied to the dossier, end to end. A desk publishes
 * `_served` with a dossier code (mã hồ sơ) on the embedded broker; the
 * button box (a virtual terminal on a socat pty) votes in that window and
 * carries the code; the kiosk votes for the same dossier and stage (a code
 * read from the receipt): one counted, one kept, flagged `dossier` and left
 * out of the tally. Votes without a dossier stay valid, and the rule holds
 * across a bridge restart (it is read from the journal, not from memory).
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { topicFor } from '../../../core/topic.ts';
import type { Tally } from '../../../core/tally.ts';
import type { Vote } from '../../../core/vote.ts';
import { createPtyFleet } from '../../../bridge/simulator/fleet.ts';
import { localDaysOf } from '../../helpers/local-days.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { startApp, tempDir, until } from '../bridge-rig.ts';
import { validateConfig } from '../../../bridge/config/validate-config.ts';
import type { HailongConfig } from '../../../bridge/config/hailong-config.ts';
import { KIOSK, KioskPublisher, kioskVote } from '../kiosk/kiosk-publisher.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const KIOSK_PASSWORD = 'kiosk-1-password';
const DESK = { username: 'desk-1', password: 'desk-1-password' };

/** One counter (open mode) with a kiosk and a box, and a desk login for `_served`. */
function officeConfig(dataDir: string, boxPort: string): HailongConfig {
  const r = validateConfig({
    district: { id: KIOSK.district, name: 'Quận Ba Đình' },
    ward: { id: KIOSK.ward, name: 'Phường Phúc Xá' },
    rating: { cooldownMs: 0, windowMs: 30_000 },
    counters: [
      {
        id: KIOSK.counter,
        name: 'Quầy 1',
        terminals: [
          { id: KIOSK.terminal, kind: 'touch', password: KIOSK_PASSWORD },
          { id: 'hop-1', kind: 'button', uid: 'SIM-01' },
        ],
      },
    ],
    serial: { ports: [boxPort], scanIntervalMs: 200 },
    mqtt: { urls: [] },
    broker: { port: 0, host: '127.0.0.1', anonymous: 'read', users: [{ ...DESK, role: 'desk' }] },
    dataDir,
  });
  if (!r.ok) throw new Error(`rig config invalid: ${JSON.stringify(r.problems)}`);
  return r.config;
}

const DOSSIER = '000.00.12.H26-261206-0042';
const FAST = { helloIntervalMs: 300, ackTimeoutMs: 300, maxAckTimeoutMs: 1000 };
const votesOf = (app: { bridge: { journal: { votesPressedBetween(a: number, b: number): Iterable<string> } } }): Vote[] =>
  [...app.bridge.journal.votesPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((p) => JSON.parse(p) as Vote);

describe('one vote per dossier and stage, whatever the terminal (issue 15)', () => {
  it('box vote in the desk’s window carries the dossier; the kiosk’s vote for it is kept, flagged and left out; votes without a dossier count', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const fleet = await createPtyFleet(1, { dir: tmp.dir, terminal: FAST });
    cleanups.push(() => fleet.close());
    const config = officeConfig(tmp.dir, fleet.hostPaths[0]!);
    let { app, url } = await startApp(config);
    cleanups.push(() => app.stop());
    await until(() => app.bridge.kioskIntakeReady, 10_000, 'the kiosk vote subscription');
    const box = fleet.terminals[0]!;
    const acks: string[] = [];
    box.on('acked', (a) => acks.push(a.status));
    fleet.start();
    await until(() => box.phase === 'session', 10_000, 'the box in session');

    // The desk ends the service of dossier DOSSIER at tiếp nhận.
    const desk = await mqtt.connectAsync(url, { ...DESK, clientId: 'desk-test', reconnectPeriod: 0 });
    cleanups.push(() => desk.endAsync());
    const at = Date.now();
    await desk.publishAsync(
      topicFor('served', KIOSK),
      JSON.stringify({ v: 1, at, officer: 'can-bo-lan', dossier: DOSSIER, stage: 'tiep-nhan' }),
      { qos: 1 },
    );
    await until(() => app.bridge.journal.dossiers.served(0, Number.MAX_SAFE_INTEGER).length === 1, 10_000, 'the served dossier recorded');

    box.press(1);
    await until(() => acks.length === 1, 10_000, 'the box vote acknowledged');
    const kiosk = new KioskPublisher(url, { username: KIOSK.terminal, password: KIOSK_PASSWORD });
    cleanups.push(() => kiosk.close());
    await kiosk.deliver(kioskVote(1, { level: 'khong-hai-long', dossier: DOSSIER, stage: 'tiep-nhan' }));
    // Same dossier at the other stage is its own rating; a vote without a dossier stays valid.
    await kiosk.deliver(kioskVote(2, { level: 'hai-long', dossier: DOSSIER, stage: 'tra-ket-qua' }));
    await kiosk.deliver(kioskVote(3, { level: 'hai-long' }));
    await until(() => app.bridge.journal.voteCount() === 4, 10_000, 'four journaled votes');

    const votes = votesOf(app);
    const boxVote = votes.find((v) => v.source === 'button')!;
    expect(boxVote).toMatchObject({ dossier: DOSSIER, stage: 'tiep-nhan', officer: 'can-bo-lan' });
    expect(boxVote.filtered).toBeUndefined();
    expect(votes.find((v) => v.id === 'kiosk-1:1')).toMatchObject({ dossier: DOSSIER, stage: 'tiep-nhan', filtered: 'dossier' });
    expect(votes.find((v) => v.id === 'kiosk-1:2')?.filtered).toBeUndefined();
    expect(votes.find((v) => v.id === 'kiosk-1:3')).not.toHaveProperty('filtered');
    expect(votes.find((v) => v.id === 'kiosk-1:3')).not.toHaveProperty('dossier');

    // The flagged kiosk vote is left out of the kiosk's retained tally (1 of 3 counted: kiosk-1:2, kiosk-1:3).
    const sub = await collect(url, 'hailong/v1/#');
    cleanups.push(() => sub.close());
    // The Hà Nội months the kiosk's votes were pressed in (a month may end meanwhile), each one's latest tally.
    const months = localDaysOf(votes.filter((v) => v.terminal === KIOSK.terminal).map((v) => v.pressedAt)).months;
    const tallyTopics = months.map((month) => topicFor('tally', { ...KIOSK, month }));
    await sub.waitFor((m) => tallyTopics.every((topic) => m.some((x) => x.topic === topic)), 10_000, 'the kiosk tally');
    const days = tallyTopics.flatMap((topic) =>
      Object.values((JSON.parse(sub.messages.filter((x) => x.topic === topic).at(-1)!.payload) as Tally).days),
    );
    expect(days.reduce((n, d) => n + d.c.reduce((a, b) => a + b, 0), 0)).toBe(2);
    expect(days.reduce((n, d) => n + d.f[1], 0)).toBe(1);

    // After a restart the journal still knows the dossier was rated.
    await sub.close();
    await kiosk.close();
    await desk.endAsync();
    await app.stop();
    ({ app, url } = await startApp(config));
    cleanups.push(() => app.stop());
    await until(() => app.bridge.kioskIntakeReady, 10_000, 'the kiosk vote subscription after restart');
    const again = new KioskPublisher(url, { username: KIOSK.terminal, password: KIOSK_PASSWORD });
    cleanups.push(() => again.close());
    await again.deliver(kioskVote(4, { dossier: DOSSIER, stage: 'tra-ket-qua' }));
    await until(() => app.bridge.journal.voteCount() === 5, 10_000, 'the fifth vote');
    expect(votesOf(app).find((v) => v.id === 'kiosk-1:4')?.filtered).toBe('dossier');
  });
});
