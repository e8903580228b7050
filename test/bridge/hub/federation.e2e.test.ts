/**
 * The federation with real parts: a hub (`hailong hub`, its own process with
 * the embedded Aedes and the SQLite archive) and three ward offices
 * (`hailong bridge`, each its own process, journal and broker), their button
 * boxes on socat ptys speaking the real protocol, forwarding over their
 * `upstream:` links. One ward's bridge and later the hub are killed -9 in
 * the middle of bursts and restarted (for the hub: a WAN outage seen from
 * every ward). Afterwards the hub archive holds exactly the union of the
 * ward journals (0 lost, 0 duplicated), and the hub dashboard in Chromium
 * shows, per ward, what that ward's journal holds. The 60 s WAN cut through
 * a dropping TCP proxy is test/bridge/upstream/upstream-forwarding.e2e.test.ts
 * (one such test keeps CI short).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Simulation } from '../../../bridge/simulator/simulation.ts';
import { freePort, waitForPort } from '../../helpers/ports.ts';
import { cleanupsAfterEach } from '../../helpers/cleanups.ts';
import { tempDir, until } from '../bridge-rig.ts';
import {
  acked,
  archiveKeys,
  hubDashboard,
  journalKeys,
  kioskTaps,
  lastVoteDay,
  readRows,
  spawnHailong,
  stopWith,
  stopWithin,
  waitForDayRanking,
  wardFleet,
  writeWardConfig,
} from './federation-rig.ts';

const WARDS = ['phuc-xa', 'truc-bach', 'lieu-giai'] as const;
const NAMES = ['Phường Phúc Xá', 'Phường Trúc Bạch', 'Phường Liễu Giai'] as const;
const BOXES = 2;
const KIOSK_VOTES = 100;
const cleanups = cleanupsAfterEach();

describe('a district hub and three ward offices', () => {
  it('kill -9 of a ward bridge and of the hub mid-stream: the archive is exactly the union of the journals, and the hub dashboard shows each ward', async () => {
    const tmp = tempDir('hailong-federation-');
    cleanups.push(tmp.remove);
    const { webRoot, browser } = await hubDashboard(tmp.dir, cleanups);

    // The hub: embedded broker for the units, read-only for anonymous dashboards on this PC.
    const hubBroker = await freePort();
    const hubWeb = await freePort();
    const hubConfig = join(tmp.dir, 'hub.yaml');
    writeFileSync(
      hubConfig,
      stringify({
        district: { id: 'ba-dinh', name: 'Quận Ba Đình' },
        units: WARDS.map((id, i) => ({
          id,
          name: NAMES[i],
          kind: 'phường',
          password: `pw-${id}`,
        })),
        broker: { port: hubBroker, host: '127.0.0.1', anonymous: 'read' },
        web: { port: hubWeb, host: '127.0.0.1' },
        dataDir: join(tmp.dir, 'hub'),
      }),
    );
    const startHub = async () => {
      const child = spawnHailong(['hub', '--config', hubConfig, '--web-root', webRoot], 'hub');
      await waitForPort(hubBroker, 30_000);
      return child;
    };
    let hub = await startHub();
    cleanups.push(() => stopWith(hub, 'SIGKILL'));

    // Three ward offices, each with its own boxes, journal and broker.
    const wards = await Promise.all(
      WARDS.map(async (id, w) => {
        const dir = join(tmp.dir, id);
        const fleet = await wardFleet(dir, BOXES, cleanups);
        const brokerPort = await freePort();
        // The first ward also has a kiosk (a touchscreen on the LAN, publishing to the ward's broker).
        const config = writeWardConfig({
          dir,
          id,
          name: id,
          fleet,
          brokerPort,
          upstreamUrls: [`mqtt://127.0.0.1:${hubBroker}`],
          kiosk: w === 0,
        });
        const ward = {
          id,
          fleet,
          config,
          brokerPort,
          journal: join(dir, 'data', 'journal.db'),
          sim: new Simulation({ terminals: fleet.terminals, seed: 100 + w, doublePressProbability: 0 }),
          bridge: spawnHailong(['bridge', '--config', config], id),
        };
        cleanups.push(() => stopWith(ward.bridge, 'SIGKILL'));
        fleet.start();
        return ward;
      }),
    );
    const archive = join(tmp.dir, 'hub', 'archive.db');
    const archived = () => readRows<{ n: number }>(archive, 'SELECT count(*) AS n FROM votes')[0]!.n;
    const burstAll = (n: number) => Promise.all(wards.map((w) => w.sim.burst(n, { timeoutMs: 120_000 })));

    // 1. Everyone up: votes reach the hub archive.
    expect((await burstAll(200)).every((b) => b.complete)).toBe(true);
    await until(() => archived() >= 600, 60_000, '600 votes in the hub archive');

    // 2. kill -9 of one ward's bridge in the middle of its burst; it comes back on its own journal.
    const [a] = wards;
    const bursts = burstAll(600);
    const before = acked(a!.fleet);
    await until(() => acked(a!.fleet) - before >= 200, 60_000, '200 ACKs at the first ward');
    await stopWith(a!.bridge, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    a!.bridge = spawnHailong(['bridge', '--config', a!.config], a!.id);
    expect((await bursts).every((b) => b.complete)).toBe(true);

    // 3. kill -9 of the hub mid-stream: for every ward, the WAN is gone for 10 s; the offices vote on,
    //    the first ward's kiosk too.
    const bursts2 = burstAll(600);
    const kioskVotes = kioskTaps(wards[0]!.id, wards[0]!.brokerPort, KIOSK_VOTES, {
      level: (seq) => (seq % 4 === 0 ? 'rat-hai-long' : 'hai-long'),
      pubackWithinMs: 60_000,
      paceMs: 50,
    });
    const base = archived();
    await until(() => archived() - base >= 300, 60_000, '300 more votes archived');
    await stopWith(hub, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 10_000));
    hub = await startHub();
    expect((await bursts2).every((b) => b.complete)).toBe(true);
    await kioskVotes;

    // 4. Every vote of every journal reaches the archive, once.
    const total = wards.reduce((n, w) => n + acked(w.fleet), 0) + KIOSK_VOTES;
    expect(total).toBe(3 * (200 + 600 + 600) + KIOSK_VOTES);
    await until(() => archived() >= total, 120_000, `${total} votes in the hub archive`);
    await new Promise((r) => setTimeout(r, 1000));
    const union = new Set<string>();
    for (const w of wards) {
      const ids = journalKeys(w.journal, w.id);
      expect(ids).toHaveLength(200 + 600 + 600 + (w === wards[0] ? KIOSK_VOTES : 0));
      for (const id of ids) union.add(id);
    }
    const keys = archiveKeys(archive);
    expect(keys).toHaveLength(union.size); // 0 duplicated (and nothing foreign)
    expect(new Set(keys)).toEqual(union); // 0 lost

    // 5. The hub dashboard: each ward's row shows that ward's votes of today; the names come from hub.yaml.
    // Folded from the terminals' tallies, and (`hub=1`, the link the hub prints) from the units'
    // monthly summaries the hub derives: the same figures.
    // "Today" is the day of the last vote, the page's clock started there: a midnight may have passed
    // during the run (then each ward's votes of that day; step 4 showed the journals hold every vote).
    const last = lastVoteDay(wards.map((w) => w.journal));
    for (const query of ['', '&hub=1']) {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      await page.clock.install({ time: last.clockAt });
      await page.goto(`http://127.0.0.1:${hubWeb}/dashboard/?district=ba-dinh${query}#/district`);
      await page.click('button:has-text("Hôm nay")');
      await waitForDayRanking(
        page,
        NAMES.map((name, i) => [name, last.counts[i]!] as const),
        query || 'tallies',
      );
      await page.close();
    }
    // A clean stop, bounded: the figures above are what this test is about. (A ward bridge has
    // been seen, rarely, to hang on SIGTERM after a kill -9 and restart; reported, not hidden.)
    await Promise.all([...wards.map((w) => stopWithin(w.bridge, w.id)), stopWithin(hub, 'hub')]);
  }, 300_000);
});
