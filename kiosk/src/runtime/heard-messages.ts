/**
 * What a message heard on the kiosk's topics does to its screen: a config
 * (scale, mode, timings), a `_served` event that opens the gated rating
 * window, the officer's session (the name on the screen) and the office
 * (the counter's name). Pure: the runtime (kiosk-runtime.ts) keeps what it
 * heard (kiosk-memory.ts) and shows the snapshot this returns.
 */
import type { TopicMessage } from '../../../core/index.ts';
import type { KioskOptions } from '../identity/kiosk-options.ts';
import * as machine from '../terminal/terminal-machine.ts';
import { officeNames, type KioskSnapshot } from './kiosk-snapshot.ts';
import { settingsFrom } from './kiosk-settings.ts';

/** `_served` events older than the window plus this are stale replays (a queued session), not a new service. */
export const SERVED_STALE_MS = 120_000;

/** The heard messages that change what the screen shows. */
export type ScreenMessage = Extract<TopicMessage, { kind: 'config' | 'served' | 'session' | 'office' }>;

/** The snapshot once `m` is heard at `now`; undefined when it changes nothing (a stale `_served` replay). */
export function snapshotAfter(s: KioskSnapshot, m: ScreenMessage, now: number, options: KioskOptions): KioskSnapshot | undefined {
  switch (m.kind) {
    case 'config':
      return { ...s, terminal: machine.configure(s.terminal, settingsFrom(m.payload, options)) };
    case 'served': {
      if (m.payload.at < now - s.terminal.settings.windowMs - SERVED_STALE_MS) return undefined;
      const event = {
        ...(m.payload.ticket === undefined ? {} : { ticket: m.payload.ticket }),
        ...(m.payload.officer === undefined ? {} : { officer: m.payload.officer }),
      };
      return { ...s, terminal: machine.served(s.terminal, now, event) };
    }
    case 'session': {
      // A logout (or a session without a name) leaves no name on the screen.
      const { officerName: _old, ...rest } = s;
      return m.payload.name === undefined || m.payload.officer === null ? rest : { ...rest, officerName: m.payload.name };
    }
    case 'office':
      return { ...s, ...officeNames(m.payload, options.counter) };
  }
}
