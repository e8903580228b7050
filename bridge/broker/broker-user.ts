/**
 * Who may connect to hailong's broker, and in what role. The bridge config
 * (`broker.users`) lists these; the embedded Aedes broker enforces them, and
 * `hailong mosquitto-config` turns the same list into a Mosquitto ACL file,
 * so both brokers grant exactly the same rights.
 */

/**
 * - `bridge`: a ward's bridge; reads and writes its ward's subtree.
 * - `kiosk`: one touchscreen terminal; writes only its own vote and status
 *   (never a tally: the bridge journals its votes and publishes its
 *   tallies), reads its config, tally, status and its counter's `_served` /
 *   `_session`.
 * - `desk`: the officer's desk or queue-number system; writes `_served` and
 *   `_session` of its ward's counters (or one counter), reads its ward.
 * - `dashboard`: read-only, a district or one ward.
 * - `hub`: a hub on an external broker (`hailong mosquitto-config` /
 *   `nats-config` of a hub config): reads its whole parent and writes only
 *   its archive receipts, `hailong/v1/{parent}/_archived/#`.
 */
export type BrokerRole = 'bridge' | 'kiosk' | 'desk' | 'dashboard' | 'hub';

/** Every role, for validation. */
export const BROKER_ROLES: readonly BrokerRole[] = ['bridge', 'kiosk', 'desk', 'dashboard', 'hub'];

/** One broker account and the part of the topic tree it is scoped to. */
export interface BrokerUser {
  readonly username: string;
  /** Plain text, as in the config file (keep that file mode 600). */
  readonly password: string;
  readonly role: BrokerRole;
  readonly district: string;
  /** Required for bridge, kiosk and desk; optional for dashboard (absent = the whole district). */
  readonly ward?: string;
  /** Required for kiosk; optional for desk (absent = every counter of the ward). */
  readonly counter?: string;
  /** Required for kiosk. */
  readonly terminal?: string;
}

/**
 * What a client without credentials may do: `none` refuses it; `read` lets
 * it subscribe read-only to all of `hailong/v1/#` (the demo, so a newcomer's
 * dashboard connects without signing in).
 */
export type AnonymousAccess = 'none' | 'read';
