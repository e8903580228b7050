/**
 * The validated configuration of one ward office's hailong: the office
 * (district, ward, counters and their terminals), how rating works, where
 * serial terminals are, which broker to use and who may use it. Read from
 * one YAML file (see hailong.example.yaml) by `loadConfig`, validated once.
 */
import type { OfficeOfficer } from '../../core/office.ts';
import type { OpeningHours } from '../../core/opening-hours.ts';
import type { Scale } from '../../core/scale.ts';
import type { RatingMode } from '../../core/terminal-config.ts';
import type { VoteSource } from '../../core/vote.ts';
import type { AnonymousAccess, BrokerUser } from '../broker/broker-user.ts';

/** A place with its id (topic level) and display name. */
export interface NamedPlace {
  readonly id: string;
  readonly name: string;
}

/** One rating terminal at a counter. */
export interface TerminalEntry {
  readonly id: string;
  /** `button`: a serial button box; `touch`: a kiosk on the network. */
  readonly kind: VoteSource;
  /** Button boxes: the factory-unique uid from HELLO. */
  readonly uid?: string;
  /** Button boxes: pin to this serial port (path or /dev/serial/by-id name); another uid there is refused. */
  readonly port?: string;
  /** Kiosks: password of the kiosk's broker account (username = terminal id). */
  readonly password?: string;
}

/** A counter (quầy). */
export interface CounterEntry extends NamedPlace {
  /** Overrides the office-wide rating mode for this counter. */
  readonly mode: RatingMode;
  readonly terminals: readonly TerminalEntry[];
}

/** How rating works (sent to terminals as CONFIG / the retained config topic). */
export interface RatingConfig {
  readonly cooldownMs: number;
  readonly mode: RatingMode;
  readonly windowMs: number;
  readonly reasons: readonly string[];
}

/** Where serial terminals are. */
export interface SerialConfig {
  /** `auto`: every /dev/serial/by-id, ttyACM and ttyUSB port; or explicit paths. */
  readonly ports: 'auto' | readonly string[];
  readonly baudRate: number;
  /** How often to look for new or returning ports, ms. */
  readonly scanIntervalMs: number;
}

/** An external broker (Mosquitto in production); no urls = the embedded broker. */
export interface MqttConfig {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly password?: string;
  /** PEM file of the CA that signed the broker's certificate (mqtts/wss). */
  readonly caFile?: string;
  readonly clientId?: string;
}

/** The embedded Aedes broker. */
export interface EmbeddedBrokerConfig {
  readonly port: number;
  readonly host: string;
  readonly anonymous: AnonymousAccess;
  /** Dashboard and desk accounts (bridge and kiosk accounts are derived). */
  readonly users: readonly BrokerUser[];
}

/** The web server for the dashboard, the kiosk and MQTT over WebSocket (`/mqtt`). */
export interface WebConfig {
  readonly port: number;
  readonly host: string;
}

/** The whole validated config. */
export interface HailongConfig {
  readonly district: NamedPlace;
  readonly ward: NamedPlace;
  readonly scale: Scale;
  /** Target % satisfied, 0..100. */
  readonly target: number;
  /** Fewer counted votes than this mark a figure "ít lượt" (few votes), not judged against the target. */
  readonly minVotes: number;
  /** Officers' display names by id (may be empty: names then come from desk sessions only). */
  readonly officers: readonly OfficeOfficer[];
  readonly rating: RatingConfig;
  readonly openingHours: OpeningHours;
  readonly counters: readonly CounterEntry[];
  readonly serial: SerialConfig;
  readonly mqtt: MqttConfig;
  readonly broker: EmbeddedBrokerConfig;
  readonly web: WebConfig;
  /** Folder of the journal database. */
  readonly dataDir: string;
}

/** A terminal with the counter it belongs to. */
export interface PlacedTerminal extends TerminalEntry {
  readonly counter: CounterEntry;
}

/** Every terminal of the office with its counter. */
export function terminalsOf(config: HailongConfig): PlacedTerminal[] {
  return config.counters.flatMap((counter) => counter.terminals.map((t) => ({ ...t, counter })));
}

/** True when the bridge should run the embedded broker (no external urls). */
export function usesEmbeddedBroker(config: HailongConfig): boolean {
  return config.mqtt.urls.length === 0;
}
