/**
 * The embedded broker's retained messages, looked up without string work.
 * aedes-persistence 11 answers each SUBSCRIBE by testing EVERY retained
 * topic against each filter with a fresh qlobber that splits the topic again
 * (asyncPersistence.js `retainedMessagesByPattern`): a hub keeps ~144
 * retained messages per unit (docs/ARCHITECTURE.md "The hub"), 14,400 for
 * 100 units, and a parent dashboard subscribes with ~10 filters, so each
 * page load split and tested 144,000 topics before its first message
 * (~110 ms of the hub's CPU in bench/hub-dashboard-cold-load.bench.ts).
 * Here the retained messages sit in a tree of topic levels, so a filter
 * visits only the branches it can match (`hailong/v1/d/+/_summary/2026-12`:
 * one node per unit, not every topic), and a message matching several
 * filters of one SUBSCRIBE is sent once (MQTT 3.1.1 §3.3.5 allows one
 * copy). Matching is core `topicMatches`'s (`+` one level, `#` the rest and
 * its parent, no leading wildcard on `$` topics), property-tested against it.
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { StoredPacket } from './aedes-persistence.ts';

const require = createRequire(import.meta.url);

/** What this class needs of aedes-persistence's MemoryPersistence. */
interface MemoryPersistenceBase {
  storeRetained(packet: StoredPacket): Promise<void>;
  createRetainedStream(pattern: string): Readable;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

const MemoryPersistence = require('aedes-persistence/asyncPersistence.js') as new (opts?: object) => MemoryPersistenceBase;

interface Level {
  readonly children: Map<string, Level>;
  packet: StoredPacket | undefined;
}

const newLevel = (): Level => ({ children: new Map(), packet: undefined });

/** Retained messages in a tree of topic levels. */
export class RetainedIndex {
  readonly #root = newLevel();
  #size = 0;

  /** How many retained messages are held. */
  get size(): number {
    return this.#size;
  }

  /** Keeps `packet` as its topic's retained message; an empty payload clears it (and prunes its empty branch). */
  store(packet: StoredPacket): void {
    const levels = packet.topic.split('/');
    if (packet.payload.length > 0) {
      let node = this.#root;
      for (const level of levels) {
        let next = node.children.get(level);
        if (next === undefined) node.children.set(level, (next = newLevel()));
        node = next;
      }
      if (node.packet === undefined) this.#size += 1;
      node.packet = packet;
      return;
    }
    const path: Level[] = [this.#root];
    for (const level of levels) {
      const next = path.at(-1)?.children.get(level);
      if (next === undefined) return;
      path.push(next);
    }
    const leaf = path.at(-1) as Level;
    if (leaf.packet === undefined) return;
    leaf.packet = undefined;
    this.#size -= 1;
    // A hub un-retains each month as it leaves the window: drop the emptied branch.
    for (let i = path.length - 1; i > 0; i--) {
      const node = path[i] as Level;
      if (node.packet !== undefined || node.children.size > 0) break;
      (path[i - 1] as Level).children.delete(levels[i - 1] as string);
    }
  }

  /** The retained messages matching any of `filters`, each once. */
  *matching(filters: readonly string[]): Generator<StoredPacket> {
    const seen = new Set<StoredPacket>();
    for (const filter of filters) {
      for (const packet of walk(this.#root, filter.split('/'), 0)) {
        if (seen.has(packet)) continue;
        seen.add(packet);
        yield packet;
      }
    }
  }
}

/** The packets under `node` matching `filter` from its level `i` on. */
function* walk(node: Level, filter: readonly string[], i: number): Generator<StoredPacket> {
  if (i === filter.length) {
    if (node.packet !== undefined) yield node.packet;
    return;
  }
  const level = filter[i] as string;
  if (level === '#') {
    // `a/#` matches `a` itself too; `#` must be the last level (else it matches nothing).
    if (i !== filter.length - 1) return;
    if (node.packet !== undefined && i > 0) yield node.packet;
    for (const [key, child] of node.children) if (i > 0 || !key.startsWith('$')) yield* everything(child);
    return;
  }
  if (level === '+') {
    for (const [key, child] of node.children) if (i > 0 || !key.startsWith('$')) yield* walk(child, filter, i + 1);
    return;
  }
  const child = node.children.get(level);
  if (child !== undefined) yield* walk(child, filter, i + 1);
}

function* everything(node: Level): Generator<StoredPacket> {
  if (node.packet !== undefined) yield node.packet;
  for (const child of node.children.values()) yield* everything(child);
}

/**
 * Aedes' in-memory persistence (aedes-persistence 11) with its retained
 * lookups answered by a `RetainedIndex`. Everything else (sessions,
 * subscriptions, queues, wills) is the parent's.
 */
export class IndexedMemoryPersistence extends MemoryPersistence {
  readonly #retained = new RetainedIndex();

  override async storeRetained(packet: StoredPacket): Promise<void> {
    // The parent keeps its own copy too; nothing of it but the retained lookups reads it.
    await super.storeRetained(packet);
    this.#retained.store({ ...packet });
  }

  override createRetainedStream(pattern: string): Readable {
    return Readable.from(this.#retained.matching([pattern]));
  }

  override createRetainedStreamCombi(patterns: string[]): Readable {
    return Readable.from(this.#retained.matching(patterns));
  }
}
