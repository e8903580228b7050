/**
 * The kiosk's side of the topic map (core/topic.ts): what it subscribes to
 * (exactly what the broker's kiosk ACL lets it read: its own config,
 * tallies and receipt, its counter's `_served` and `_session`, its ward's `_office`)
 * and the status payloads it publishes, last will included.
 */
import { publicationFor, topicFor } from '../../../core/index.ts';
import type { Publication, Status, TerminalPath } from '../../../core/index.ts';

/** Kiosk software version, reported in the retained status. */
export const KIOSK_VERSION = '0.1.0';

/** Model name in the retained status. */
export const KIOSK_MODEL = 'hailong-kiosk';

/**
 * The subscriptions of one kiosk, QoS 1. Narrower than the ACL's
 * `…/{c}/{t}/#`: the kiosk does not need its own votes and status echoed back.
 */
export function kioskSubscriptions(p: TerminalPath): { topic: string; qos: 1 }[] {
  const terminalRoot = topicFor('config', p).slice(0, -'/config'.length);
  return [
    { topic: topicFor('config', p), qos: 1 },
    { topic: `${terminalRoot}/tally/+`, qos: 1 },
    // The bridge's receipt: which of its votes are journaled (only those leave the outbox).
    { topic: topicFor('receipt', p), qos: 1 },
    { topic: topicFor('served', p), qos: 1 },
    { topic: topicFor('session', p), qos: 1 },
    { topic: topicFor('office', p), qos: 1 },
    // Its own status: another device's "online" here means two devices share this kiosk URL.
    { topic: topicFor('status', p), qos: 1 },
  ];
}

/** The status payload of this kiosk. `errors` are counters by code since start. */
export function kioskStatus(
  state: Status['state'],
  at: number,
  uid: string,
  errors: Readonly<Record<string, number>>,
  claimedAt?: number,
): Status {
  return {
    v: 1,
    state,
    at,
    kind: 'touch',
    uid,
    model: KIOSK_MODEL,
    firmware: KIOSK_VERSION,
    ...(Object.keys(errors).length === 0 ? {} : { errors: { ...errors } }),
    ...(claimedAt === undefined ? {} : { claimedAt }),
  };
}

/** The retained status publication (online, offline, or the last will). */
export function statusPublication(p: TerminalPath, status: Status): Publication<'status'> {
  return publicationFor('status', p, status);
}

/** Another device's status on this terminal is a live claim when it is online and this recent (older: a stale retained leftover). */
export const CLAIM_FRESH_MS = 5 * 60_000;

/** A random install id for the status `uid` (crypto.randomUUID needs a secure context, so fall back). */
export function newInstallId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return `kiosk-${c.randomUUID()}`;
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return `kiosk-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
