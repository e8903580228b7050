/**
 * Availability of a terminal (`…/{terminal}/status`) or of a ward's bridge
 * (`…/{ward}/_bridge/status`). Published retained; the publisher's MQTT
 * last-will is the same payload with `state: 'offline'`, so a dead
 * connection flips the retained state without any MQTT 5 feature.
 */
import {
  booleanAt,
  decodeWith,
  enumAt,
  fieldPath,
  intIn,
  objectAt,
  optionalField,
  reject,
  requiredField,
  tokenAt,
  versionOne,
} from './json-input.ts';
import type { InputResult } from './json-input.ts';
import { MAX_EPOCH_MS } from './time.ts';
import { VOTE_SOURCES } from './vote.ts';
import type { VoteSource } from './vote.ts';

/** Connection state. */
export type StatusState = 'online' | 'offline';

/** The status payload (v1). */
export interface Status {
  readonly v: 1;
  readonly state: StatusState;
  /**
   * Epoch ms that orders statuses (see `mergeStatus`). For "online" it is the
   * connection's time, and the connection's last will carries the SAME `at`
   * (set at connect, when nobody knows when it will fire), so for an
   * offline-by-will it is NOT when the publisher went offline: see `since`.
   */
  readonly at: number;
  /**
   * Epoch ms since when the state holds, as first noticed: a last will fires
   * without it, and the ward's bridge (or a dashboard) that sees the will
   * arrive live stamps the time it noticed it. Shown as "mất kết nối từ …";
   * absent, consumers fall back to `at`.
   */
  readonly since?: number;
  /** Terminal kind: a serial button box or a touchscreen kiosk. */
  readonly kind?: VoteSource;
  /** Factory-unique hardware id (HELLO `uid`). */
  readonly uid?: string;
  readonly model?: string;
  readonly firmware?: string;
  /** Error counters by code since the publisher started (e.g. `bad-crc`). */
  readonly errors?: Readonly<Record<string, number>>;
  /**
   * Kiosks: epoch ms this device first took this terminal id (kept in its
   * storage with its `uid`). Two devices opened on one kiosk URL share the
   * MQTT client id and knock each other off the broker; of the two, the
   * earlier claim keeps the terminal and the later yields (`keepsTerminal`).
   */
  readonly claimedAt?: number;
  /**
   * Button boxes: the supply voltage in mV that the box measured at its
   * boot, present only when it was below the box's safe level for EEPROM
   * writes (EVENT LOWV, PROTOCOL.md §5.9): a weak USB port or cable, or a box
   * flashed without the brown-out fuse. The bridge drops it when the box
   * starts a new session without reporting LOWV.
   */
  readonly supplyMv?: number;
  /**
   * Button boxes: present when the box's fuses lack the power-cut protection
   * flash-isp sets (EVENT FUSE, PROTOCOL.md §5.9): a box flashed through a
   * bootloader. The bridge drops it when the box starts a new session without
   * reporting FUSE.
   */
  readonly fuses?: BoxFuses;
  /** A bridge's forwarding to its district/province hub, when it has an upstream (`_bridge/status` only). */
  readonly upstream?: UpstreamProgress;
}

/** A protection a box's fuses may lack: the 4.3 V brown-out reset, or EESAVE (the EEPROM survives a chip erase). */
export type FuseProtection = 'BOD' | 'EESAVE';

/** All `FuseProtection`s, in the order a status lists them. */
export const FUSE_PROTECTIONS: readonly FuseProtection[] = ['BOD', 'EESAVE'];

/** A box's extended and high fuse bytes as it read them at boot, and what they lack (never empty). */
export interface BoxFuses {
  /** Extended fuse byte (BODLEVEL in bits 2..0). */
  readonly efuse: number;
  /** High fuse byte (EESAVE in bit 3). */
  readonly hfuse: number;
  /** The protections missing, in `FUSE_PROTECTIONS` order, no repeats. */
  readonly missing: readonly FuseProtection[];
}

/**
 * How far a ward's bridge is with forwarding to the hub. Added in a
 * backward-compatible way: older consumers ignore the field.
 */
export interface UpstreamProgress {
  /** Connected to the hub broker now. */
  readonly connected: boolean;
  /** Stored votes the hub has not acknowledged yet. */
  readonly backlog: number;
  /** Votes acknowledged by the hub per second, over the last few seconds. */
  readonly votesPerSecond: number;
  /** Votes acknowledged by the hub since the bridge started. */
  readonly forwarded: number;
  /** Epoch ms of the hub's last acknowledgement, when there was one. */
  readonly lastAckAt?: number;
  /** Stored votes not forwarded because their topic is another place's (e.g. an id before a merger). */
  readonly skipped?: number;
  /** Supervisors' revocations (`hailong revoke`) the hub has not acknowledged yet, when there are any. */
  readonly revocationBacklog?: number;
  /** Votes the hub's broker acknowledged that no archive receipt named yet, when there are any (core/archive-receipt.ts). */
  readonly unarchived?: number;
  /** Votes forwarded again since the bridge started because the broker acknowledged them and the archive never got them. */
  readonly reforwarded?: number;
}

/** Allowed values of `state`. */
export const STATUS_STATES: readonly StatusState[] = ['online', 'offline'];

/** Longest status payload accepted as JSON text. */
export const STATUS_MAX_CHARS = 8192;

/** Highest `supplyMv` accepted: a 5 V box measures at most ~5.5 V; the EVENT value field allows more, so leave room. */
export const MAX_SUPPLY_MV = 20_000;

/** Most error counters one status may carry. */
export const MAX_ERROR_COUNTERS = 64;

// Supersets of the serial protocol's tokens (uid 32, model/firmware 16), so
// that kiosks with UUIDs and longer version strings fit too.
const UID_RE = /^[A-Za-z0-9._:-]{1,64}$/;
const MODEL_RE = /^[A-Za-z0-9._+-]{1,32}$/;
// Error codes start with a letter or digit, so `__proto__` can never be a key.
const COUNTER_KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

function readErrors(value: unknown): Record<string, number> {
  const o = objectAt(value, 'errors');
  const keys = Object.keys(o);
  if (keys.length > MAX_ERROR_COUNTERS) {
    reject('out-of-range', `errors has ${keys.length} counters, at most ${MAX_ERROR_COUNTERS}`, 'errors');
  }
  const errors: Record<string, number> = {};
  for (const key of keys.sort()) {
    const f = fieldPath('errors', key);
    tokenAt(key, f, COUNTER_KEY_RE, 'counter names are [A-Za-z0-9._-], 1–32 chars');
    errors[key] = intIn(optionalField(o, key), f, 0, Number.MAX_SAFE_INTEGER);
  }
  return errors;
}

function readUpstream(value: unknown): UpstreamProgress {
  const o = objectAt(value, 'upstream');
  const count = (key: string) =>
    intIn(requiredField(o, key, fieldPath('upstream', key)), fieldPath('upstream', key), 0, Number.MAX_SAFE_INTEGER);
  const progress: { -readonly [K in keyof UpstreamProgress]: UpstreamProgress[K] } = {
    connected: booleanAt(requiredField(o, 'connected', 'upstream.connected'), 'upstream.connected'),
    backlog: count('backlog'),
    votesPerSecond: count('votesPerSecond'),
    forwarded: count('forwarded'),
  };
  const lastAckAt = optionalField(o, 'lastAckAt');
  if (lastAckAt !== undefined) progress.lastAckAt = intIn(lastAckAt, 'upstream.lastAckAt', 0, MAX_EPOCH_MS);
  const skipped = optionalField(o, 'skipped');
  if (skipped !== undefined) progress.skipped = intIn(skipped, 'upstream.skipped', 0, Number.MAX_SAFE_INTEGER);
  const revocationBacklog = optionalField(o, 'revocationBacklog');
  if (revocationBacklog !== undefined)
    progress.revocationBacklog = intIn(revocationBacklog, 'upstream.revocationBacklog', 0, Number.MAX_SAFE_INTEGER);
  for (const key of ['unarchived', 'reforwarded'] as const) {
    const value = optionalField(o, key);
    if (value !== undefined) progress[key] = intIn(value, fieldPath('upstream', key), 0, Number.MAX_SAFE_INTEGER);
  }
  return progress;
}

function readFuses(value: unknown): BoxFuses {
  const o = objectAt(value, 'fuses');
  const byte = (key: 'efuse' | 'hfuse') => intIn(requiredField(o, key, `fuses.${key}`), `fuses.${key}`, 0, 255);
  const efuse = byte('efuse');
  const hfuse = byte('hfuse');
  const list = requiredField(o, 'missing', 'fuses.missing');
  if (!Array.isArray(list) || list.length === 0 || list.length > FUSE_PROTECTIONS.length) {
    reject('bad-type', `fuses.missing must list 1–${FUSE_PROTECTIONS.length} of ${FUSE_PROTECTIONS.join(', ')}`, 'fuses.missing');
  }
  const missing = (list as unknown[]).map((p, i) => enumAt(p, `fuses.missing[${i}]`, FUSE_PROTECTIONS));
  if (missing.some((p, i) => i > 0 && FUSE_PROTECTIONS.indexOf(p) <= FUSE_PROTECTIONS.indexOf(missing[i - 1]!))) {
    reject('bad-order', `fuses.missing must be in the order ${FUSE_PROTECTIONS.join(', ')} without repeats`, 'fuses.missing');
  }
  return { efuse, hfuse, missing };
}

function readStatus(root: unknown): Status {
  const o = objectAt(root, undefined);
  const status: { -readonly [K in keyof Status]: Status[K] } = {
    v: versionOne(o),
    state: enumAt(requiredField(o, 'state', 'state'), 'state', STATUS_STATES),
    at: intIn(requiredField(o, 'at', 'at'), 'at', 0, MAX_EPOCH_MS),
  };
  const since = optionalField(o, 'since');
  if (since !== undefined) status.since = intIn(since, 'since', 0, MAX_EPOCH_MS);
  const kind = optionalField(o, 'kind');
  if (kind !== undefined) status.kind = enumAt(kind, 'kind', VOTE_SOURCES);
  const uid = optionalField(o, 'uid');
  if (uid !== undefined) status.uid = tokenAt(uid, 'uid', UID_RE, 'uids are [A-Za-z0-9._:-], 1–64 chars');
  const model = optionalField(o, 'model');
  if (model !== undefined) status.model = tokenAt(model, 'model', MODEL_RE, '[A-Za-z0-9._+-], 1–32 chars');
  const firmware = optionalField(o, 'firmware');
  if (firmware !== undefined) {
    status.firmware = tokenAt(firmware, 'firmware', MODEL_RE, '[A-Za-z0-9._+-], 1–32 chars');
  }
  const errors = optionalField(o, 'errors');
  if (errors !== undefined) status.errors = readErrors(errors);
  const upstream = optionalField(o, 'upstream');
  if (upstream !== undefined) status.upstream = readUpstream(upstream);
  const supplyMv = optionalField(o, 'supplyMv');
  if (supplyMv !== undefined) status.supplyMv = intIn(supplyMv, 'supplyMv', 0, MAX_SUPPLY_MV);
  const fuses = optionalField(o, 'fuses');
  if (fuses !== undefined) status.fuses = readFuses(fuses);
  const claimedAt = optionalField(o, 'claimedAt');
  if (claimedAt !== undefined) status.claimedAt = intIn(claimedAt, 'claimedAt', 0, MAX_EPOCH_MS);
  return status;
}

/** A device's claim on a terminal id: its install `uid` and when it took the terminal. */
export interface TerminalClaim {
  readonly uid: string;
  readonly claimedAt?: number;
}

/**
 * Two devices claim one terminal id: true when `mine` keeps it. The earlier
 * claim keeps it (the tablet that was there first); a claim without a time
 * (a kiosk too old to send one, which will never yield) counts as earliest;
 * on a tie the smaller uid keeps it. Both devices reach the same verdict.
 */
export function keepsTerminal(mine: TerminalClaim, theirs: TerminalClaim): boolean {
  const a = mine.claimedAt ?? Number.NEGATIVE_INFINITY;
  const b = theirs.claimedAt ?? Number.NEGATIVE_INFINITY;
  if (a !== b) return a < b;
  return mine.uid < theirs.uid;
}

/** Error counter a kiosk reports in its status after it saw another device on its terminal id. */
export const DUPLICATE_DEVICE = 'duplicate-device';

/** When the status's state began, as far as known: `since` when stamped, else `at`. */
export function statusSince(status: Status): number {
  return status.since ?? status.at;
}

/** Validates a status payload (JSON text or value); never throws. */
export function parseStatus(input: unknown): InputResult<Status> {
  return decodeWith(input, STATUS_MAX_CHARS, readStatus);
}

/**
 * Of two statuses of the same terminal (or bridge), the newer one: higher
 * `at` wins; on the same `at` offline wins, because a publisher's last will
 * carries the `at` of the connection whose "online" it ends (bridge and
 * kiosk publish "online" with their will's `at`); then the JSON text, so
 * the rule is commutative, associative and idempotent. Consumers must use
 * it rather than arrival order: a broker may deliver an old retained status
 * after a live newer one to a client that is just subscribing (Aedes).
 * Of two copies of one will, the one stamped with `since` wins, and of two
 * stamps the earlier (who noticed first was closest to the moment it died).
 */
export function mergeStatus(a: Status, b: Status): Status {
  if (a.at !== b.at) return a.at > b.at ? a : b;
  if (a.state !== b.state) return a.state === 'offline' ? a : b;
  if (a.since !== b.since) {
    if (a.since === undefined) return b;
    if (b.since === undefined) return a;
    return a.since < b.since ? a : b;
  }
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  return ja >= jb ? a : b;
}
