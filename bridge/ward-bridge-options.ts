/**
 * The options of `WardBridge` and the broker connection it uses. Separate
 * from ward-bridge.ts so the bridge file holds only the wiring; the
 * options are also what hailong-app.ts builds.
 */
import type { Logger } from 'pino';
import type { HailongConfig } from './config/hailong-config.ts';
import type { DiscoveryFs } from './serial/port-candidates.ts';
import type { PortOpener } from './serial/port-handle.ts';
import type { TerminalSessionOptions } from './serial/terminal-session-options.ts';
import type { UpstreamOptions } from './upstream/upstream.ts';

/** The broker connection a ward bridge uses. */
export interface BrokerConnection {
  /** Broker URLs, or a function giving them at start (an embedded broker's port). */
  readonly urls: readonly string[] | (() => readonly string[]);
  readonly username?: string;
  readonly password?: string;
  /** PEM text of the CA (mqtts/wss). */
  readonly ca?: string;
  readonly clientId?: string;
}

/** Options of `WardBridge`. */
export interface WardBridgeOptions {
  readonly config: HailongConfig;
  readonly broker: BrokerConnection;
  readonly log: Logger;
  /** hailong's version, in the bridge status. */
  readonly version: string;
  /** The serial adapter. @default serialport */
  readonly opener?: PortOpener;
  /** Port discovery (in-process stream ports pass their own). @default the real file system */
  readonly discovery?: DiscoveryFs;
  /** Protocol timings (tests shorten them). */
  readonly session?: TerminalSessionOptions;
  /** Journal file. @default `<dataDir>/journal.db` */
  readonly journalPath?: string;
  /** Cap on the journal's size in bytes (a full cap behaves like a full disk). */
  readonly journalMaxBytes?: number;
  /**
   * Where a new journal's published seqs start: `clock` above the time in
   * seconds, so a lost or replaced journal never repeats a published id
   * (issue 17); `zero` at 1 (tests that assert ids).
   * @default "clock"
   */
  readonly seqBase?: 'clock' | 'zero';
  /**
   * More counters for the bridge status, read at each refresh (the embedded
   * broker's refusals, so they are visible on `_bridge/status`).
   * @default none
   */
  readonly extraCounters?: () => Readonly<Record<string, number>>;
  /**
   * How kiosk votes reach the journal: `subscribe` — a persistent-session
   * subscription that acknowledges each vote after its commit (an external
   * broker); `broker-gate` — the embedded broker hands each kiosk publish to
   * `kioskIntake` before acknowledging it (hailong-app.ts wires that).
   * @default "subscribe"
   */
  readonly kioskVotes?: 'subscribe' | 'broker-gate';
  /**
   * Publishes a journaled vote straight into the embedded broker running in
   * this process (`EmbeddedBroker.publish`, Aedes `publish`), instead of
   * through the bridge's loopback MQTT connection to it. Its promise settles
   * where Aedes would send a client's PUBACK: after the broker queued the
   * vote for its durable subscribers and handed it to the connected ones
   * (aedes.js `publishFuncsQoS`); the outbox marks the row published only
   * then, as after a PUBACK. hailong-app.ts passes it with the embedded broker.
   * @default none (every publish goes through the MQTT link)
   */
  readonly localPublish?: (topic: string, payload: string) => Promise<void>;
  /** PEM text of `upstream.caFile` (the hub's CA). */
  readonly upstreamCa?: string;
  /** Forwarding tuning (tests, the bench). */
  readonly upstreamTuning?: Pick<UpstreamOptions, 'link' | 'forwarder' | 'mirror' | 'archive'>;
}
