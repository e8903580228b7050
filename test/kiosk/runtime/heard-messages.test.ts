import { describe, expect, it } from 'vitest';
import type { Office, TerminalConfig } from '../../../core/index.ts';
import { resolveOptions, type KioskOptions } from '../../../kiosk/src/identity/kiosk-options.ts';
import { SERVED_STALE_MS, snapshotAfter, type ScreenMessage } from '../../../kiosk/src/runtime/heard-messages.ts';
import { initialSnapshot } from '../../../kiosk/src/runtime/kiosk-snapshot.ts';

const T0 = Date.UTC(2025, 4, 12, 2);
const PLACE = { district: 'd', ward: 'w', counter: 'c', terminal: 't' };
const GATED: TerminalConfig = { v: 1, scale: 'scale-3', cooldownMs: 0, mode: 'gated', windowMs: 60_000, reasons: [] };

function options(): KioskOptions {
  const attrs: Record<string, string> = { ...PLACE };
  const r = resolveOptions((n) => attrs[n] ?? null, {}, 'http://bridge.local:8080/kiosk/hailong-kiosk.js');
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

const message = (m: Omit<ScreenMessage, 'params'>) => ({ ...m, params: PLACE }) as ScreenMessage;

/** A kiosk that heard the gated config. */
function gated() {
  const o = options();
  const s = snapshotAfter(initialSnapshot(o), message({ kind: 'config', payload: GATED }), T0, o);
  if (s === undefined) throw new Error('config changed nothing');
  return { o, s };
}

describe('what a heard message does to the screen', () => {
  it('a config sets the mode and the window', () => {
    const { s } = gated();
    expect(s.terminal.settings).toMatchObject({ mode: 'gated', windowMs: 60_000 });
  });

  it('a fresh _served opens the gated window with its ticket; a stale replay changes nothing', () => {
    const { o, s } = gated();
    const fresh = snapshotAfter(s, message({ kind: 'served', payload: { v: 1, at: T0, ticket: 'A-12' } }), T0 + 1000, o);
    expect(fresh?.terminal.gate).toMatchObject({ until: T0 + 1000 + 60_000, ticket: 'A-12' });
    const staleAt = T0 - 60_000 - SERVED_STALE_MS - 1;
    expect(snapshotAfter(s, message({ kind: 'served', payload: { v: 1, at: staleAt } }), T0, o)).toBeUndefined();
  });

  it("a session shows the officer's name; a logout takes it away", () => {
    const { o, s } = gated();
    const login = snapshotAfter(s, message({ kind: 'session', payload: { v: 1, officer: 'lan', name: 'Nguyễn Thị Lan', at: T0 } }), T0, o);
    expect(login?.officerName).toBe('Nguyễn Thị Lan');
    const logout = snapshotAfter(login!, message({ kind: 'session', payload: { v: 1, officer: null, at: T0 + 1 } }), T0, o);
    expect(logout).not.toHaveProperty('officerName');
  });

  it("an office names this kiosk's counter", () => {
    const { o, s } = gated();
    const office = { counters: [{ id: 'c', name: 'Quầy 3 – Tư pháp' }] } as unknown as Office;
    expect(snapshotAfter(s, message({ kind: 'office', payload: office }), T0, o)?.counterName).toBe('Quầy 3 – Tư pháp');
  });
});
