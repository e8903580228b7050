/**
 * Fleets of virtual terminals wired to their cables, ready for a Simulation
 * or a bridge: in-process stream pairs (tests, benchmarks), fresh socat pty
 * pairs (`hailong simulate`, process-level fault tests), or existing serial
 * device paths (`hailong simulate --port`).
 */
import { createSocatPair, type SocatPair } from './socat-pair.ts';
import { createStreamPair, type BridgeEndpoint, type StreamPair } from './stream-transport.ts';
import type { TerminalStore } from './terminal-store.ts';
import type { VirtualTerminalOptions } from './terminal-options.ts';
import { PtyTransport, type PtyTransportOptions } from './pty-transport.ts';
import { VirtualTerminal } from './virtual-terminal.ts';

/** Options shared by every fleet. */
export interface FleetOptions {
  /**
   * Prefix of the uids: terminal i (from 1) is `<prefix><i>`, zero-padded to
   * at least 2 digits, e.g. `SIM-01`.
   * @default "SIM-"
   */
  uidPrefix?: string;
  /** Store of each terminal, by uid. @default a MemoryTerminalStore each */
  store?: (uid: string) => TerminalStore;
  /** Further terminal options (timings, buttons, capacity, clock…), the same for all. */
  terminal?: Omit<VirtualTerminalOptions, 'uid' | 'transport' | 'store'>;
}

/** The uids of a fleet of `count` terminals. */
export function fleetUids(count: number, prefix = 'SIM-'): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 9999)
    throw new TypeError(`"count" must be an integer 1..9999, got ${String(count)}`);
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);
}

function makeTerminal(uid: string, transport: VirtualTerminal['options']['transport'], options: FleetOptions): VirtualTerminal {
  const store = options.store?.(uid);
  return new VirtualTerminal({ ...options.terminal, uid, transport, ...(store ? { store } : {}) });
}

/** Terminals over in-process stream pairs. */
export interface StreamFleet {
  readonly terminals: readonly VirtualTerminal[];
  readonly pairs: readonly StreamPair[];
  /** The current bridge side of every pair (hand these to the bridge). */
  readonly bridgeSides: readonly BridgeEndpoint[];
  /** Powers every terminal on. */
  start(): void;
  /** Powers off and unplugs everything. */
  close(): Promise<void>;
}

/** `count` terminals, each on its own in-process stream pair (powered off until start()). */
export function createStreamFleet(count: number, options: FleetOptions = {}): StreamFleet {
  const uids = fleetUids(count, options.uidPrefix);
  const pairs = uids.map((uid) => createStreamPair({ name: uid }));
  const terminals = uids.map((uid, i) => makeTerminal(uid, pairs[i]!.terminalSide, options));
  return {
    terminals,
    pairs,
    get bridgeSides() {
      return pairs.map((p) => p.bridgeSide);
    },
    start: () => terminals.forEach((t) => t.start()),
    close: async () => {
      await Promise.all(terminals.map((t) => t.close()));
    },
  };
}

/** Terminals over serial device paths (socat pairs or existing ports). */
export interface PtyFleet {
  readonly terminals: readonly VirtualTerminal[];
  readonly transports: readonly PtyTransport[];
  /** The socat pairs (empty when attached to existing paths). */
  readonly pairs: readonly SocatPair[];
  /** What the terminals open: the device end of each pair, or the given paths. */
  readonly devicePaths: readonly string[];
  /** What the bridge opens: the host end of each pair (empty when attached to existing paths). */
  readonly hostPaths: readonly string[];
  /** Powers every terminal on. */
  start(): void;
  /** Powers off, closes the ports and stops socat. */
  close(): Promise<void>;
}

/** Options of createPtyFleet. */
export interface PtyFleetOptions extends FleetOptions {
  /** Folder for the pty links (`<uid>-device`, `<uid>-host`). Required. */
  dir: string;
  /** socat executable. @default process.env.SOCAT_PATH ?? "/usr/bin/socat" */
  socatPath?: string;
  /** Reopen timing of the device ends. */
  reopen?: Pick<PtyTransportOptions, 'reopenMinMs' | 'reopenMaxMs'>;
  /** Called when a socat exits on its own (the pair then stays unplugged). */
  onUnexpectedExit?: (uid: string, code: number | null, signal: NodeJS.Signals | null) => void;
}

function ptyFleet(terminals: VirtualTerminal[], transports: PtyTransport[], pairs: SocatPair[], hostPaths: string[]): PtyFleet {
  return {
    terminals,
    transports,
    pairs,
    devicePaths: transports.map((t) => t.name),
    hostPaths,
    start: () => terminals.forEach((t) => t.start()),
    close: async () => {
      await Promise.all(terminals.map((t) => t.close()));
      await Promise.all(pairs.map((p) => p.close()));
    },
  };
}

/** `count` terminals, each on a fresh socat pair in `dir`; resolves once every device end is open. */
export async function createPtyFleet(count: number, options: PtyFleetOptions): Promise<PtyFleet> {
  const uids = fleetUids(count, options.uidPrefix);
  const pairs: SocatPair[] = [];
  try {
    for (const uid of uids) {
      pairs.push(
        await createSocatPair({
          dir: options.dir,
          name: uid,
          ...(options.socatPath ? { socatPath: options.socatPath } : {}),
          onUnexpectedExit: (code, signal) => options.onUnexpectedExit?.(uid, code, signal),
        }),
      );
    }
  } catch (error) {
    await Promise.all(pairs.map((p) => p.close()));
    throw error;
  }
  const transports = pairs.map((p) => new PtyTransport({ path: p.device, ...options.reopen }));
  await Promise.all(transports.map((t) => t.waitUp()));
  const terminals = uids.map((uid, i) => makeTerminal(uid, transports[i]!, options));
  return ptyFleet(
    terminals,
    transports,
    pairs,
    pairs.map((p) => p.host),
  );
}

/** One terminal per existing serial device path (e.g. the device ends of pairs made elsewhere). */
export function attachPtyFleet(paths: readonly string[], options: FleetOptions & { reopen?: PtyFleetOptions['reopen'] } = {}): PtyFleet {
  const uids = fleetUids(paths.length, options.uidPrefix);
  const transports = paths.map((path) => new PtyTransport({ path, ...options.reopen }));
  const terminals = uids.map((uid, i) => makeTerminal(uid, transports[i]!, options));
  return ptyFleet(terminals, transports, [], []);
}
