/**
 * The contract between Aedes 1.x and a persistence: the async interface of
 * aedes-persistence 11 (asyncPersistence.js) as Aedes calls it, and the
 * shapes it passes (a packet as aedes-packet keeps it, a subscription, a
 * client). Typed here because aedes-persistence ships no types; implemented
 * by sqlite-persistence.ts over the in-memory one (retained-index.ts).
 */
import type { Readable } from 'node:stream';

/** A packet as Aedes keeps it (aedes-packet). */
export interface StoredPacket {
  cmd?: string;
  topic: string;
  payload: Buffer | string;
  qos?: number;
  retain?: boolean;
  dup?: boolean;
  messageId?: number;
  brokerId?: string;
  brokerCounter?: number;
  [key: string]: unknown;
}

/** A subscription as Aedes hands it to a persistence. */
export interface StoredSubscription {
  topic: string;
  qos: number;
  rh?: number;
  rap?: number;
  nl?: boolean | number;
}

/** A client as Aedes names it to a persistence. */
export interface ClientRef {
  id: string;
}

/** The async persistence interface of aedes-persistence 11, as Aedes 1.x calls it. */
export interface AsyncPersistence {
  broker: unknown;
  setup(broker: unknown): Promise<void>;
  storeRetained(packet: StoredPacket): Promise<void>;
  createRetainedStream(pattern: string): Readable;
  createRetainedStreamCombi(patterns: string[]): Readable;
  addSubscriptions(client: ClientRef, subs: StoredSubscription[]): Promise<void>;
  removeSubscriptions(client: ClientRef, topics: string[]): Promise<void>;
  subscriptionsByClient(client: ClientRef): Promise<StoredSubscription[]>;
  countOffline(): Promise<{ subsCount: number; clientsCount: number }>;
  subscriptionsByTopic(pattern: string): Promise<{ clientId: string; topic: string; qos: number }[]>;
  cleanSubscriptions(client: ClientRef): Promise<void>;
  outgoingEnqueue(sub: { clientId: string }, packet: StoredPacket): Promise<void>;
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: StoredPacket): Promise<void>;
  outgoingUpdate(client: ClientRef, packet: StoredPacket): Promise<void>;
  outgoingClearMessageId(client: ClientRef, packet: StoredPacket): Promise<StoredPacket | undefined>;
  outgoingStream(client: ClientRef): Readable;
  incomingStorePacket(client: ClientRef, packet: StoredPacket): Promise<void>;
  incomingGetPacket(client: ClientRef, packet: StoredPacket): Promise<StoredPacket>;
  incomingDelPacket(client: ClientRef, packet: StoredPacket): Promise<void>;
  cleanIncoming(client: ClientRef): Promise<void>;
  putWill(client: ClientRef, packet: StoredPacket): Promise<void>;
  getWill(client: ClientRef): Promise<StoredPacket | undefined>;
  delWill(client: ClientRef): Promise<StoredPacket | undefined>;
  streamWill(brokers?: Record<string, unknown>): Readable;
  getClientList(topic: string): Readable;
  destroy(): Promise<void>;
}
