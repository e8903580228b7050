import { describe, expect, it } from 'vitest';
import { BRIDGE_MAX_IN_FLIGHT, MAX_IN_FLIGHT } from '../../../firmware-protocol/src/constants.ts';
import { resolveSessionOptions } from '../../../bridge/serial/terminal-session-options.ts';

describe('resolveSessionOptions', () => {
  it('applies the PROTOCOL.md §6.3 defaults and the bridge’s window', () => {
    expect(resolveSessionOptions()).toEqual({
      pingIntervalMs: 5000,
      offlineAfterMs: 15_000,
      maxNoiseNaksPerSecond: 10,
      maxInFlight: BRIDGE_MAX_IN_FLIGHT,
    });
    expect(Object.isFrozen(resolveSessionOptions({ maxInFlight: 1 }))).toBe(true);
  });

  it('throws naming an option that is not a positive integer', () => {
    expect(() => resolveSessionOptions({ pingIntervalMs: 0 })).toThrow('"pingIntervalMs" must be a positive integer');
    expect(() => resolveSessionOptions({ offlineAfterMs: 1.5 })).toThrow('"offlineAfterMs"');
  });

  it('refuses a window larger than the protocol allows (§7.7)', () => {
    expect(() => resolveSessionOptions({ maxInFlight: MAX_IN_FLIGHT + 1 })).toThrow(`"maxInFlight" must be at most ${MAX_IN_FLIGHT}`);
  });
});
