/**
 * The seam between the dashboard and the broker: a connection that delivers
 * raw messages (topic + payload bytes) and reports its state. The real one
 * (`mqtt-link.ts`) wraps MQTT.js; tests pass a fake. The dashboard NEVER
 * publishes: its accounts are read-only. Its states (`LinkState`), the
 * broker URL check and default are the core's (core/broker-link.ts), shared
 * with the kiosk.
 */
import type { LinkState } from '../../../core/index.ts';

/** Where and how to connect. */
export interface LinkOptions {
  /** `ws://host:port/mqtt` or `wss://…` */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Subscription filter(s), e.g. `hailong/v1/#` or `hailong/v1/ba-dinh/#`. */
  readonly filter: string | readonly string[];
}

/** Callbacks of a link. Handlers must not throw (the store never does). */
export interface LinkHandlers {
  /** `retained`: sent from the broker's retained store (a will that fired before we subscribed), not live. */
  onMessage(topic: string, payload: Uint8Array, retained?: boolean): void;
  onState(state: LinkState, detail?: string): void;
}

/** A live connection; `close()` ends it for good. */
export interface Link {
  close(): void;
  /**
   * Adds a subscription (kept across reconnects), e.g. a unit's tallies on
   * drill-down at a hub; several filters go in one SUBSCRIBE. `onSubscribed`
   * runs once, when the broker first acknowledged it (SUBACK): its retained
   * messages follow right after.
   */
  subscribe?(filter: string | readonly string[], onSubscribed?: () => void): void;
}

/** Opens a link. */
export type ConnectLink = (options: LinkOptions, handlers: LinkHandlers) => Link;
