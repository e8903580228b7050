/**
 * The hub in-process with its real embedded Aedes broker, its real SQLite
 * archive and real mqtt.js clients as the units' bridges and a dashboard:
 * the archive commit sits before PUBACK, redeliveries are stored once, the
 * ACL keeps each unit in its own subtree, bad input is counted and refused
 * without affecting anything else, and retained state is bounded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HubApp } from '../../../bridge/hub/hub-app.ts';
import type { HubConfig } from '../../../bridge/hub/hub-config.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { hubConfig, tally, vote, voteTopic } from './hub-fixtures.ts';
import { unitClient } from './hub-unit-client.ts';

const log = pino({ level: 'silent' });
const NOW = Date.UTC(2026, 10, 20, 5); // 2026-11-20, Vietnam time noon
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startHub(config?: HubConfig): Promise<{ app: HubApp; url: string; dir: string }> {
  const dir = config?.dataDir ?? mkdtempSync(join(tmpdir(), 'hailong-hub-'));
  const app = new HubApp({ config: config ?? hubConfig(dir), log, version: 'test', now: () => NOW, webRoot: dir });
  const states = await app.start();
  expect(Object.fromEntries(states)).toMatchObject({ archive: 'running', broker: 'running' });
  cleanups.push(() => app.stop());
  if (config === undefined) cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { app, url: app.endpoints('127.0.0.1').broker!.url, dir };
}

/** Votes in the archive file, read through a connection of its own (what is on disk, not in memory). */
function archivedKeys(dir: string): string[] {
  const db = new Database(join(dir, 'archive.db'), { readonly: true });
  try {
    return (db.prepare('SELECT unit, id FROM votes ORDER BY unit, id').all() as { unit: string; id: string }[]).map(
      (r) => `${r.unit}/${r.id}`,
    );
  } finally {
    db.close();
  }
}

describe('the hub archive on the embedded broker', () => {
  it('has a vote on disk when the unit gets its PUBACK, and stores a redelivery once', async () => {
    const { url, dir } = await startHub();
    const phucXa = await unitClient(url, 'phuc-xa', cleanups);
    const v = vote('phuc-xa', 1);
    await phucXa.publishAsync(voteTopic(v), JSON.stringify(v), { qos: 1 });
    // PUBACK received: the row must already be committed.
    expect(archivedKeys(dir)).toEqual(['phuc-xa/hop-1:1']);
    await phucXa.publishAsync(voteTopic(v), JSON.stringify(v), { qos: 1, dup: true });
    const burst = Array.from({ length: 500 }, (_, i) => vote('phuc-xa', i + 2));
    await Promise.all(burst.map((b) => phucXa.publishAsync(voteTopic(b), JSON.stringify(b), { qos: 1 })));
    const keys = archivedKeys(dir);
    expect(keys).toHaveLength(501);
    expect(new Set(keys).size).toBe(501);
  });

  it('refuses a unit publishing under another unit, and archives nothing of it', async () => {
    const { app, url, dir } = await startHub();
    const phucXa = await unitClient(url, 'phuc-xa', cleanups);
    const forged = vote('truc-bach', 1);
    const closed = new Promise<void>((done) => phucXa.once('close', () => done()));
    phucXa.publish(voteTopic(forged), JSON.stringify(forged), { qos: 1 });
    phucXa.publish('hailong/v1/ba-dinh/truc-bach/quay-1/hop-1/tally/2026-11', JSON.stringify(tally('truc-bach', '2026-11')), {
      qos: 1,
      retain: true,
    });
    await closed;
    expect(archivedKeys(dir)).toEqual([]);
    expect(app.broker!.stats().publishesRefused).toBeGreaterThanOrEqual(1);
  });

  it("does not let a unit read another unit's votes", async () => {
    const { url } = await startHub();
    const spy = await unitClient(url, 'phuc-xa', cleanups);
    await expect(spy.subscribeAsync('hailong/v1/ba-dinh/truc-bach/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    const seen: string[] = [];
    spy.on('message', (t) => seen.push(t));
    await spy.subscribeAsync('hailong/v1/#', { qos: 1 }); // accepted, but filtered per topic
    const truc = await unitClient(url, 'truc-bach', cleanups);
    const v = vote('truc-bach', 1);
    await truc.publishAsync(voteTopic(v), JSON.stringify(v), { qos: 1 });
    const own = vote('phuc-xa', 1);
    await spy.publishAsync(voteTopic(own), JSON.stringify(own), { qos: 1 });
    // Its own vote comes back after the other's was routed (or refused): then a while longer for any stray.
    for (const by = Date.now() + 10_000; !seen.includes(voteTopic(own)) && Date.now() < by; ) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.filter((t) => t.endsWith('/vote'))).toEqual([voteTopic(own)]);
    expect(seen.filter((t) => t.includes('/truc-bach/'))).toEqual([]);
  });

  it('counts and refuses malformed and foreign payloads without affecting the next vote', async () => {
    const { app, url, dir } = await startHub();
    const dashboard = await collect(url, 'hailong/v1/#', { username: 'lanh-dao', password: 'pw-lanh-dao' });
    cleanups.push(() => dashboard.close());
    const phucXa = await unitClient(url, 'phuc-xa', cleanups);
    const topic = voteTopic(vote('phuc-xa', 1));
    const otherTerminal = { ...vote('phuc-xa', 2), terminal: 'hop-9', id: 'hop-9:2' };
    const bad = [
      '{not json',
      JSON.stringify({ v: 1 }),
      JSON.stringify(otherTerminal),
      '\u0000'.repeat(10),
      JSON.stringify(vote('phuc-xa', 3)).replace('"hai-long"', '42'),
    ];
    for (const p of bad) await phucXa.publishAsync(topic, p, { qos: 1 });
    // The connection survived (every bad message was acknowledged) and a good vote still goes through.
    const good = vote('phuc-xa', 4);
    await phucXa.publishAsync(voteTopic(good), JSON.stringify(good), { qos: 1 });
    await dashboard.waitFor((m) => m.some((x) => x.payload.includes('"hop-1:4"')), 5000, 'the good vote');
    expect(dashboard.messages.filter((m) => !m.topic.endsWith('/_office')).map((m) => m.payload)).toEqual([JSON.stringify(good)]);
    expect(archivedKeys(dir)).toEqual(['phuc-xa/hop-1:4']);
    expect(app.counters.snapshot()['phuc-xa']).toEqual({
      accepted: 1,
      refused: { 'bad-json': 2, 'missing-field': 1, 'bad-type': 1, 'topic-mismatch': 1 },
    });
    expect(app.archive.refusedCount()).toBe(5);
    // The same counters, where a supervisor sees them: GET /hub/status on the hub's web port.
    const status = (await (await fetch(`http://127.0.0.1:${app.endpoints().web!.port}/hub/status`)).json()) as ReturnType<HubApp['status']>;
    expect(status.units['phuc-xa']).toEqual({
      accepted: 1,
      refused: { 'bad-json': 2, 'missing-field': 1, 'bad-type': 1, 'topic-mismatch': 1 },
    });
    expect(status.archive).toMatchObject({ votes: 1, refusedKept: 5, refused: 5 });
  });
});

describe('retained state', () => {
  it('keeps only the months of the retention window retained, and restores them after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hailong-hub-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = hubConfig(dir, { retainMonths: 3 });
    const first = await startHub(config);
    const phucXa = await unitClient(first.url, 'phuc-xa', cleanups);
    for (const month of ['2026-07', '2026-08', '2026-09', '2026-10', '2026-11']) {
      await phucXa.publishAsync(`hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/tally/${month}`, JSON.stringify(tally('phuc-xa', month)), {
        qos: 1,
        retain: true,
      });
    }
    const monthsOn = async (url: string) => {
      const c = await collect(url, 'hailong/v1/+/+/+/+/tally/+', { username: 'lanh-dao', password: 'pw-lanh-dao' });
      await new Promise((r) => setTimeout(r, 300));
      await c.close();
      return c.messages
        .filter((m) => m.retain)
        .map((m) => m.topic.split('/').at(-1))
        .sort();
    };
    expect(await monthsOn(first.url)).toEqual(['2026-09', '2026-10', '2026-11']);
    await phucXa.endAsync(true);
    await first.app.stop();
    // A fresh broker (Aedes keeps retained messages in memory) gets them back from the archive.
    const second = await startHub(config);
    expect(await monthsOn(second.url)).toEqual(['2026-09', '2026-10', '2026-11']);
    expect(
      second.app.archive
        .retained()
        .map((r) => r.month)
        .sort(),
    ).toEqual(['2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
  });
});

describe('retained state after three years', () => {
  it('stays bounded: a unit of 10 counters leaves 155 retained messages on the hub instead of 372', async () => {
    const { app, url } = await startHub();
    const unit = await unitClient(url, 'phuc-xa', cleanups);
    // 36 months up to 2026-11 (NOW), one box per counter: what a ward's bridge mirrors after three years.
    const months = Array.from({ length: 36 }, (_, i) => {
      const m = 2023 * 12 + 11 + i; // 2023-12 … 2026-11
      return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
    });
    let published = 0;
    const pubs: Promise<unknown>[] = [];
    for (let c = 1; c <= 10; c++) {
      const path = `hailong/v1/ba-dinh/phuc-xa/quay-${c}/hop-${c}`;
      for (const month of months) {
        const t = { ...tally('phuc-xa', month), counter: `quay-${c}`, terminal: `hop-${c}` };
        pubs.push(unit.publishAsync(`${path}/tally/${month}`, JSON.stringify(t), { qos: 1, retain: true }));
      }
      pubs.push(unit.publishAsync(`${path}/status`, JSON.stringify({ v: 1, state: 'online', at: NOW }), { qos: 1, retain: true }));
      published += months.length + 1;
    }
    pubs.push(
      unit.publishAsync('hailong/v1/ba-dinh/phuc-xa/_bridge/status', JSON.stringify({ v: 1, state: 'online', at: NOW }), {
        qos: 1,
        retain: true,
      }),
    );
    const office = {
      v: 1,
      district: 'ba-dinh',
      ward: 'phuc-xa',
      districtName: 'x',
      wardName: 'x',
      scale: 'scale-3',
      target: 80,
      openingHours: {},
      counters: [],
      updatedAt: NOW,
    };
    pubs.push(unit.publishAsync('hailong/v1/ba-dinh/phuc-xa/_office', JSON.stringify(office), { qos: 1, retain: true }));
    published += 2;
    await Promise.all(pubs);
    expect(published).toBe(372);
    await app.summaries!.flush();
    const late = await collect(url, 'hailong/v1/ba-dinh/phuc-xa/#', { username: 'lanh-dao', password: 'pw-lanh-dao' });
    cleanups.push(() => late.close());
    // 13 months × 10 tallies, 10 statuses, bridge status and office, and the hub's 13 unit summaries.
    const bounded = 10 * 13 + 10 + 2 + 13;
    // Wait for them (a fixed 500 ms was too short on a loaded machine), then a while longer for any beyond the bound.
    await late.waitFor((m) => m.filter((x) => x.retain).length >= bounded, 30_000, `${bounded} retained messages`);
    await new Promise((r) => setTimeout(r, 1_000));
    const retained = late.messages.filter((m) => m.retain);
    expect(retained).toHaveLength(bounded);
    expect(retained.filter((m) => m.topic.includes('/_summary/'))).toHaveLength(13);
    expect(new Set(retained.filter((m) => m.topic.includes('/tally/')).map((m) => m.topic.split('/').at(-1))).size).toBe(13);
  });
});

describe('names from the hub config', () => {
  it("renames a unit's office as the hub names it, and lists units never heard from", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hailong-hub-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = hubConfig(dir, { parent: { level: 'province', id: 'ba-dinh', name: 'Tỉnh Gia Lai' } });
    const { url } = await startHub(config);
    const phucXa = await unitClient(url, 'phuc-xa', cleanups);
    const office = {
      v: 1,
      district: 'ba-dinh',
      ward: 'phuc-xa',
      districtName: 'Quận Ba Đình',
      wardName: 'Phường Phúc Xá (cũ)',
      scale: 'scale-3',
      target: 70,
      openingHours: { mon: [['07:30', '11:30']] },
      counters: [{ id: 'quay-1', name: 'Quầy 1', terminals: [{ id: 'hop-1', kind: 'button' }] }],
      updatedAt: NOW,
    };
    await phucXa.publishAsync('hailong/v1/ba-dinh/phuc-xa/_office', JSON.stringify(office), { qos: 1, retain: true });
    const dashboard = await collect(url, 'hailong/v1/+/+/_office', { username: 'lanh-dao', password: 'pw-lanh-dao' });
    cleanups.push(() => dashboard.close());
    await dashboard.waitFor((m) => m.length === 3, 5000, 'three offices');
    const byWard = Object.fromEntries(dashboard.json<typeof office>('_office').map((o) => [o.ward, o]));
    expect(byWard['phuc-xa']).toMatchObject({
      districtName: 'Tỉnh Gia Lai',
      wardName: 'Phường phuc-xa',
      target: 80,
      counters: office.counters,
    });
    expect(byWard['truc-bach']).toMatchObject({ districtName: 'Tỉnh Gia Lai', wardName: 'Phường truc-bach', counters: [], updatedAt: 0 });
    expect(Object.keys(byWard).sort()).toEqual(['lieu-giai', 'phuc-xa', 'truc-bach']);
  });
});
