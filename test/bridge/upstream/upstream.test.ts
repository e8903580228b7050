/**
 * The upstream features inside a running hailong (in-process), with real
 * brokers: kiosk votes reach the hub like button-box votes (the bridge
 * journals what a kiosk publishes on the ward's broker, embedded Aedes
 * here, and forwards every journal row with the kiosk's own ids to the hub,
 * a real Mosquitto); and a hub that refuses the login leaves the office's
 * own vote path untouched.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { HubApp } from '../../../bridge/hub/hub-app.ts';
import { Journal } from '../../../bridge/journal/journal.ts';
import { createPtyFleet } from '../../../bridge/simulator/fleet.ts';
import type { Tally } from '../../../core/tally.ts';
import type { Status } from '../../../core/status.ts';
import type { Vote } from '../../../core/vote.ts';
import { validateConfig } from '../../../bridge/config/validate-config.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { startMosquitto } from '../../helpers/mosquitto.ts';
import { rigConfig, startApp, tempDir, until } from '../bridge-rig.ts';
import { hubConfig } from '../hub/hub-fixtures.ts';
import { KIOSK, KioskPublisher, kioskVote } from '../kiosk/kiosk-publisher.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const PASSWORD = 'kiosk-1-password';
const counted = (t: Tally) => Object.values(t.days).reduce((n, d) => n + d.c.reduce((a, b) => a + b, 0), 0);

describe('kiosk votes forwarded to the hub', () => {
  it('go out with the kiosk’s own ids, each once, with the kiosk’s tally retained on the hub', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const hub = await startMosquitto();
    cleanups.push(() => hub.dispose());
    const archive = await collect(hub.url, 'hailong/v1/#', { clean: false, clientId: 'district-archive' });
    cleanups.push(() => archive.close());
    const r = validateConfig({
      district: { id: KIOSK.district, name: 'Quận Ba Đình' },
      ward: { id: KIOSK.ward, name: 'Phường Phúc Xá' },
      rating: { cooldownMs: 0 },
      counters: [{ id: KIOSK.counter, name: 'Quầy 1', terminals: [{ id: KIOSK.terminal, kind: 'touch', password: PASSWORD }] }],
      serial: { ports: [] },
      broker: { port: 0, host: '127.0.0.1' },
      upstream: { urls: [hub.url] },
      dataDir: tmp.dir,
    });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const { app, url } = await startApp(r.config);
    cleanups.push(() => app.stop());
    await until(() => app.bridge.kioskIntakeReady, 10_000, 'kiosk intake');
    const kiosk = new KioskPublisher(url, { username: KIOSK.terminal, password: PASSWORD });
    cleanups.push(() => kiosk.close());
    for (let seq = 1; seq <= 30; seq++) await kiosk.deliver(kioskVote(seq));
    // A kiosk that missed its PUBACKs sends again: journaled once, forwarded once.
    for (const seq of [4, 30]) await kiosk.deliver(kioskVote(seq));
    const ids = () => archive.json<Vote>('vote').map((v) => v.id);
    await archive.waitFor(() => new Set(ids()).size === 30, 15_000, '30 kiosk votes on the hub');
    expect(new Set(ids())).toEqual(new Set(Array.from({ length: 30 }, (_, i) => `kiosk-1:${i + 1}`)));
    expect(archive.json<Vote>('vote').every((v) => v.source === 'touch')).toBe(true);
    await until(() => app.bridge.journal.forwardQueue.backlog() === 0, 5000, 'every row marked forwarded');
    expect(ids()).toHaveLength(30);
    await archive.waitFor(
      (m) => m.some((x) => /\/kiosk-1\/tally\/\d{4}-\d{2}$/.test(x.topic) && counted(JSON.parse(x.payload) as Tally) === 30),
      10_000,
      'the kiosk’s tally of 30 on the hub',
    );
    // The ward's bridge status on the hub carries the forwarding progress.
    const bridge = archive.json<Status>('status').filter((s) => s.model === 'hailong-bridge');
    expect(bridge.at(-1)?.upstream).toMatchObject({ connected: true });
  });
});

describe('a hub that refuses the login', () => {
  it('leaves the office voting: stored, ACKed and published locally; forwarded once the account is right', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const passwd = join(tmp.dir, 'passwd');
    writeFileSync(passwd, '');
    expect(spawnSync('mosquitto_passwd', ['-b', passwd, 'phuc-xa', 'right'], { encoding: 'utf8' }).status).toBe(0);
    const hub = await startMosquitto({ allowAnonymous: false, extraConfig: `password_file ${passwd}` });
    cleanups.push(() => hub.dispose());
    const fleet = await createPtyFleet(1, { dir: tmp.dir, terminal: { helloIntervalMs: 300, ackTimeoutMs: 300 } });
    cleanups.push(() => fleet.close());
    const office = rigConfig({ boxes: 1, ports: fleet.hostPaths, dataDir: tmp.dir, cooldownMs: 0 });
    const wrong = { ...office, upstream: { urls: [hub.url], username: 'phuc-xa', password: 'wrong' } };
    const { app, url } = await startApp(wrong);
    cleanups.push(() => app.stop());
    const local = await collect(url, 'hailong/v1/+/+/+/+/vote');
    cleanups.push(() => local.close());
    fleet.start();
    await until(() => fleet.terminals[0]?.phase === 'session', 10_000, 'session');
    for (let i = 0; i < 10; i++) fleet.terminals[0]?.press(1 + (i % 3));
    await until(
      () => fleet.terminals[0]?.pending === 0 && (fleet.terminals[0]?.stats.acked ?? 0) >= 10,
      10_000,
      '10 votes ACKed by the ward',
    );
    await local.waitFor((m) => m.length >= 10, 10_000, '10 votes on the ward broker');
    expect(app.bridge.upstream?.link.connected).toBe(false);
    expect(app.bridge.journal.forwardQueue.backlog()).toBe(10);
    await app.stop();
    // The installer fixes the password; the journal's backlog goes to the hub.
    const archive = await collect(hub.url, 'hailong/v1/+/+/+/+/vote', { username: 'phuc-xa', password: 'right' });
    cleanups.push(() => archive.close());
    const fixed = await startApp({ ...office, upstream: { urls: [hub.url], username: 'phuc-xa', password: 'right' } });
    cleanups.push(() => fixed.app.stop());
    await archive.waitFor((m) => new Set(m.map((x) => JSON.parse(x.payload).id)).size === 10, 15_000, '10 votes on the hub');
  });
});

describe('forwarding to the hailong hub (embedded Aedes, archive before PUBACK)', () => {
  it('archives exactly the ward’s journal, and skips rows of another ward instead of having the line closed on them', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const hubDir = join(tmp.dir, 'hub');
    const hub = new HubApp({ config: hubConfig(hubDir), log: pino({ level: 'silent' }), version: 'test' });
    await hub.start();
    cleanups.push(() => hub.stop());
    const hubUrl = hub.endpoints('127.0.0.1').broker!.url;
    const wardDir = join(tmp.dir, 'ward');
    // The ward's journal: votes stored under another ward's id (before a merger), then its own.
    const journal = new Journal({ path: join(wardDir, 'journal.db') });
    journal.open();
    const at = Date.now();
    const path = (ward: string, terminal: string) => ({ district: 'ba-dinh', ward, counter: 'quay-1', terminal });
    for (let s = 1; s <= 3; s++)
      await journal.append({
        uid: 'HL-OLD',
        deviceSeq: s,
        path: path('truc-bach', 'hop-9'),
        level: 'hai-long',
        pressedAt: at,
        receivedAt: at,
        source: 'button',
      });
    for (let s = 1; s <= 50; s++)
      await journal.append({
        uid: 'SIM-01',
        deviceSeq: s,
        path: path('phuc-xa', 'hop-1'),
        level: 'rat-hai-long',
        pressedAt: at + s,
        receivedAt: at + s,
        source: 'button',
      });
    journal.close();
    const office = rigConfig({ boxes: 1, ports: [], dataDir: wardDir });
    const { app } = await startApp({ ...office, upstream: { urls: [hubUrl], username: 'phuc-xa', password: 'pw-phuc-xa' } });
    cleanups.push(() => app.stop());
    await until(() => app.bridge.journal.forwardQueue.backlog() === 0, 15_000, 'the journal forwarded');
    const archived = () => {
      const db = new Database(join(hubDir, 'archive.db'), { readonly: true });
      try {
        return (db.prepare('SELECT unit, id FROM votes ORDER BY unit, id').all() as { unit: string; id: string }[]).map(
          (r) => `${r.unit}/${r.id}`,
        );
      } finally {
        db.close();
      }
    };
    expect(new Set(archived())).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `phuc-xa/hop-1:${i + 1}`)));
    expect(app.bridge.upstream?.forwarder.stats()).toMatchObject({ forwarded: 50, skipped: 3 });
    // One connection throughout: nothing made the hub close the line.
    expect(app.bridge.upstream?.link.connected).toBe(true);
    expect(hub.broker?.stats().publishesRefused ?? 0).toBe(0);
  });
});
