/**
 * The IndexedDB adapter (idb): the store's snapshot — tallies, statuses,
 * sessions, offices, officer names and recent votes — so a reload shows the
 * last known figures at once and the dashboard keeps working offline. One
 * object store per kind, keyed by place; `meta.asOf` is the time of the
 * last live message, shown in the "mất kết nối, số liệu lúc hh:mm" banner.
 * Everything read back is re-validated by `DashboardStore.hydrate`.
 */
import { openDB } from 'idb';
import type { IDBPDatabase } from 'idb';
import type { StoreSnapshot } from '../store/store.ts';

/** Database name and schema version (bump the version with an upgrade step when stores change). */
export const DB_NAME = 'hailong-dashboard';
export const DB_VERSION = 1;

/** Most votes kept in the cache. */
export const MAX_CACHED_VOTES = 4000;

const KEYED = ['statuses', 'bridges', 'sessions', 'officerNames'] as const;
const LISTS = ['tallies', 'offices', 'votes'] as const;
const STORES = [...KEYED, ...LISTS, 'meta'] as const;

/** What the cache holds. */
export interface CachedState {
  readonly snapshot: StoreSnapshot;
  /** Epoch ms of the last live message before the snapshot was saved, or null. */
  readonly asOf: number | null;
}

/** A cache the app writes to and reads from (the seam tests can fake). */
export interface DashboardCache {
  load(): Promise<CachedState | null>;
  /** Upserts the changed items (a partial snapshot) and the as-of time. */
  save(changes: Partial<StoreSnapshot>, asOf: number | null): Promise<void>;
  clear(): Promise<void>;
  close(): void;
}

// Stable keys for list items, so a save replaces rather than appends.
function keyOf(store: (typeof LISTS)[number], item: unknown): string {
  const o = item as Record<string, unknown>;
  if (store === 'tallies') return `${o.district}/${o.ward}/${o.counter}/${o.terminal}/${o.month}`;
  if (store === 'offices') return `${o.district}/${o.ward}`;
  return `${o.district}/${o.ward}/${o.id}`;
}

/** Opens (creating or upgrading) the dashboard's database. */
export async function openCache(name: string = DB_NAME): Promise<DashboardCache> {
  const db: IDBPDatabase = await openDB(name, DB_VERSION, {
    upgrade(database) {
      for (const store of STORES) if (!database.objectStoreNames.contains(store)) database.createObjectStore(store);
    },
  });
  return {
    async load() {
      const tx = db.transaction([...STORES], 'readonly');
      const read = async (store: (typeof STORES)[number]) => {
        const [keys, values] = await Promise.all([tx.objectStore(store).getAllKeys(), tx.objectStore(store).getAll()]);
        return keys.map((k, i) => [String(k), values[i]] as const);
      };
      const [statuses, bridges, sessions, officerNames, tallies, offices, votes, meta] = await Promise.all(STORES.map(read));
      await tx.done;
      if (tallies!.length + offices!.length + statuses!.length === 0) return null;
      const asOf = meta!.find(([k]) => k === 'asOf')?.[1];
      return {
        snapshot: {
          statuses: statuses!,
          bridges: bridges!,
          sessions: sessions!,
          officerNames: officerNames!,
          tallies: tallies!.map(([, v]) => v),
          offices: offices!.map(([, v]) => v),
          votes: votes!.map(([, v]) => v),
        },
        asOf: typeof asOf === 'number' ? asOf : null,
      };
    },
    async save(changes, asOf) {
      const tx = db.transaction([...STORES], 'readwrite');
      const writes: Promise<unknown>[] = [];
      for (const store of KEYED) {
        for (const [key, value] of changes[store] ?? []) writes.push(tx.objectStore(store).put(value, key));
      }
      for (const store of LISTS) {
        for (const item of changes[store] ?? []) writes.push(tx.objectStore(store).put(item, keyOf(store, item)));
      }
      if (asOf !== null) writes.push(tx.objectStore('meta').put(asOf, 'asOf'));
      // Votes are a window, not an archive: past the limit keep only the newest half.
      const votes = tx.objectStore('votes');
      writes.push(
        votes.count().then(async (n) => {
          if (n <= MAX_CACHED_VOTES) return;
          const all = (await votes.getAll()) as { pressedAt?: number }[];
          const keys = await votes.getAllKeys();
          const order = all.map((v, i) => [v?.pressedAt ?? 0, keys[i]] as const).sort((a, b) => a[0] - b[0]);
          await Promise.all(order.slice(0, n - MAX_CACHED_VOTES / 2).map(([, k]) => votes.delete(k as IDBValidKey)));
        }),
      );
      await Promise.all([...writes, tx.done]);
    },
    async clear() {
      const tx = db.transaction([...STORES], 'readwrite');
      await Promise.all([...STORES.map((s) => tx.objectStore(s).clear()), tx.done]);
    },
    close() {
      db.close();
    },
  };
}
