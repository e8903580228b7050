/**
 * What a kiosk keeps across reloads in its outbox's meta store (IndexedDB,
 * beside its votes): the last config, officer session and office names heard
 * on MQTT, so a kiosk reloaded offline shows the same screen; its install id
 * (this device's identity in its status); and when this device took the
 * terminal id, since the earlier claim keeps the terminal (device-claim.ts).
 * Only the leader tab writes what is heard (kiosk-runtime.ts).
 */
import type { Office, Session, TerminalConfig } from '../../../core/index.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { newInstallId } from './terminal-topics.ts';

/** What the kiosk heard last on MQTT and keeps, by meta key. */
export interface HeardState {
  readonly config: TerminalConfig;
  readonly session: Session;
  readonly office: Office;
}

/** Everything restored at start. */
export interface KioskMemory {
  readonly config: TerminalConfig | undefined;
  readonly session: Session | undefined;
  readonly office: Office | undefined;
  /** This device's id, made on its first start. */
  readonly installId: string;
  /** When this device first took this terminal id (ms). */
  readonly claimedAt: number;
}

/** Reads the kept state; on a first start makes the install id and the claim time (`now`) and keeps them. */
export async function recall(outbox: Outbox, now: number): Promise<KioskMemory> {
  const config = await outbox.getMeta<TerminalConfig>('config');
  const session = await outbox.getMeta<Session>('session');
  const office = await outbox.getMeta<Office>('office');
  const installId = (await outbox.getMeta<string>('installId')) ?? newInstallId();
  await outbox.setMeta('installId', installId);
  const claimedAt = (await outbox.getMeta<number>('claimedAt')) ?? now;
  await outbox.setMeta('claimedAt', claimedAt);
  return { config, session, office, installId, claimedAt };
}

/** Keeps what was heard on MQTT for the next start. */
export function remember<K extends keyof HeardState>(outbox: Outbox, key: K, value: HeardState[K]): Promise<void> {
  return outbox.setMeta(key, value);
}
