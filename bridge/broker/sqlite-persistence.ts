/**
 * A durable persistence for the embedded Aedes broker: Aedes' own in-memory
 * persistence (aedes-persistence 11, its subscription trie and queues)
 * written through to a SQLite file, and loaded back from it at start.
 *
 * Why: with the in-memory default, `kill -9` of the bridge lost the QoS 1
 * messages queued for durable (`clean: false`) subscribers, and after the
 * restart the bridge republished its backlog into a broker that no longer
 * knew those subscribers, so they missed it (issue 17, item 1). External
 * Mosquitto survives the bridge's death; this gives the embedded broker the
 * same guarantee across a crash of its own process.
 *
 * What is kept: retained messages, the subscriptions of `clean: false`
 * sessions, and their outgoing QoS 1 queues (a row per message and
 * subscriber, deleted on PUBACK). Not kept: last wills (the bridge
 * republishes every status on connect) and the inbound QoS 2 store (hailong
 * uses QoS 1 only).
 *
 * Every write is synchronous (better-sqlite3) and done before Aedes
 * continues, so a message is on the queue table before the publisher gets
 * its PUBACK. WAL with `synchronous = NORMAL`: a commit survives the death
 * of the process (it is in the WAL file); a power cut may lose the last
 * commits, as Mosquitto loses up to `autosave_interval` of its state.
 */
import type { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import type { AsyncPersistence, ClientRef, StoredPacket, StoredSubscription } from './aedes-persistence.ts';
import { IndexedMemoryPersistence } from './retained-index.ts';

// Aedes' in-memory persistence, with retained lookups indexed (retained-index.ts).
const MemoryPersistence = IndexedMemoryPersistence as unknown as new () => AsyncPersistence;

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS retained (
  topic   TEXT PRIMARY KEY,
  packet  TEXT NOT NULL,
  payload BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS subscriptions (
  client_id TEXT NOT NULL,
  topic     TEXT NOT NULL,
  sub       TEXT NOT NULL,
  PRIMARY KEY (client_id, topic)
) STRICT;
-- One row per queued message and subscriber, oldest first (id order).
CREATE TABLE IF NOT EXISTS outgoing (
  id             INTEGER PRIMARY KEY,
  client_id      TEXT    NOT NULL,
  broker_id      TEXT    NOT NULL,
  broker_counter INTEGER NOT NULL,
  message_id     INTEGER,
  packet         TEXT    NOT NULL,
  payload        BLOB    NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS outgoing_packet ON outgoing (client_id, broker_id, broker_counter);
CREATE INDEX IF NOT EXISTS outgoing_message ON outgoing (client_id, message_id);
`;

/**
 * Messages queued per `clean: false` session; newer ones are dropped for
 * that session beyond it (and counted), as Mosquitto does with
 * `max_queued_messages` (the value `hailong mosquitto-config` writes).
 */
export const MAX_QUEUED_PER_SESSION = 100_000;

/** Counts of what `setup()` loaded back from the file. */
export interface PersistenceLoad {
  readonly retained: number;
  readonly sessions: number;
  readonly queued: number;
}

function toBuffer(payload: Buffer | string | undefined): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  return typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
}

/** The packet's fields but the payload (and the per-connection messageId), as JSON. */
function describePacket(packet: StoredPacket): string {
  const { payload: _payload, messageId: _messageId, ...rest } = packet;
  return JSON.stringify(rest);
}

function revive(json: string, payload: Buffer): StoredPacket {
  return { ...(JSON.parse(json) as Omit<StoredPacket, 'payload'>), payload } as StoredPacket;
}

/**
 * Aedes persistence on SQLite (see the file comment). Pass an instance as
 * Aedes' `persistence`; Aedes calls `setup()` (which loads the file) and
 * `destroy()` (which closes it).
 */
export class SqlitePersistence implements AsyncPersistence {
  readonly path: string;
  readonly maxQueued: number;
  #inner: AsyncPersistence = new MemoryPersistence();
  #db: Database.Database | undefined;
  #loaded: PersistenceLoad = { retained: 0, sessions: 0, queued: 0 };
  readonly #statements = new Map<string, Database.Statement>();
  /** Rows in `outgoing` per client. */
  readonly #queued = new Map<string, number>();
  #dropped = 0;

  /** @param maxQueued messages kept per session (@default MAX_QUEUED_PER_SESSION) */
  constructor(path: string, maxQueued = MAX_QUEUED_PER_SESSION) {
    if (typeof path !== 'string' || path === '') throw new TypeError('"path" must be a non-empty string');
    if (!Number.isInteger(maxQueued) || maxQueued < 1) throw new TypeError('"maxQueued" must be a positive integer');
    this.path = path;
    this.maxQueued = maxQueued;
  }

  /** Messages not queued because their session's queue was full (since setup). */
  get dropped(): number {
    return this.#dropped;
  }

  /** What the last `setup()` loaded back. */
  get loaded(): PersistenceLoad {
    return this.#loaded;
  }

  get broker(): unknown {
    return this.#inner.broker;
  }

  /** Opens the file and loads it back; rejects (with the file closed) when it cannot be read. */
  async setup(broker: unknown): Promise<void> {
    try {
      await this.#load(broker);
    } catch (error) {
      this.#db?.close();
      this.#db = undefined;
      throw error;
    }
  }

  async #load(broker: unknown): Promise<void> {
    this.#inner = new MemoryPersistence();
    this.#statements.clear();
    await this.#inner.setup(broker);
    const db = new Database(this.path);
    this.#db = db;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA_SQL);
    // Message ids belonged to connections of the dead process; Aedes gives new ones on delivery.
    db.prepare('UPDATE outgoing SET message_id = NULL WHERE message_id IS NOT NULL').run();
    const retained = db.prepare('SELECT packet, payload FROM retained').all() as { packet: string; payload: Buffer }[];
    for (const row of retained) await this.#inner.storeRetained(revive(row.packet, row.payload));
    const subs = db.prepare('SELECT client_id, sub FROM subscriptions ORDER BY client_id').all() as { client_id: string; sub: string }[];
    const byClient = new Map<string, StoredSubscription[]>();
    for (const row of subs) {
      const list = byClient.get(row.client_id) ?? [];
      list.push(JSON.parse(row.sub) as StoredSubscription);
      byClient.set(row.client_id, list);
    }
    for (const [id, list] of byClient) await this.#inner.addSubscriptions({ id }, list);
    const queued = db.prepare('SELECT client_id, packet, payload FROM outgoing ORDER BY id').all() as {
      client_id: string;
      packet: string;
      payload: Buffer;
    }[];
    this.#queued.clear();
    for (const row of queued) {
      await this.#inner.outgoingEnqueue({ clientId: row.client_id }, revive(row.packet, row.payload));
      this.#queued.set(row.client_id, (this.#queued.get(row.client_id) ?? 0) + 1);
    }
    this.#loaded = Object.freeze({ retained: retained.length, sessions: byClient.size, queued: queued.length });
  }

  #run(sql: string, ...params: unknown[]): Database.RunResult {
    const db = this.#db;
    if (db === undefined) throw new Error('SqlitePersistence used before setup()');
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement.run(...params);
  }

  async storeRetained(packet: StoredPacket): Promise<void> {
    await this.#inner.storeRetained(packet);
    const payload = toBuffer(packet.payload);
    if (payload.length === 0) this.#run('DELETE FROM retained WHERE topic = ?', packet.topic);
    else
      this.#run('INSERT OR REPLACE INTO retained (topic, packet, payload) VALUES (?, ?, ?)', packet.topic, describePacket(packet), payload);
  }

  createRetainedStream(pattern: string): Readable {
    return this.#inner.createRetainedStream(pattern);
  }

  createRetainedStreamCombi(patterns: string[]): Readable {
    return this.#inner.createRetainedStreamCombi(patterns);
  }

  async addSubscriptions(client: ClientRef, subs: StoredSubscription[]): Promise<void> {
    await this.#inner.addSubscriptions(client, subs);
    this.#transaction(() => {
      for (const s of subs) {
        const record = { topic: s.topic, qos: s.qos, rh: s.rh, rap: s.rap, nl: s.nl };
        this.#run(
          'INSERT OR REPLACE INTO subscriptions (client_id, topic, sub) VALUES (?, ?, ?)',
          client.id,
          s.topic,
          JSON.stringify(record),
        );
      }
    });
  }

  async removeSubscriptions(client: ClientRef, topics: string[]): Promise<void> {
    await this.#inner.removeSubscriptions(client, topics);
    this.#transaction(() => {
      for (const topic of topics) this.#run('DELETE FROM subscriptions WHERE client_id = ? AND topic = ?', client.id, topic);
    });
  }

  subscriptionsByClient(client: ClientRef): Promise<StoredSubscription[]> {
    return this.#inner.subscriptionsByClient(client);
  }

  countOffline(): Promise<{ subsCount: number; clientsCount: number }> {
    return this.#inner.countOffline();
  }

  subscriptionsByTopic(pattern: string): Promise<{ clientId: string; topic: string; qos: number }[]> {
    return this.#inner.subscriptionsByTopic(pattern);
  }

  async cleanSubscriptions(client: ClientRef): Promise<void> {
    await this.#inner.cleanSubscriptions(client);
    this.#run('DELETE FROM subscriptions WHERE client_id = ?', client.id);
  }

  /** The subscribers whose queue has room (the others are counted as dropped). */
  #withRoom<T extends { clientId: string }>(subs: readonly T[]): T[] {
    const room = subs.filter((s) => (this.#queued.get(s.clientId) ?? 0) < this.maxQueued);
    this.#dropped += subs.length - room.length;
    return room;
  }

  #enqueue(clientId: string, packet: StoredPacket): void {
    this.#queued.set(clientId, (this.#queued.get(clientId) ?? 0) + 1);
    this.#run(
      'INSERT INTO outgoing (client_id, broker_id, broker_counter, message_id, packet, payload) VALUES (?, ?, ?, NULL, ?, ?)',
      clientId,
      String(packet.brokerId ?? ''),
      packet.brokerCounter ?? 0,
      describePacket(packet),
      toBuffer(packet.payload),
    );
  }

  async outgoingEnqueue(sub: { clientId: string }, packet: StoredPacket): Promise<void> {
    if (this.#withRoom([sub]).length === 0) return;
    await this.#inner.outgoingEnqueue(sub, packet);
    this.#enqueue(sub.clientId, packet);
  }

  async outgoingEnqueueCombi(subs: { clientId: string }[], packet: StoredPacket): Promise<void> {
    const room = this.#withRoom(subs);
    await this.#inner.outgoingEnqueueCombi(room, packet);
    if (room.length > 0) this.#transaction(() => room.forEach((s) => this.#enqueue(s.clientId, packet)));
  }

  async outgoingUpdate(client: ClientRef, packet: StoredPacket): Promise<void> {
    // Throws 'no such packet' like the memory persistence when nothing matches.
    await this.#inner.outgoingUpdate(client, packet);
    const byCounter = this.#run(
      'UPDATE outgoing SET message_id = ? WHERE client_id = ? AND broker_id = ? AND broker_counter = ?',
      packet.messageId ?? null,
      client.id,
      String(packet.brokerId ?? ''),
      packet.brokerCounter ?? 0,
    );
    if (byCounter.changes === 0 && packet.messageId !== undefined) {
      // The memory persistence's other branch: a packet of another broker with the same message id is replaced (PUBREL of QoS 2).
      this.#run(
        'UPDATE outgoing SET broker_id = ?, broker_counter = ?, packet = ?, payload = ? WHERE id = (SELECT id FROM outgoing WHERE client_id = ? AND message_id = ? ORDER BY id LIMIT 1)',
        String(packet.brokerId ?? ''),
        packet.brokerCounter ?? 0,
        describePacket(packet),
        toBuffer(packet.payload),
        client.id,
        packet.messageId,
      );
    }
  }

  async outgoingClearMessageId(client: ClientRef, packet: StoredPacket): Promise<StoredPacket | undefined> {
    const removed = await this.#inner.outgoingClearMessageId(client, packet);
    if (removed !== undefined) {
      this.#queued.set(client.id, Math.max(0, (this.#queued.get(client.id) ?? 1) - 1));
      this.#run(
        'DELETE FROM outgoing WHERE id = (SELECT id FROM outgoing WHERE client_id = ? AND broker_id = ? AND broker_counter = ? ORDER BY id LIMIT 1)',
        client.id,
        String(removed.brokerId ?? ''),
        removed.brokerCounter ?? 0,
      );
    }
    return removed;
  }

  outgoingStream(client: ClientRef): Readable {
    return this.#inner.outgoingStream(client);
  }

  incomingStorePacket(client: ClientRef, packet: StoredPacket): Promise<void> {
    return this.#inner.incomingStorePacket(client, packet);
  }

  incomingGetPacket(client: ClientRef, packet: StoredPacket): Promise<StoredPacket> {
    return this.#inner.incomingGetPacket(client, packet);
  }

  incomingDelPacket(client: ClientRef, packet: StoredPacket): Promise<void> {
    return this.#inner.incomingDelPacket(client, packet);
  }

  cleanIncoming(client: ClientRef): Promise<void> {
    return this.#inner.cleanIncoming(client);
  }

  putWill(client: ClientRef, packet: StoredPacket): Promise<void> {
    return this.#inner.putWill(client, packet);
  }

  getWill(client: ClientRef): Promise<StoredPacket | undefined> {
    return this.#inner.getWill(client);
  }

  delWill(client: ClientRef): Promise<StoredPacket | undefined> {
    return this.#inner.delWill(client);
  }

  streamWill(brokers?: Record<string, unknown>): Readable {
    return this.#inner.streamWill(brokers);
  }

  getClientList(topic: string): Readable {
    return this.#inner.getClientList(topic);
  }

  async destroy(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    this.#statements.clear();
    try {
      await this.#inner.destroy();
    } finally {
      db?.close();
    }
  }

  #transaction(work: () => void): void {
    const db = this.#db;
    if (db === undefined) throw new Error('SqlitePersistence used before setup()');
    db.transaction(work)();
  }
}
