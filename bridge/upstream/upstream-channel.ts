/**
 * The MQTT seam of forwarding: what the vote forwarder and the retained
 * mirror need from the connection to the hub. `UpstreamLink` is the mqtt.js
 * adapter; unit tests pass a fake.
 */

/** Events of an upstream channel. */
export interface UpstreamChannelEvents {
  /** Connected to the hub (the first time and after every reconnect). */
  connect: [];
  /** The connection dropped or an attempt failed; a retry is scheduled. */
  offline: [];
  /** A message on a subscription (`subscribe`): topic, UTF-8 payload, and whether the broker sent it as retained state (on subscribing) rather than live. */
  message: [topic: string, payload: string, retained: boolean];
}

/** A connection to the hub broker that publishes at QoS 1. */
export interface UpstreamChannel {
  /** True while connected. */
  readonly connected: boolean;
  /** The `at` of the current connection's last will ("online" for this connection must carry it). */
  readonly connectionAt: number;
  /**
   * Publishes at QoS 1; resolves on the hub's PUBACK. Rejects at once when
   * not connected (nothing is queued inside the MQTT client: the journal is
   * the queue); may never settle when the connection drops meanwhile (the
   * caller forgets what was in flight at the next `connect`).
   */
  publish(topic: string, payload: string, retain: boolean): Promise<void>;
  /**
   * Subscribes at QoS 0 on the current connection (none: nothing happens;
   * callers subscribe again on every `connect`). Optional: only the hub's
   * receipts are read from the hub (bridge/upstream/archive-watch.ts).
   */
  subscribe?(filter: string): void;
  on<E extends keyof UpstreamChannelEvents>(event: E, listener: (...args: UpstreamChannelEvents[E]) => void): unknown;
  off<E extends keyof UpstreamChannelEvents>(event: E, listener: (...args: UpstreamChannelEvents[E]) => void): unknown;
}
