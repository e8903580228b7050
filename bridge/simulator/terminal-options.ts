/**
 * Options of a VirtualTerminal and their defaults. The timing defaults are
 * the protocol's own (PROTOCOL.md §6.1, §6.3, §7.2); tests shrink them.
 */
import { isTokenString } from '../../firmware-protocol/src/field.ts';
import { BOOT_CAUSES, MAX_IN_FLIGHT, TERMINAL_BUFFER_VOTES, TOKENS, type TokenGrammar } from '../../firmware-protocol/src/index.ts';
import { systemClock, type Clock } from './clock.ts';
import { MemoryTerminalStore, type StoredConfig, type TerminalStore } from './terminal-store.ts';
import type { TerminalTransport } from './transport.ts';

/** A reset cause for EVENT BOOT (§5.9). */
export type BootCause = (typeof BOOT_CAUSES)[number];

/** Options of a VirtualTerminal. */
export interface VirtualTerminalOptions {
  /** Factory-unique id sent in HELLO, `[A-Za-z0-9._-]{1,32}`, e.g. `SIM-01`. Required. */
  uid: string;
  /** The serial line. Required. */
  transport: TerminalTransport;
  /**
   * Hardware model in HELLO.
   * @default "HLSIM"
   */
  model?: string;
  /**
   * Firmware version in HELLO.
   * @default "1.0.0+sim"
   */
  firmware?: string;
  /**
   * Physical buttons fitted (HELLO `buttons`), 2..9.
   * @default 3
   */
  buttons?: number;
  /**
   * Votes the buffer holds before refusing presses (§7.4), 1..65535.
   * @default 64
   */
  capacity?: number;
  /**
   * The send window asked for in HELLO `inFlight` (PROTOCOL.md §7.7), 1..64, and this box's Wmax
   * in the §7.6 rule. 1 = a 1.0 box: HELLO without the field, stop-and-wait.
   * @default 1
   */
  inFlight?: number;
  /**
   * Non-volatile storage; survives `reboot()`.
   * @default a new MemoryTerminalStore
   */
  store?: TerminalStore;
  /**
   * Time source and timers.
   * @default systemClock
   */
  clock?: Clock;
  /**
   * HELLO repetition until WELCOME (§6.1).
   * @default 2000
   */
  helloIntervalMs?: number;
  /**
   * HELLO repetition after `NAK,0,VERSION` (§6.2 allows slowing to once per 30 s).
   * @default 30000
   */
  refusedHelloIntervalMs?: number;
  /**
   * First ACK timeout; each timeout doubles it (§7.2).
   * @default 1000
   */
  ackTimeoutMs?: number;
  /**
   * Cap of the doubled ACK timeout (§7.2).
   * @default 30000
   */
  maxAckTimeoutMs?: number;
  /**
   * Silence from the bridge after which the link counts as lost (§6.3).
   * @default 15000
   */
  linkLostMs?: number;
  /**
   * Cause in the EVENT BOOT of the first `start()`.
   * @default "POWERON"
   */
  bootCause?: BootCause;
  /**
   * Settings used until the first CONFIG when the store holds none (§5.7:
   * OPEN mode, LEDs and buzzer on). `buttons` defaults to the physical count.
   * @default { cooldownMs: 0, mode: "OPEN", windowMs: 30000, leds: true, buzzer: true }
   */
  factoryConfig?: Partial<StoredConfig>;
}

/** VirtualTerminalOptions with every default applied. */
export type ResolvedTerminalOptions = Readonly<Required<Omit<VirtualTerminalOptions, 'factoryConfig'>> & { factoryConfig: StoredConfig }>;

function int(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new TypeError(`"${name}" must be an integer ${min}..${max}, got ${String(value)}`);
  return value;
}

function token(name: string, value: unknown, grammar: TokenGrammar): string {
  if (typeof value !== 'string' || !isTokenString(grammar, value)) {
    throw new TypeError(`"${name}" must match ${grammar.pattern}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Applies defaults and checks every option once; throws naming the option (a programmer error). */
export function resolveTerminalOptions(o: VirtualTerminalOptions): ResolvedTerminalOptions {
  if (typeof o !== 'object' || o === null) throw new TypeError('VirtualTerminal options must be an object');
  if (typeof o.transport !== 'object' || o.transport === null || typeof o.transport.write !== 'function') {
    throw new TypeError('"transport" must be a TerminalTransport');
  }
  const buttons = int('buttons', o.buttons ?? 3, 2, 9);
  const ackTimeoutMs = int('ackTimeoutMs', o.ackTimeoutMs ?? 1000, 1, 3_600_000);
  const bootCause = o.bootCause ?? 'POWERON';
  if (!BOOT_CAUSES.includes(bootCause)) throw new TypeError(`"bootCause" must be one of ${BOOT_CAUSES.join(', ')}`);
  const f = o.factoryConfig ?? {};
  const mode = f.mode ?? 'OPEN';
  if (mode !== 'OPEN' && mode !== 'GATED') throw new TypeError('"factoryConfig.mode" must be "OPEN" or "GATED"');
  const factoryConfig: StoredConfig = Object.freeze({
    buttons: int('factoryConfig.buttons', f.buttons ?? buttons, 2, buttons),
    cooldownMs: int('factoryConfig.cooldownMs', f.cooldownMs ?? 0, 0, 600000),
    mode,
    windowMs: int('factoryConfig.windowMs', f.windowMs ?? 30000, 1000, 600000),
    leds: f.leds ?? true,
    buzzer: f.buzzer ?? true,
  });
  return Object.freeze({
    uid: token('uid', o.uid, TOKENS.uid),
    transport: o.transport,
    model: token('model', o.model ?? 'HLSIM', TOKENS.model),
    firmware: token('firmware', o.firmware ?? '1.0.0+sim', TOKENS.firmware),
    buttons,
    capacity: int('capacity', o.capacity ?? TERMINAL_BUFFER_VOTES, 1, 65535),
    inFlight: int('inFlight', o.inFlight ?? 1, 1, MAX_IN_FLIGHT),
    store: o.store ?? new MemoryTerminalStore(),
    clock: o.clock ?? systemClock,
    helloIntervalMs: int('helloIntervalMs', o.helloIntervalMs ?? 2000, 1, 3_600_000),
    refusedHelloIntervalMs: int('refusedHelloIntervalMs', o.refusedHelloIntervalMs ?? 30000, 1, 3_600_000),
    ackTimeoutMs,
    maxAckTimeoutMs: int('maxAckTimeoutMs', o.maxAckTimeoutMs ?? 30000, ackTimeoutMs, 3_600_000),
    linkLostMs: int('linkLostMs', o.linkLostMs ?? 15000, 1, 3_600_000),
    bootCause,
    factoryConfig,
  });
}
