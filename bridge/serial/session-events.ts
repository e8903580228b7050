/**
 * Events of a `TerminalSession`, as a typed map for its emitter. The bridge
 * turns them into MQTT statuses, logs and counters.
 */
import type { HelloMessage } from '../../firmware-protocol/src/message.ts';
import type { PlacedTerminal } from '../config/hailong-config.ts';
import type { RefusalCode } from './session-context.ts';

/** The typed event map of `TerminalSession`. */
export interface SessionEvents {
  /** A terminal identified itself (HELLO accepted) or spoke again after being offline. */
  online: [terminal: PlacedTerminal, hello: HelloMessage];
  /** The identified terminal went silent (heartbeat timeout) or its port closed. */
  offline: [terminal: PlacedTerminal, reason: 'heartbeat' | 'port-closed' | 'replaced'];
  /** A device was refused (not in the config, or on the wrong port). Repeats are throttled. */
  refused: [uid: string, code: RefusalCode, message: string];
  /** An EVENT from the terminal (BOOT, STUCK, LOWV, FULL, …). */
  'device-event': [terminal: PlacedTerminal | undefined, code: string, value: string];
  /** A frame or vote problem on this port, by code (`bad-crc`, `storage`, …). */
  problem: [code: string, message: string];
}
