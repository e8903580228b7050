/**
 * The hub derives and publishes each unit's monthly summary (core/unit-month.ts)
 * from the tallies it archives: real embedded Aedes, real SQLite archive,
 * real mqtt.js clients as a unit's bridge and as the parent dashboard.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HubApp } from '../../../bridge/hub/hub-app.ts';
import type { HubConfig } from '../../../bridge/hub/hub-config.ts';
import type { Tally } from '../../../core/tally.ts';
import { parseUnitMonth, unitMonthOf } from '../../../core/unit-month.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { hubConfig, tally } from './hub-fixtures.ts';
import { unitClient } from './hub-unit-client.ts';

const log = pino({ level: 'silent' });
const NOW = Date.UTC(2026, 10, 20, 5); // 2026-11-20, Vietnam time noon
const DASHBOARD = { username: 'lanh-dao', password: 'pw-lanh-dao' };
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startHub(config: HubConfig): Promise<{ app: HubApp; url: string }> {
  const app = new HubApp({ config, log, version: 'test', now: () => NOW, summaryDelayMs: 20 });
  const states = await app.start();
  expect(Object.fromEntries(states)).toMatchObject({ archive: 'running', broker: 'running' });
  cleanups.push(() => app.stop());
  return { app, url: app.endpoints('127.0.0.1').broker!.url };
}

function freshConfig(overrides: Partial<HubConfig> = {}): HubConfig {
  const dir = mkdtempSync(join(tmpdir(), 'hailong-hub-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return hubConfig(dir, overrides);
}

function terminalTally(month: string, terminal: string, seq: number, days: Tally['days']): Tally {
  return { ...tally('phuc-xa', month, seq), counter: `quay-${terminal.slice(4)}`, terminal, days };
}

const publishTally = (client: mqtt.MqttClient, t: Tally) =>
  client.publishAsync(`hailong/v1/ba-dinh/phuc-xa/${t.counter}/${t.terminal}/tally/${t.month}`, JSON.stringify(t), {
    qos: 1,
    retain: true,
  });

/** The retained summaries a dashboard connecting now receives, by topic. */
async function retainedSummaries(url: string): Promise<Map<string, string>> {
  const c = await collect(url, 'hailong/v1/+/+/_summary/+', DASHBOARD);
  await new Promise((r) => setTimeout(r, 300));
  await c.close();
  return new Map(c.messages.filter((m) => m.retain).map((m) => [m.topic, m.payload]));
}

const DAY_20 = { '20': { c: [1, 2, 0], f: [1, 0] as [number, number], h: { '09': [1, 0, 0], '10': [0, 2, 0] } } };
const DAY_21 = { '21': { c: [0, 0, 1], f: [0, 0] as [number, number], h: { '14': [0, 0, 1] }, r: { 'cho-lau': 1 } } };

describe('unit summaries on the hub', () => {
  it("publishes each unit-month's summary of its archived tallies, retained, and updates it live", async () => {
    const { app, url } = await startHub(freshConfig({ retainMonths: 3 }));
    const unit = await unitClient(url, 'phuc-xa', cleanups);
    const a = terminalTally('2026-11', 'hop-1', 4, DAY_20);
    const b = terminalTally('2026-11', 'hop-2', 1, DAY_21);
    const old = terminalTally('2026-07', 'hop-1', 4, {});
    for (const t of [a, b, old]) await publishTally(unit, t);
    await app.summaries!.flush();
    const first = await retainedSummaries(url);
    // Only months of the retention window get a summary (bounded like the tallies).
    expect([...first.keys()]).toEqual(['hailong/v1/ba-dinh/phuc-xa/_summary/2026-11']);
    const parsed = parseUnitMonth(first.get('hailong/v1/ba-dinh/phuc-xa/_summary/2026-11'));
    expect(parsed).toEqual({ ok: true, value: unitMonthOf({ district: 'ba-dinh', ward: 'phuc-xa', month: '2026-11' }, [a, b]) });
    expect(parsed.ok && parsed.value.days['20']?.c).toEqual([1, 2, 0]);

    // A newer tally of hop-1 (a vote more) reaches a connected dashboard as a new summary.
    const live = await collect(url, 'hailong/v1/+/+/_summary/+', DASHBOARD);
    cleanups.push(() => live.close());
    const a2 = terminalTally('2026-11', 'hop-1', 5, { '20': { ...DAY_20['20'], c: [2, 2, 0], h: { '09': [2, 0, 0], '10': [0, 2, 0] } } });
    await publishTally(unit, a2);
    await live.waitFor(
      (m) => m.some((x) => !x.retain && parseUnitMonth(x.payload).ok && x.payload.includes('"c":[2,2,0]')),
      5000,
      'the updated summary',
    );
    const latest = live.messages.filter((m) => !m.retain).at(-1)!;
    expect(parseUnitMonth(latest.payload)).toEqual({
      ok: true,
      value: unitMonthOf({ district: 'ba-dinh', ward: 'phuc-xa', month: '2026-11' }, [a2, b]),
    });
  });

  it('refuses a summary published by a unit (only the hub derives them), and counts it', async () => {
    const { app, url } = await startHub(freshConfig());
    const dashboard = await collect(url, 'hailong/v1/#', DASHBOARD);
    cleanups.push(() => dashboard.close());
    const unit = await unitClient(url, 'phuc-xa', cleanups);
    const forged = unitMonthOf({ district: 'ba-dinh', ward: 'phuc-xa', month: '2026-11' }, [terminalTally('2026-11', 'hop-1', 4, DAY_20)]);
    await unit.publishAsync('hailong/v1/ba-dinh/phuc-xa/_summary/2026-11', JSON.stringify(forged), { qos: 1, retain: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(dashboard.messages.filter((m) => m.topic.includes('_summary'))).toEqual([]);
    expect(app.counters.snapshot()['phuc-xa']).toEqual({ accepted: 0, refused: { 'hub-only': 1 } });
  });

  it('derives the summaries again from the archive after a restart', async () => {
    const config = freshConfig();
    const first = await startHub(config);
    const unit = await unitClient(first.url, 'phuc-xa', cleanups);
    const t = terminalTally('2026-10', 'hop-1', 4, { '20': DAY_20['20'] });
    await publishTally(unit, t);
    await first.app.summaries!.flush();
    await unit.endAsync(true);
    await first.app.stop();
    const second = await startHub(config);
    const summaries = await retainedSummaries(second.url);
    expect(parseUnitMonth(summaries.get('hailong/v1/ba-dinh/phuc-xa/_summary/2026-10'))).toEqual({
      ok: true,
      value: unitMonthOf({ district: 'ba-dinh', ward: 'phuc-xa', month: '2026-10' }, [t]),
    });
  });
});
