import { afterEach, describe, expect, it } from 'vitest';
import type { Publication } from '../../../core/index.ts';
import { MAX_CACHED_VOTES, openCache } from '../../../dashboard/src/cache/idb-cache.ts';
import { CacheWriter } from '../../../dashboard/src/cache/cache-writer.ts';
import { DashboardStore } from '../../../dashboard/src/store/store.ts';
import { FakeBridge, MORNING, officePub, sessionPub, statusPub } from '../fixtures.ts';

const names: string[] = [];
afterEach(async () => {
  for (const name of names.splice(0)) indexedDB.deleteDatabase(name);
});

function dbName() {
  const name = `hailong-test-${Math.random().toString(36).slice(2)}`;
  names.push(name);
  return name;
}

describe('IndexedDB cache (real IndexedDB)', () => {
  it('is empty at first, then restores what the writer saved (a reload shows the last figures)', async () => {
    const name = dbName();
    const cache = await openCache(name);
    expect(await cache.load()).toBeNull();
    const store = new DashboardStore();
    const writer = new CacheWriter(store, cache, 10);
    const bridge = new FakeBridge();
    const pubs: Publication[] = [
      officePub(),
      statusPub('quay-1', 'q1-a', 'online', MORNING),
      sessionPub('quay-1', 'cb-1', 'Nguyễn Thị Lan', MORNING),
    ];
    for (let i = 0; i < 5; i++) pubs.push(...bridge.vote('quay-1', 'q1-a', 'hai-long', MORNING + i).publications);
    for (const p of pubs) writer.note(store.apply(p.topic, p.payload), MORNING + 99);
    await writer.flush();
    cache.close();

    const reopened = await openCache(name);
    const cached = await reopened.load();
    expect(cached?.asOf).toBe(MORNING + 99);
    const restored = new DashboardStore();
    expect(restored.hydrate(cached!.snapshot)).toBe(0);
    expect([...restored.tallies.values()]).toEqual([...store.tallies.values()]);
    expect(restored.votes.all()).toEqual(store.votes.all());
    expect(restored.officerNames.get('ba-dinh/phuc-xa/cb-1')?.name).toBe('Nguyễn Thị Lan');
    expect(restored.offices.size).toBe(1);
    await reopened.clear();
    expect(await reopened.load()).toBeNull();
    reopened.close();
  });

  it('keeps the vote window bounded (newest votes kept)', async () => {
    const cache = await openCache(dbName());
    const store = new DashboardStore();
    const writer = new CacheWriter(store, cache, 10);
    writer.note(store.apply(officePub().topic, officePub().payload), MORNING);
    const bridge = new FakeBridge();
    for (let i = 0; i < MAX_CACHED_VOTES + 10; i++) {
      const [vote] = bridge.vote('quay-1', 'q1-a', 'hai-long', MORNING + i).publications;
      writer.note(store.apply(vote.topic, vote.payload), MORNING);
    }
    await writer.flush();
    const votes = (await cache.load())!.snapshot.votes as { seq: number }[];
    expect(votes.length).toBe(MAX_CACHED_VOTES / 2);
    expect(Math.max(...votes.map((v) => v.seq))).toBe(MAX_CACHED_VOTES + 10);
    cache.close();
  });
});
