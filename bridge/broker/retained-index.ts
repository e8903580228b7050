/**
 * The embedded broker's retained messages, looked up without string work.
 * aedes-persistence 11 answers each SUBSCRIBE by testing EVERY retained
 * topic against each filter with a fresh qlobber that splits the topic again
 * (asyncPersistence.js `retainedMessagesByPattern`): a hub keeps ~144
 * retained messages per unit (docs/ARCHITECTURE.md "The hub"), 14,400 for
 * 100 units, and a parent dashboard subscribes with ~10 filters, so each
 * page load split and tested 144,000 topics before its first message
 * (~110 ms of the hub's CPU in bench/hub-dashboard-cold-load.bench.ts).
 * Here each topic is split once when stored, and one pass over them answers
 * all of a SUBSCRIBE's filters, a message matching several filters once
 * (MQTT 3.1.1 §3.3.5 allows one copy). Matching is core `topicMatches`'s
 * (`+` one level, `#` the rest and its parent, no leading wildcard on `$`
 * topics), property-tested against it.
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { StoredPacket } from './sqlite-persistence.ts';

const require = createRequire(import.meta.url);

/** What this class needs of aedes-persistence's MemoryPersistence. */
interface MemoryPersistenceBase {
  storeRetained(packet: StoredPacket): Promise<void>;
  createRetainedStream(pattern: string): Readable;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

const MemoryPersistence = require('aedes-persistence/asyncPersistence.js') as new (opts?: object) => MemoryPersistenceBase;

/** True when the filter's levels match the topic's (core/topic.ts `topicMatches`, on split levels). */
export function levelsMatch(filter: readonly string[], topic: readonly string[]): boolean {
  if ((filter[0] === '+' || filter[0] === '#') && (topic[0] ?? '').startsWith('$')) return false;
  for (let i = 0; i < filter.length; i++) {
    const level = filter[i];
    if (level === '#') return i === filter.length - 1;
    if (i >= topic.length) return false;
    if (level !== '+' && level !== topic[i]) return false;
  }
  return filter.length === topic.length;
}

/** Retained messages by topic, each with its topic split into levels once. */
export class RetainedIndex {
  readonly #byTopic = new Map<string, { levels: string[]; packet: StoredPacket }>();

  /** How many retained messages are held. */
  get size(): number {
    return this.#byTopic.size;
  }

  /** Keeps `packet` as its topic's retained message; an empty payload clears it. */
  store(packet: StoredPacket): void {
    if (packet.payload.length === 0) this.#byTopic.delete(packet.topic);
    else this.#byTopic.set(packet.topic, { levels: packet.topic.split('/'), packet });
  }

  /** The retained messages matching any of `filters`, each once, in the order their topics were first retained. */
  *matching(filters: readonly string[]): Generator<StoredPacket> {
    const split = filters.map((f) => f.split('/'));
    for (const { levels, packet } of this.#byTopic.values()) {
      if (split.some((f) => levelsMatch(f, levels))) yield packet;
    }
  }
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
