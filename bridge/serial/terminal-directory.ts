/**
 * Which configured terminal a box is. A box is identified by the uid it
 * says in HELLO, never by its port, because a device that re-enumerates
 * comes back under another ttyACM/ttyUSB number, and its /dev/serial/by-id
 * link is gone while it does (test/bridge/serial/serial-ports.test.ts).
 * A terminal may additionally be pinned to a port:
 * then another uid on that port (a swapped or foreign box) is refused, and
 * so is the pinned box on another port.
 */
import { realpathSync } from 'node:fs';
import type { ConfigMessage, HelloMessage } from '../../firmware-protocol/src/message.ts';
import type { HailongConfig, PlacedTerminal } from '../config/hailong-config.ts';
import { terminalsOf } from '../config/hailong-config.ts';
import type { Identification } from './session-context.ts';

/** Resolves a path to the device it names (by-id links), or itself when it cannot. */
export type RealPath = (path: string) => string;

/** The real resolver: symlinks followed, missing paths returned as given. */
export const nodeRealPath: RealPath = (path) => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/** The office's button boxes by uid and by pinned port. */
export class TerminalDirectory {
  private readonly byUid = new Map<string, PlacedTerminal>();
  private readonly pinned: PlacedTerminal[] = [];

  constructor(
    private readonly config: HailongConfig,
    private readonly realPath: RealPath = nodeRealPath,
  ) {
    for (const t of terminalsOf(config)) {
      if (t.kind !== 'button' || t.uid === undefined) continue;
      this.byUid.set(t.uid, t);
      if (t.port !== undefined) this.pinned.push(t);
    }
  }

  /** Paths that terminals are pinned to (the port manager always watches them). */
  pinnedPorts(): string[] {
    return this.pinned.map((t) => t.port as string);
  }

  /** Identifies a HELLO received on `portPath`. */
  identify(hello: HelloMessage, portPath: string): Identification {
    const here = this.realPath(portPath);
    const pinnedHere = this.pinned.find((t) => this.realPath(t.port as string) === here);
    if (pinnedHere !== undefined && pinnedHere.uid !== hello.uid) {
      return {
        ok: false,
        code: 'wrong-uid',
        message: `port ${portPath} is pinned to ${pinnedHere.counter.id}/${pinnedHere.id} (uid ${pinnedHere.uid}), but a box with uid ${hello.uid} answered: a swapped or foreign box`,
      };
    }
    const terminal = this.byUid.get(hello.uid);
    if (terminal === undefined) {
      return {
        ok: false,
        code: 'unknown-uid',
        message: `box ${hello.uid} (${hello.model} ${hello.firmware}) on ${portPath} is not in the config: add it under a counter's terminals (kind: button, uid: ${hello.uid}); it keeps its votes until then`,
      };
    }
    if (terminal.port !== undefined && this.realPath(terminal.port) !== here) {
      return {
        ok: false,
        code: 'wrong-port',
        message: `box ${hello.uid} (${terminal.counter.id}/${terminal.id}) is pinned to ${terminal.port} but answered on ${portPath}`,
      };
    }
    return { ok: true, terminal };
  }

  /** The CONFIG for a terminal: the office's rating settings, buttons limited to what the box has. */
  configFor(terminal: PlacedTerminal, hello: HelloMessage): ConfigMessage {
    const r = this.config.rating;
    return {
      type: 'CONFIG',
      // PROTOCOL.md §5.7: never more buttons than the box reported.
      buttons: Math.min(this.config.scale.levels.length, hello.buttons),
      cooldownMs: r.cooldownMs,
      mode: terminal.counter.mode === 'gated' ? 'GATED' : 'OPEN',
      windowMs: r.windowMs,
      leds: true,
      buzzer: true,
    };
  }
}
