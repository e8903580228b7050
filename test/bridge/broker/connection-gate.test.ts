import { describe, expect, it } from 'vitest';
import { ConnectionGate, type ConnectionGateLimits } from '../../../bridge/broker/connection-gate.ts';

const LIMITS: ConnectionGateLimits = {
  maxConnections: 5,
  connectsPerSecond: 2,
  connectBurst: 3,
  authFailuresPerMinute: 4,
  trustedAddresses: ['127.0.0.1'],
};

function gate(limits: Partial<ConnectionGateLimits> = {}) {
  let now = 1_000_000;
  const g = new ConnectionGate({ ...LIMITS, ...limits }, () => now);
  return { g, advance: (ms: number) => (now += ms) };
}

describe('ConnectionGate (issue 13, item 4)', () => {
  it('admits a burst per address, then the sustained rate', () => {
    const { g, advance } = gate({ maxConnections: 100 });
    expect([1, 2, 3, 4].map(() => g.admit('10.0.0.9'))).toEqual([undefined, undefined, undefined, 'rate']);
    expect(g.admit('10.0.0.8')).toBeUndefined(); // another address has its own bucket
    advance(500); // 2 per second: one token back
    expect(g.admit('10.0.0.9')).toBeUndefined();
    expect(g.admit('10.0.0.9')).toBe('rate');
  });

  it('caps open connections over all addresses, and frees a place on release', () => {
    const { g, advance } = gate();
    for (let i = 0; i < 5; i++) expect(g.admit(`10.0.0.${i}`)).toBeUndefined();
    expect(g.admit('10.0.0.50')).toBe('too-many-connections');
    expect(g.admit('127.0.0.1')).toBe('too-many-connections'); // the cap protects the heap from anyone
    g.release();
    advance(10);
    expect(g.admit('10.0.0.50')).toBeUndefined();
    expect(g.open).toBe(5);
  });

  it('refuses an address for the rest of the minute after repeated failed sign-ins', () => {
    const { g, advance } = gate({ maxConnections: 100, connectBurst: 100 });
    for (let i = 0; i < 4; i++) g.authFailed('10.0.0.7');
    expect(g.admit('10.0.0.7')).toBe('auth-failures');
    expect(g.admit('10.0.0.6')).toBeUndefined();
    advance(60_000);
    expect(g.admit('10.0.0.7')).toBeUndefined();
  });

  it('applies only the cap to this PC (trusted addresses)', () => {
    const { g } = gate({ maxConnections: 100 });
    for (let i = 0; i < 10; i++) g.authFailed('127.0.0.1');
    for (let i = 0; i < 20; i++) expect(g.admit('127.0.0.1')).toBeUndefined();
  });
});
