/**
 * The seam between the dashboard and the broker: a connection that delivers
 * raw messages (topic + payload bytes) and reports its state. The real one
 * (`mqtt-link.ts`) wraps MQTT.js; tests pass a fake. The dashboard NEVER
 * publishes: its accounts are read-only.
 */

/** Connection states a link reports. */
export type LinkState =
  /** Dialling or re-dialling. */
  | 'connecting'
  /** Connected and subscribed. */
  | 'online'
  /** Lost or unreachable; the link keeps retrying. */
  | 'offline'
  /** The broker refused the credentials (CONNACK "not authorized"): no retry; ask the user to sign in. */
  | 'refused';

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

/**
 * The default broker URL: MQTT-over-WebSocket on the page's own origin at
 * `/mqtt`, where the bridge's embedded broker listens.
 */
export function defaultBrokerUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/mqtt`;
}

/** True for a ws:// or wss:// URL a browser can open. */
export function isBrokerUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.host !== '';
  } catch {
    return false;
  }
}
