/**
 * Revocations across the federation, with real parts (issue 10, "the hub
 * export of a month equals the union of the ward exports"): a hub (`hailong
 * hub`, its own process, embedded Aedes, SQLite archive) and two ward offices
 * (`hailong bridge`, each its own process, journal and broker) with button
 * boxes on socat ptys and, at the first ward, a kiosk; the first ward's WAN
 * line runs through a TCP proxy we cut. Supervisors revoke votes with the
 * real `hailong revoke` command: with the line up, while it is cut, and
 * once just before the ward's bridge is killed -9 (between the revocation
 * and its forwarding). After the line is restored: the hub export of the
 * days voted (a month, unless the run crosses a month end) equals the union of the ward exports byte for byte on the vote
 * columns (0 lost, 0 duplicated, the same revoked set), the hub's tallies
 * equal the wards', its unit summaries leave the revoked votes out, and so
 * does the hub dashboard in Chromium.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Tally } from '../../../core/tally.ts';
import type { UnitMonth } from '../../../core/unit-month.ts';
import { Simulation } from '../../../bridge/simulator/simulation.ts';
import { localDaysOf } from '../../helpers/local-days.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { freePort, waitForPort } from '../../helpers/ports.ts';
import { startTcpProxy } from '../../helpers/tcp-proxy.ts';
import { cleanupsAfterEach } from '../../helpers/cleanups.ts';
import { box, tempDir, until } from '../bridge-rig.ts';
import {
  acked,
  hubDashboard,
  kioskTaps,
  lastVoteDay,
  readRows,
  runHailong,
  spawnHailong,
  stopWith,
  stopWithin,
  waitForDayRanking,
  wardFleet,
  writeWardConfig,
} from './federation-rig.ts';

const WARDS = [
  { id: 'phuc-xa', name: 'Phường Phúc Xá' },
  { id: 'truc-bach', name: 'Phường Trúc Bạch' },
] as const;
const BOXES = 2;
const KIOSK_VOTES = 40;
const cleanups = cleanupsAfterEach();

const tallied = (t: Pick<Tally, 'days'>) => Object.values(t.days).reduce((n, d) => n + d.c.reduce((a, b) => a + b, 0), 0);

describe('revocations across the federation', () => {
  it('revoked at the ward (line up, line cut, kill -9 before forwarding): the hub export of the month equals the union of the ward exports, and the hub figures leave them out', async () => {
    const tmp = tempDir('hailong-federation-revocation-');
    cleanups.push(tmp.remove);
    const { webRoot, browser } = await hubDashboard(tmp.dir, cleanups);

    const hubBroker = await freePort();
    const hubWeb = await freePort();
    const hubConfig = join(tmp.dir, 'hub.yaml');
    writeFileSync(
      hubConfig,
      stringify({
        district: { id: 'ba-dinh', name: 'Quận Ba Đình' },
        units: WARDS.map((w) => ({ id: w.id, name: w.name, kind: 'phường', password: `pw-${w.id}` })),
        broker: { port: hubBroker, host: '127.0.0.1', anonymous: 'read' },
        web: { port: hubWeb, host: '127.0.0.1' },
        dataDir: join(tmp.dir, 'hub'),
      }),
    );
    const hub = spawnHailong(['hub', '--config', hubConfig, '--web-root', webRoot], 'hub');
    cleanups.push(() => stopWith(hub, 'SIGKILL'));
    await waitForPort(hubBroker, 30_000);
    // The first ward's WAN line, which we cut.
    const wan = await startTcpProxy(hubBroker);
    cleanups.push(() => wan.close());

    const wards = await Promise.all(
      WARDS.map(async (w, i) => {
        const dir = join(tmp.dir, w.id);
        const fleet = await wardFleet(dir, BOXES, cleanups);
        const brokerPort = await freePort();
        const config = writeWardConfig({
          dir,
          ...w,
          fleet,
          brokerPort,
          upstreamUrls: [i === 0 ? wan.url : `mqtt://127.0.0.1:${hubBroker}`],
          kiosk: i === 0,
        });
        const ward = {
          ...w,
          fleet,
          config,
          brokerPort,
          journal: join(dir, 'data', 'journal.db'),
          sim: new Simulation({ terminals: fleet.terminals, seed: 300 + i, doublePressProbability: 0 }),
          bridge: spawnHailong(['bridge', '--config', config], w.id),
        };
        cleanups.push(() => stopWith(ward.bridge, 'SIGKILL'));
        fleet.start();
        return ward;
      }),
    );
    const [a, b] = wards as [(typeof wards)[number], (typeof wards)[number]];
    const archive = join(tmp.dir, 'hub', 'archive.db');
    const archived = () => readRows<{ n: number }>(archive, 'SELECT count(*) AS n FROM votes')[0]!.n;
    const revokedAtHub = () => readRows<{ k: string }>(archive, "SELECT unit || '/' || vote AS k FROM revoked_votes").map((r) => r.k);
    /** The ids of a ward's `terminal` votes, oldest first. */
    const idsOf = (w: typeof a, terminal: string) =>
      readRows<{ seq: number }>(w.journal, 'SELECT seq FROM votes WHERE terminal = ? ORDER BY seq', terminal).map(
        (r) => `${terminal}:${r.seq}`,
      );
    const revoke = async (w: typeof a, terminal: string, ids: readonly string[], reason: string) => {
      const r = await runHailong([
        'revoke',
        '--config',
        w.config,
        '--terminal',
        terminal,
        '--ids',
        ids.join(','),
        '--reason',
        reason,
        '--by',
        'Nguyễn Thị Lan',
      ]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain(`Đã thu hồi ${ids.length} phiếu`);
    };

    // 1. Everyone up: boxes and the kiosk vote, everything reaches the hub.
    expect((await Promise.all(wards.map((w) => w.sim.burst(120, { timeoutMs: 120_000 })))).every((x) => x.complete)).toBe(true);
    await kioskTaps(a.id, a.brokerPort, KIOSK_VOTES, { level: (seq) => (seq % 3 === 0 ? 'khong-hai-long' : 'hai-long') });
    await until(() => archived() >= 240 + KIOSK_VOTES, 60_000, 'the first votes in the hub archive');

    // 2. Revoked with the line up: a misused kiosk's votes at the first ward, a box's at the second.
    const kioskIds = idsOf(a, 'kiosk-9');
    await revoke(a, 'kiosk-9', kioskIds.slice(5, 15), 'Tài khoản kiosk bị lộ');
    await revoke(b, box(1).terminal, idsOf(b, box(1).terminal).slice(0, 7), 'Hộp bị bấm phá, có camera ghi lại');
    await until(() => revokedAtHub().length === 17, 30_000, '17 votes revoked at the hub');

    // 3. The first ward's WAN line is cut: it votes on, and a supervisor revokes meanwhile.
    await wan.cut();
    expect((await a.sim.burst(80, { timeoutMs: 60_000 })).complete).toBe(true);
    await revoke(a, box(0).terminal, idsOf(a, box(0).terminal).slice(-20, -10), 'Bấm thử khi bảo trì');
    // 4. …and once more, right before its bridge dies (kill -9 between the revocation and its forwarding).
    await revoke(a, 'kiosk-9', kioskIds.slice(30, 34), 'Phiếu của cán bộ bấm thử');
    await stopWith(a.bridge, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    a.bridge = spawnHailong(['bridge', '--config', a.config], a.id);
    expect((await a.sim.burst(40, { timeoutMs: 60_000 })).complete).toBe(true);
    expect(revokedAtHub()).toHaveLength(17); // nothing of the cut crossed
    await wan.restore();

    // 5. Everything arrives: votes and revocations.
    const wardRevoked = () =>
      wards.flatMap((w) =>
        readRows<{ seq: number; terminal: string }>(
          w.journal,
          'SELECT v.terminal, v.seq FROM revoked_votes r JOIN votes v ON v.id = r.vote',
        ).map((r) => `${w.id}/${r.terminal}:${r.seq}`),
      );
    expect(wardRevoked()).toHaveLength(31);
    const total = 2 * 120 + KIOSK_VOTES + 80 + 40;
    expect(wards.reduce((n, w) => n + acked(w.fleet), 0) + KIOSK_VOTES).toBe(total);
    await until(() => archived() >= total && revokedAtHub().length >= 31, 90_000, `${total} votes and 31 revoked on the hub`);
    expect(new Set(revokedAtHub())).toEqual(new Set(wardRevoked()));
    // Each ward marks its revocations forwarded once the hub's PUBACKs are back (just after the hub's
    // commit), and published once its own broker has them too.
    const unmarked = () =>
      wards.reduce(
        (n, w) =>
          n + readRows<{ n: number }>(w.journal, 'SELECT count(*) AS n FROM revocations WHERE forwarded = 0 OR published = 0')[0]!.n,
        0,
      );
    await until(() => unmarked() === 0, 10_000, 'every revocation marked forwarded and published at its ward');

    // 6. The hub's figures: its tallies are the wards' (folded again without the revoked votes), its
    //    unit summaries count only what the wards count, and so does the hub dashboard (Chromium).
    const counted = (w: typeof a) =>
      readRows<{ n: number }>(
        w.journal,
        'SELECT count(*) AS n FROM votes v WHERE NOT EXISTS (SELECT 1 FROM revoked_votes r WHERE r.vote = v.id)',
      )[0]!.n;
    expect(counted(a) + counted(b)).toBe(total - 31);
    // The Hà Nội days and months the votes were pressed on (the run lasts minutes and may cross a
    // midnight or a month end; test/helpers/local-days.ts).
    const pressed = localDaysOf(
      wards.flatMap((w) => readRows<{ t: number }>(w.journal, 'SELECT pressed_at AS t FROM votes').map((r) => r.t)),
    );
    const hubTallies = () =>
      Object.fromEntries(
        readRows<{ topic: string; payload: string }>(archive, "SELECT topic, payload FROM retained WHERE kind = 'tally'").map((r) => [
          r.topic,
          JSON.parse(r.payload) as Tally,
        ]),
      );
    const wardTallies = () =>
      Object.fromEntries(
        wards.flatMap((w) =>
          readRows<{ payload: string }>(w.journal, 'SELECT payload FROM tallies')
            .map((r) => JSON.parse(r.payload) as Tally)
            .map((t) => [`hailong/v1/ba-dinh/${w.id}/${t.counter}/${t.terminal}/tally/${t.month}`, t] as const),
        ),
      );
    await until(() => isDeepStrictEqual(hubTallies(), wardTallies()), 30_000, "the hub's tallies equal to the wards'");
    expect(Object.values(hubTallies()).reduce((n, t) => n + tallied(t), 0)).toBe(total - 31);
    const summaries = await collect(`mqtt://127.0.0.1:${hubBroker}`, 'hailong/v1/ba-dinh/+/_summary/+');
    cleanups.push(() => summaries.close());
    /** A ward's latest summary of `month`, as tallied. */
    const summarised = (m: readonly { topic: string; payload: string }[], ward: string, month: string) => {
      const s = m
        .filter((x) => x.topic === `hailong/v1/ba-dinh/${ward}/_summary/${month}`)
        .map((x) => JSON.parse(x.payload) as UnitMonth)
        .at(-1);
      return s === undefined ? undefined : tallied(s);
    };
    await summaries.waitFor(
      (m) =>
        WARDS.every((w) => {
          // A month the ward has no vote in has no summary: it adds nothing.
          const sum = pressed.months.reduce((n, month) => n + (summarised(m, w.id, month) ?? 0), 0);
          return sum === counted(w.id === a.id ? a : b);
        }),
      30_000,
      'unit summaries without the revoked votes',
    );
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    // "Hôm nay" is the day of the last vote: the page’s clock starts there (lastVoteDay), however late the run got.
    const last = lastVoteDay(wards.map((w) => w.journal));
    await page.clock.install({ time: last.clockAt });
    await page.goto(`http://127.0.0.1:${hubWeb}/dashboard/?district=ba-dinh&hub=1#/district`);
    await page.click('button:has-text("Hôm nay")');
    await waitForDayRanking(
      page,
      wards.map((w, i) => [w.name, last.counts[i]!] as const),
      'hub summaries',
    );
    await page.close();
    await Promise.all([...wards.map((w) => stopWithin(w.bridge, w.id)), stopWithin(hub, 'hub')]);

    // 7. The exports: the hub's export of the days voted is the union of the wards', byte for byte on
    //    the vote columns (the hub adds the unit's name and the unit it counts for), with the same revoked set.
    const exportLines = async (config: string, out: string) => {
      const r = await runHailong(['export', '--config', config, '--from', pressed.from, '--to', pressed.to, '--out', join(tmp.dir, out)]);
      expect(r.code, r.err).toBe(0);
      return readFileSync(join(tmp.dir, out), 'utf8').split('\r\n').slice(1, -1);
    };
    const wardLines = new Map<string, string>();
    for (const w of wards) {
      for (const line of await exportLines(w.config, `${w.id}.csv`)) {
        const [id, , unit] = line.split(',');
        expect(wardLines.has(`${unit}/${id}`)).toBe(false);
        wardLines.set(`${unit}/${id}`, line);
      }
    }
    expect(wardLines.size).toBe(total);
    const hubLines = await exportLines(hubConfig, 'hub.csv');
    expect(hubLines).toHaveLength(total); // 0 duplicated
    const seen = new Set<string>();
    for (const line of hubLines) {
      const [id, , unit] = line.split(',');
      const key = `${unit}/${id}`;
      const ward = wardLines.get(key);
      expect(ward, `${key} is not in its ward's export`).toBeDefined();
      expect(line.startsWith(`${ward},`), `${key}: hub ${line} ≠ ward ${ward}`).toBe(true);
      seen.add(key);
    }
    expect(seen.size).toBe(wardLines.size); // 0 lost
    const revokedIn = (lines: Iterable<string>) => [...lines].filter((l) => l.includes('thu hồi #')).length;
    expect(revokedIn(hubLines)).toBe(31);
    expect(revokedIn(wardLines.values())).toBe(31);
    // The audit trail crossed too: every revocation, with who and why.
    const audit = await runHailong(['export', '--config', hubConfig, '--revocations', '--out', '-']);
    expect(audit.code, audit.err).toBe(0);
    const auditLines = audit.out.split('\r\n').slice(1, -1);
    expect(auditLines).toHaveLength(4);
    expect(auditLines.every((l) => l.includes('Nguyễn Thị Lan') && l.endsWith(',1/1'))).toBe(true);
    expect(auditLines.filter((l) => l.includes('Tài khoản kiosk bị lộ'))).toHaveLength(1);
  }, 300_000);
});
