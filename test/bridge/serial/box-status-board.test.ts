import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Status } from '../../../core/status.ts';
import { fuseEventValue } from '../../../firmware-protocol/src/fuse-event.ts';
import type { PlacedTerminal } from '../../../bridge/config/hailong-config.ts';
import { BoxStatusBoard } from '../../../bridge/serial/box-status-board.ts';
import type { TerminalSession } from '../../../bridge/serial/terminal-session.ts';

const COUNTER = { id: 'quay-1', name: 'Quầy 1', mode: 'open' as const, terminals: [] };
const TERMINAL: PlacedTerminal = { id: 'hop-1', kind: 'button', uid: 'HL-1', counter: COUNTER };
const HELLO = { type: 'HELLO', proto: 1, uid: 'HL-1', model: 'HLBOX-3', firmware: '1.2.0', buttons: 3, pending: 0 } as const;
const log = pino({ level: 'silent' });

/** The board over a recording retained-state seam and sessions that expose only what the board reads. */
function rig() {
  const published: Status[] = [];
  const owners = new Map<string, TerminalSession>();
  const problemCounts = new Map<string, number>();
  const board = new BoxStatusBoard({ retained: { terminalStatus: (_t, s) => published.push(s) }, owners, problemCounts });
  const session = (errors: Record<string, number> = {}) => {
    const s = { lastHello: HELLO, errorCounts: () => ({ ...errors }), errors };
    return s as unknown as TerminalSession & { errors: Record<string, number> };
  };
  return { board, published, owners, problemCounts, session };
}

describe('BoxStatusBoard', () => {
  it('publishes online with the HELLO, then a LOWV and a FUSE from the owning session on the status', () => {
    const { board, published, owners, session } = rig();
    const s = session();
    owners.set(TERMINAL.id, s);
    board.online(TERMINAL, s);
    expect(published.at(-1)).toMatchObject({ state: 'online', kind: 'button', uid: 'HL-1', firmware: '1.2.0', errors: {} });
    board.deviceEvent(s, TERMINAL, 'LOWV', '4310', log);
    expect(published.at(-1)).toMatchObject({ state: 'online', supplyMv: 4310 });
    // efuse FD: BODLEVEL 101 is not the 4.3 V level; hfuse D1 keeps EESAVE.
    board.deviceEvent(s, TERMINAL, 'FUSE', fuseEventValue(0xfd, 0xd1), log);
    expect(published.at(-1)?.fuses?.missing).toEqual(['BOD']);
    expect(published.at(-1)?.supplyMv).toBe(4310);
  });

  it('a new session starts clear of the last one’s LOWV and FUSE', () => {
    const { board, published, owners, session } = rig();
    const s = session();
    owners.set(TERMINAL.id, s);
    board.deviceEvent(s, TERMINAL, 'LOWV', '4310', log);
    board.online(TERMINAL, s);
    expect(published.at(-1)).not.toHaveProperty('supplyMv');
  });

  it('ignores LOWV from a session that does not speak for the box, and out-of-range values', () => {
    const { board, published, owners, session } = rig();
    const owner = session();
    owners.set(TERMINAL.id, owner);
    board.deviceEvent(session(), TERMINAL, 'LOWV', '4310', log);
    board.deviceEvent(owner, TERMINAL, 'LOWV', '99999', log);
    board.deviceEvent(owner, TERMINAL, 'LOWV', '-1', log);
    expect(published).toEqual([]);
  });

  it('counts a malformed FUSE value as bad input and publishes nothing', () => {
    const { board, published, owners, problemCounts, session } = rig();
    const s = session();
    owners.set(TERMINAL.id, s);
    board.deviceEvent(s, TERMINAL, 'FUSE', 'NOT-A-FUSE', log);
    expect(problemCounts.get('bad-fuse-event')).toBe(1);
    expect(published).toEqual([]);
  });

  it('refresh republishes only when the port’s error counters moved', () => {
    const { board, published, owners, session } = rig();
    const s = session();
    owners.set(TERMINAL.id, s);
    board.online(TERMINAL, s);
    board.refresh(TERMINAL, s);
    expect(published).toHaveLength(1);
    s.errors['bad-crc'] = 1;
    board.refresh(TERMINAL, s);
    expect(published).toHaveLength(2);
    expect(published.at(-1)?.errors).toEqual({ 'bad-crc': 1 });
  });
});
