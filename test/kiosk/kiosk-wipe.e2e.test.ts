/**
 * A kiosk whose storage is wiped (browser data cleared, a new tablet with
 * the same kiosk identity) and that takes votes before it can reach the
 * broker must not reuse the seqs the bridge has journaled: the bridge would
 * drop those votes as duplicates and its receipt would tell the kiosk they
 * are done (lost votes, invariant 1). A new outbox numbers above the clock in
 * seconds (kiosk/src/outbox/idb-outbox.ts), so once the broker is back every
 * vote is in the journal exactly once.
 *
 * Real parts: the production kiosk build in headless Chromium (its real
 * IndexedDB deleted as clearing the browser's data does), real Mosquitto
 * stopped and restarted, the real bridge (HailongApp) journaling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotOf, startKioskRig, until, type KioskRig } from './rig/kiosk-rig.ts';

let rig: KioskRig;
const T = 'kiosk-1';
const BEFORE = 3;
const AFTER = 4;
// The kiosk's production numbering (the rig's URLs number from 1 unless told).
const KIOSK = { 'thanks-ms': '800', 'seq-base': 'clock' };

beforeAll(async () => {
  // Persistence keeps the bridge's session (its subscription) across the broker's restart.
  rig = await startKioskRig({ persistence: true, bridge: { terminals: [T], cooldownMs: 0 } });
});

afterAll(async () => {
  await rig?.close();
});

/** Deletes the kiosk's IndexedDB outbox from a page of the same origin, as clearing the browser's data does. */
async function wipeOutbox(): Promise<void> {
  const page = await rig.context.newPage();
  await page.goto(new URL('/wiping', rig.base).href); // a 404 of the same origin, outside the service worker's scope
  // The name idb-outbox.ts `outboxName` gives a terminal's database.
  const deleted = await page.evaluate(
    (name) =>
      new Promise<string>((resolve) => {
        const req = indexedDB.deleteDatabase(name);
        req.onsuccess = () => resolve('deleted');
        req.onerror = () => resolve(`error: ${String(req.error)}`);
        req.onblocked = () => resolve('blocked');
      }),
    `hailong-kiosk/test/p1/${T}`,
  );
  expect(deleted).toBe('deleted');
  expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).not.toContain(`hailong-kiosk/test/p1/${T}`);
  await page.close();
}

describe('kiosk storage wiped, then votes while the broker is unreachable (real Chromium, Mosquitto, bridge)', () => {
  it('every vote, before and after the wipe, is in the journal exactly once', async () => {
    const journal = rig.bridge!.bridge.journal;
    let page = await rig.open(rig.url(T, KIOSK));
    const tap = (p: typeof page) => p.getByRole('button', { name: 'Rất hài lòng', exact: true }).click();
    for (let i = 0; i < BEFORE; i++) await tap(page);
    await until(() => journal.voteCount() === BEFORE, `${BEFORE} votes journaled`, 30_000);
    await until(async () => (await snapshotOf(page)).stats.pending === 0, 'the receipt confirmed them', 30_000);
    const firstMark = (await snapshotOf(page)).stats.highWater;
    expect(firstMark).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 600);
    await page.close();

    // A tablet is not wiped within a second of its last vote; wait so the clock has passed the
    // seqs handed out (a terminal presses far fewer than one vote a second over a day: README).
    await until(() => Math.floor(Date.now() / 1000) > firstMark, 'the clock past the first store’s seqs', 10_000);
    await rig.mosquitto.stop();
    await wipeOutbox();

    const wipedAt = Date.now();
    page = await rig.open(rig.url(T, KIOSK), { online: false });
    await page.getByRole('button', { name: 'Rất hài lòng', exact: true }).waitFor({ timeout: 15_000 });
    for (let i = 0; i < AFTER; i++) await tap(page);
    await until(async () => (await snapshotOf(page)).stats.pending === AFTER, `${AFTER} votes stored offline`, 30_000);
    expect((await snapshotOf(page)).stats.highWater).toBeGreaterThan(Math.floor(wipedAt / 1000));

    await rig.mosquitto.restart();
    await until(() => journal.voteCount() === BEFORE + AFTER, `all ${BEFORE + AFTER} votes journaled (has ${journal.voteCount()})`, 90_000);
    await until(async () => (await snapshotOf(page)).stats.pending === 0, 'the outbox emptied by the receipt', 30_000);
    const ids = [...journal.votesPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((p) => JSON.parse(p).id as string);
    expect(ids).toHaveLength(BEFORE + AFTER);
    expect(new Set(ids).size).toBe(BEFORE + AFTER);
    expect(journal.voteCount()).toBe(BEFORE + AFTER);
    expect(rig.pageErrors).toEqual([]);
    await page.close();
  }, 240_000);
});
