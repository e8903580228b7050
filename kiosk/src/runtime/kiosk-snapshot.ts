/** What the kiosk runtime needs (its adapters) and what it shows (its snapshot). */
import type { LinkState, Office } from '../../../core/index.ts';
import type { KioskOptions } from '../identity/kiosk-options.ts';
import type { MqttClientOptions } from '../mqtt/lazy-mqtt-client.ts';
import type { Outbox, OutboxStats } from '../outbox/outbox.ts';
import { initialState, type TerminalState } from '../terminal/terminal-machine.ts';
import type { VoicePrompt } from '../voice/voice-prompt.ts';
import type { LinkClient } from './broker-link.ts';
import { settingsFrom } from './kiosk-settings.ts';
import type { Leadership, TabMessage } from './leadership.ts';

/** Adapters the runtime runs on. */
export interface KioskDeps {
  openOutbox(options: KioskOptions): Promise<Outbox>;
  createClient(options: MqttClientOptions): LinkClient;
  joinTabs(name: string, onLead: () => void, onMessage: (m: TabMessage) => void): Leadership;
  voice: VoicePrompt;
  now(): number;
}

/** What the views render. */
export interface KioskSnapshot {
  readonly options: KioskOptions;
  /** The outbox is open: taps can be stored. */
  readonly ready: boolean;
  readonly terminal: TerminalState;
  readonly link: LinkState;
  readonly leader: boolean;
  readonly stats: OutboxStats;
  readonly contrast: boolean;
  readonly voice: boolean;
  /** A tap could not be stored (shown instead of the thank-you). */
  readonly fault: boolean;
  readonly counterName?: string;
  readonly officerName?: string;
  /** Problem counters by code since start (also in the retained status). */
  readonly problems: Readonly<Record<string, number>>;
  /** The latest problem messages, newest first (for the staff page). */
  readonly problemLog: readonly string[];
  /**
   * Another device uses this kiosk's address and was there first: this one
   * gave the terminal up (no connection, no taps) until staff retry.
   */
  readonly conflict?: { readonly otherUid: string; readonly at: number };
  /** The last scanner input that was not a dossier code (shown until the next good scan or vote). */
  readonly scanRefused?: string;
}

/** The snapshot before the outbox is open: default settings, offline, no problems. */
export function initialSnapshot(options: KioskOptions): KioskSnapshot {
  return {
    options,
    ready: false,
    terminal: initialState(settingsFrom(undefined, options)),
    link: 'offline',
    leader: false,
    stats: { pending: 0, drafts: 0, unconfirmed: 0, highWater: 0 },
    contrast: options.contrast,
    voice: options.voice,
    fault: false,
    problems: {},
    problemLog: [],
  };
}

/** The snapshot patch naming this kiosk's counter from the retained office (nothing when the office lacks it). */
export function officeNames(office: Office, counterId: string): Partial<KioskSnapshot> {
  const counter = office.counters.find((c) => c.id === counterId);
  return counter === undefined ? {} : { counterName: counter.name };
}
