import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../../firmware-protocol/src/index.ts';
import { systemClock, type Clock } from '../../../bridge/simulator/clock.ts';
import { ManualClock, flushIo } from '../../../bridge/simulator/manual-clock.ts';
import { createStreamPair, type StreamPair } from '../../../bridge/simulator/stream-transport.ts';
import { MemoryTerminalStore } from '../../../bridge/simulator/terminal-store.ts';
import type { VirtualTerminalOptions } from '../../../bridge/simulator/terminal-options.ts';
import { VirtualTerminal } from '../../../bridge/simulator/virtual-terminal.ts';
import { ScriptedBridge } from './scripted-bridge.ts';
import { loadVectors } from '../../firmware-protocol/helpers.ts';

interface Rig {
  clock: ManualClock;
  pair: StreamPair;
  bridge: ScriptedBridge;
  terminal: VirtualTerminal;
  /** VOTE transmissions as [time, seq, ageMs]. */
  sends: [number, number, number | null][];
}

const rigs: Rig[] = [];

afterEach(async () => {
  for (const r of rigs.splice(0)) await r.terminal.close();
});

function rig(options: Partial<VirtualTerminalOptions> = {}): Rig {
  const clock = new ManualClock(1_000_000);
  const pair = createStreamPair({ name: 'T1' });
  const bridge = new ScriptedBridge(pair.bridgeSide);
  const terminal = new VirtualTerminal({ uid: 'SIM-01', transport: pair.terminalSide, clock, ...options });
  const sends: Rig['sends'] = [];
  terminal.on('vote-sent', (e) => sends.push([clock.now() - 1_000_000, e.seq, e.ageMs]));
  const r = { clock, pair, bridge, terminal, sends };
  rigs.push(r);
  return r;
}

/** Powers on and completes the HELLO/WELCOME exchange; returns with the received frames cleared. */
async function welcomed(r: Rig): Promise<void> {
  r.terminal.start();
  await r.clock.flush();
  r.bridge.send({ type: 'WELCOME', proto: 1 });
  await r.clock.flush();
  r.bridge.take();
}

/** Advances time while the bridge PINGs every 5 s, as a live bridge does (§6.3). */
async function advanceWithPings(r: Rig, ms: number): Promise<void> {
  const end = r.clock.now() + ms;
  while (r.clock.now() < end) {
    const step = Math.min(5000, end - r.clock.now());
    await r.clock.advance(step);
    if (r.clock.now() < end) {
      r.bridge.send({ type: 'PING', nonce: 1 });
      await r.clock.flush();
    }
  }
}

const types = (ms: readonly Message[]) => ms.map((m) => m.type);

describe('VirtualTerminal power-up and HELLO phase (§6.1)', () => {
  it('sends EVENT BOOT once, then HELLO every 2 s until WELCOME, and no VOTE before it', async () => {
    const r = rig();
    r.terminal.start();
    await r.clock.flush();
    expect(r.bridge.take()).toEqual([
      { type: 'EVENT', code: 'BOOT', value: 'POWERON' },
      { type: 'HELLO', proto: 1, uid: 'SIM-01', model: 'HLSIM', firmware: '1.0.0+sim', buttons: 3, pending: 0 },
    ]);
    expect(r.terminal.press(1)).toEqual({ ok: true, seq: 1, flags: '', button: 1, reason: 0 });
    await r.clock.advance(1999);
    expect(r.bridge.take()).toEqual([]);
    await r.clock.advance(1);
    expect(r.bridge.take()).toEqual([expect.objectContaining({ type: 'HELLO', pending: 1 })]);
    await r.clock.advance(2000);
    expect(types(r.bridge.take())).toEqual(['HELLO']);
    r.bridge.send({ type: 'WELCOME', proto: 1 });
    await r.clock.advance(10_000);
    // After WELCOME: the stored vote goes out, HELLO stops.
    expect(types(r.bridge.take())).toEqual(['VOTE', 'VOTE', 'VOTE', 'VOTE']); // 1 s, 2 s, 4 s backoff without ACK
    expect(r.terminal.phase).toBe('session');
  });

  it('answers PING with the same nonce at once, in any phase', async () => {
    const r = rig();
    r.terminal.start();
    await r.clock.flush();
    r.bridge.take();
    r.bridge.send({ type: 'PING', nonce: 305419896 });
    await r.clock.flush();
    expect(r.bridge.take()).toEqual([{ type: 'PONG', nonce: 305419896 }]);
    expect(r.clock.now()).toBe(1_000_000); // no time passed
  });

  it('uses the boot cause given to start() and reboot()', async () => {
    const r = rig({ bootCause: 'EXTERNAL' });
    r.terminal.start();
    await r.clock.flush();
    expect(r.bridge.take()[0]).toEqual({ type: 'EVENT', code: 'BOOT', value: 'EXTERNAL' });
    r.terminal.reboot('WATCHDOG');
    await r.clock.flush();
    expect(r.bridge.take()[0]).toEqual({ type: 'EVENT', code: 'BOOT', value: 'WATCHDOG' });
  });
});

describe('VirtualTerminal delivery (§7.2)', () => {
  it('after WELCOME sends pending votes oldest first, one at a time, each after the previous ACK', async () => {
    const r = rig();
    r.terminal.start();
    for (const b of [3, 1, 2]) r.terminal.press(b);
    await r.clock.advance(500);
    r.bridge.take();
    r.bridge.send({ type: 'WELCOME', proto: 1 });
    await r.clock.flush();
    expect(r.bridge.take()).toEqual([{ type: 'VOTE', seq: 1, button: 3, reason: 0, ageMs: 500, flags: '' }]);
    r.bridge.send({ type: 'ACK', seq: 1, status: 'OK' });
    await r.clock.flush();
    expect(r.bridge.take()).toEqual([expect.objectContaining({ type: 'VOTE', seq: 2, button: 1 })]);
    r.bridge.send({ type: 'ACK', seq: 2, status: 'OK' });
    await r.clock.flush();
    expect(r.bridge.take()).toEqual([expect.objectContaining({ type: 'VOTE', seq: 3, button: 2 })]);
    r.bridge.send({ type: 'ACK', seq: 3, status: 'OK' });
    await r.clock.flush();
    expect(r.bridge.take()).toEqual([]);
    expect(r.terminal.pending).toBe(0);
  });

  it('resends the unacked vote after 1, 2, 4, 8, 16, 30, 30 s with ageMs recomputed each time', async () => {
    const r = rig();
    await welcomed(r);
    r.terminal.press(2);
    await advanceWithPings(r, 125_000);
    expect(r.sends.map(([t]) => t)).toEqual([0, 1000, 3000, 7000, 15000, 31000, 61000, 91000, 121000]);
    // ageMs is the time since the press at each transmission (§5.3).
    expect(r.sends.map(([t, , age]) => age === t)).toEqual(r.sends.map(() => true));
    expect(r.terminal.phase).toBe('session');
    r.bridge.send({ type: 'ACK', seq: 1, status: 'OK' });
    await r.clock.flush();
    expect(r.terminal.pending).toBe(0);
    expect(r.terminal.ackTimeoutMs).toBe(1000); // reset after an ACK
  });

  it('completes the in-flight vote on ACK DUP (or any status) and ignores ACKs for other seqs', async () => {
    const r = rig();
    await welcomed(r);
    r.terminal.press(1);
    r.terminal.press(2);
    await r.clock.flush();
    const acked: [number, string][] = [];
    r.terminal.on('acked', (e) => acked.push([e.seq, e.status]));
    r.bridge.send({ type: 'ACK', seq: 2, status: 'OK' }); // not in flight: ignored
    await r.clock.flush();
    expect(r.terminal.pending).toBe(2);
    r.bridge.send({ type: 'ACK', seq: 1, status: 'DUP' });
    await r.clock.flush();
    r.bridge.send({ type: 'ACK', seq: 2, status: 'LATER' }); // a future status code still completes it
    await r.clock.flush();
    expect(acked).toEqual([
      [1, 'DUP'],
      [2, 'LATER'],
    ]);
    expect(r.terminal.stats).toMatchObject({ acked: 2, dupAcks: 1, ignoredAcks: 1 });
    r.bridge.send({ type: 'ACK', seq: 1, status: 'OK' }); // a late duplicate: ignored
    await r.clock.flush();
    expect(r.terminal.stats.ignoredAcks).toBe(2);
  });

  it('never sends a VOTE twice at once when a listener presses inside an ACK (stop-and-wait holds)', async () => {
    const r = rig();
    await welcomed(r);
    r.terminal.press(1);
    r.terminal.press(1);
    r.terminal.once('acked', () => r.terminal.press(3));
    await r.clock.flush();
    r.bridge.take();
    r.bridge.send({ type: 'ACK', seq: 1, status: 'OK' });
    await r.clock.flush();
    expect(r.bridge.take()).toEqual([expect.objectContaining({ type: 'VOTE', seq: 2 })]);
  });
});

describe('VirtualTerminal NAK handling (§7.3)', () => {
  it('CRC/FORMAT/RANGE: one immediate resend per vote, then normal backoff', async () => {
    const r = rig();
    await welcomed(r);
    r.terminal.press(1);
    await r.clock.advance(100);
    r.bridge.send({ type: 'NAK', seq: 1, reason: 'CRC' });
    await r.clock.flush();
    r.bridge.send({ type: 'NAK', seq: 0, reason: 'FORMAT' }); // seq 0 applies to the in-flight vote
    await r.clock.flush();
    expect(r.sends.map(([t]) => t)).toEqual([0, 100]);
    await r.clock.advance(1000);
    expect(r.sends.map(([t]) => t)).toEqual([0, 100, 1100]); // second NAK: like a timeout
    await r.clock.advance(2000);
    expect(r.sends.map(([t]) => t)).toEqual([0, 100, 1100, 3100]);
  });

  it('BUSY, STORAGE and unknown reasons act like a timeout; NAKs for another seq are ignored', async () => {
    const r = rig();
    await welcomed(r);
    const actions: string[] = [];
    r.terminal.on('nak', (e) => actions.push(`${e.reason}:${e.action}`));
    r.terminal.press(1);
    await r.clock.advance(400);
    r.bridge.send({ type: 'NAK', seq: 7, reason: 'CRC' });
    r.bridge.send({ type: 'NAK', seq: 1, reason: 'BUSY' });
    // §7.3: the timeout keeps running from the VOTE's transmission (the NAK does not restart it)
    await r.clock.advance(599);
    expect(r.sends.length).toBe(1);
    await r.clock.advance(1);
    expect(r.sends.map(([t]) => t)).toEqual([0, 1000]);
    r.bridge.send({ type: 'NAK', seq: 1, reason: 'STORAGE' });
    r.bridge.send({ type: 'NAK', seq: 1, reason: 'WHATEVER' });
    await r.clock.advance(2000);
    expect(r.sends.map(([t]) => t)).toEqual([0, 1000, 3000]);
    expect(actions).toEqual(['CRC:ignored', 'BUSY:backoff', 'STORAGE:backoff', 'WHATEVER:backoff']);
  });

  it('HELLO: back to the HELLO phase at once; the vote is resent after WELCOME', async () => {
    const r = rig();
    await welcomed(r);
    r.terminal.press(2);
    await r.clock.flush();
    r.bridge.take();
    r.bridge.send({ type: 'NAK', seq: 1, reason: 'HELLO' });
    await r.clock.flush();
    expect(r.terminal.phase).toBe('hello');
    expect(r.bridge.take()).toEqual([expect.objectContaining({ type: 'HELLO', pending: 1 })]);
    await r.clock.advance(5000); // resend timer paused in the HELLO phase
    expect(types(r.bridge.take())).toEqual(['HELLO', 'HELLO']);
    r.bridge.send({ type: 'WELCOME', proto: 1 });
    await r.clock.flush();
    expect(r.bridge.take()).toEqual([expect.objectContaining({ type: 'VOTE', seq: 1, button: 2 })]);
  });

  it('VERSION (or a WELCOME for another version): no votes, slow HELLO, votes kept', async () => {
    const r = rig();
    r.terminal.start();
    r.terminal.press(1);
    await r.clock.flush();
    r.bridge.take();
    r.bridge.send({ type: 'NAK', seq: 0, reason: 'VERSION' });
    await r.clock.flush();
    expect(r.terminal.phase).toBe('refused');
    r.terminal.press(2);
    await r.clock.advance(29_999);
    expect(r.bridge.take()).toEqual([]);
    await r.clock.advance(1);
    expect(r.bridge.take()).toEqual([expect.objectContaining({ type: 'HELLO', pending: 2 })]);
    r.bridge.send({ type: 'WELCOME', proto: 2 });
    await r.clock.advance(30_000);
    expect(r.terminal.phase).toBe('refused');
    expect(types(r.bridge.take())).toEqual(['HELLO']);
    expect(r.terminal.pending).toBe(2);
    r.bridge.send({ type: 'WELCOME', proto: 1 }); // the bridge was upgraded
    await r.clock.flush();
    expect(r.bridge.take()).toEqual([expect.objectContaining({ type: 'VOTE', seq: 1 })]);
  });
});

describe('VirtualTerminal cooldown and gated mode (§6.4, §6.5)', () => {
  it('flags C inside the cooldown measured from the last unflagged press', async () => {
    const r = rig();
    await welcomed(r);
    r.bridge.send({ type: 'CONFIG', buttons: 3, cooldownMs: 5000, mode: 'OPEN', windowMs: 30000, leds: true, buzzer: true });
    await r.clock.flush();
    const flags: string[] = [];
    for (const wait of [0, 3000, 2000, 4999, 1]) {
      await r.clock.advance(wait);
      const p = r.terminal.press(1);
      if (p.ok) flags.push(p.flags);
    }
    // t=0 '', t=3000 C, t=5000 '' (5 s after t=0), t=9999 C, t=10000 ''.
    expect(flags).toEqual(['', 'C', '', 'C', '']);
  });

  it('GATED: closed window gives G; OPEN admits one unflagged vote; a C press keeps it open; OPEN,0 and expiry close it', async () => {
    const r = rig();
    await welcomed(r);
    r.bridge.send({ type: 'CONFIG', buttons: 3, cooldownMs: 5000, mode: 'GATED', windowMs: 30000, leds: true, buzzer: false });
    await r.clock.flush();
    const press = () => {
      const p = r.terminal.press(1);
      return p.ok ? p.flags : p.code;
    };
    expect(press()).toBe('G');
    await r.clock.advance(6000);
    r.bridge.send({ type: 'OPEN', windowMs: 30000 });
    await r.clock.flush();
    expect(r.terminal.windowOpen).toBe(true);
    expect(press()).toBe('');
    expect(r.terminal.windowOpen).toBe(false); // the one vote closed it
    r.bridge.send({ type: 'OPEN', windowMs: 30000 });
    await r.clock.advance(1000);
    expect(press()).toBe('C'); // misuse inside the cooldown: window stays open
    expect(r.terminal.windowOpen).toBe(true);
    r.bridge.send({ type: 'OPEN', windowMs: 0 });
    await r.clock.flush();
    expect(press()).toBe('CG');
    r.bridge.send({ type: 'OPEN', windowMs: 1000 });
    await r.clock.advance(10_000);
    expect(press()).toBe('G'); // expired
    expect(r.terminal.stats.presses).toBe(5); // flagged presses are still votes
  });

  it('ignores OPEN in OPEN mode and refuses presses above CONFIG buttons without using a seq', async () => {
    const r = rig();
    await welcomed(r);
    r.bridge.send({ type: 'OPEN', windowMs: 30000 });
    r.bridge.send({ type: 'CONFIG', buttons: 2, cooldownMs: 0, mode: 'OPEN', windowMs: 30000, leds: true, buzzer: true });
    await r.clock.flush();
    expect(r.terminal.windowOpen).toBe(false);
    expect(r.terminal.press(3)).toMatchObject({ ok: false, code: 'inactive-button' });
    expect(r.terminal.press(2)).toMatchObject({ ok: true, seq: 1, flags: '' });
    expect(() => r.terminal.press(4)).toThrow(/"button" must be an integer 1..3/);
  });

  it('keeps the last CONFIG across a reboot (§5.7)', async () => {
    const r = rig();
    await welcomed(r);
    r.bridge.send({ type: 'CONFIG', buttons: 3, cooldownMs: 5000, mode: 'GATED', windowMs: 30000, leds: true, buzzer: true });
    await r.clock.flush();
    r.terminal.reboot();
    expect(r.terminal.config).toMatchObject({ mode: 'GATED', cooldownMs: 5000 });
    expect(r.terminal.press(1)).toMatchObject({ ok: true, flags: 'G' });
  });
});

describe('VirtualTerminal link loss (§6.3)', () => {
  it('goes back to HELLO after 15 s without a valid frame from the bridge, not before', async () => {
    const r = rig();
    await welcomed(r);
    await r.clock.advance(10_000);
    r.bridge.send({ type: 'PONG', nonce: 3 }); // any valid frame counts
    await r.clock.advance(14_999);
    expect(r.terminal.phase).toBe('session');
    r.bridge.sendRaw('$PING,1*0000\r\n'); // a bad frame does not
    await r.clock.advance(1);
    expect(r.terminal.phase).toBe('hello');
    expect(r.terminal.stats.linkLost).toBe(1);
    expect(types(r.bridge.take())).toEqual(['HELLO']);
  });

  it('pauses resends while in the HELLO phase and resumes from the oldest vote after WELCOME', async () => {
    const r = rig();
    await welcomed(r);
    r.terminal.press(1);
    r.terminal.press(2);
    await r.clock.advance(15_000);
    expect(r.terminal.phase).toBe('hello');
    const before = r.sends.length;
    await r.clock.advance(60_000);
    expect(r.sends.length).toBe(before);
    r.bridge.take();
    r.bridge.send({ type: 'WELCOME', proto: 1 });
    await r.clock.flush();
    expect(r.bridge.take()).toEqual([expect.objectContaining({ type: 'VOTE', seq: 1, ageMs: 75_000 })]);
  });
});

describe('VirtualTerminal buffer full (§7.4)', () => {
  it('refuses the newest press without a seq, then reports EVENT FULL after WELCOME', async () => {
    const r = rig({ capacity: 3 });
    r.terminal.start();
    for (let i = 0; i < 3; i++) expect(r.terminal.press(1).ok).toBe(true);
    expect(r.terminal.press(2)).toMatchObject({ ok: false, code: 'buffer-full' });
    expect(r.terminal.press(2)).toMatchObject({ ok: false, code: 'buffer-full' });
    await r.clock.flush();
    r.bridge.take();
    r.bridge.send({ type: 'WELCOME', proto: 1 });
    await r.clock.flush();
    expect(r.bridge.take()).toEqual([{ type: 'EVENT', code: 'FULL', value: '2' }, expect.objectContaining({ type: 'VOTE', seq: 1 })]);
    r.bridge.send({ type: 'ACK', seq: 1, status: 'OK' });
    await r.clock.flush();
    expect(r.terminal.press(3)).toMatchObject({ ok: true, seq: 4 }); // no seq was used by the refused presses
    expect(r.terminal.stats.refused['buffer-full']).toBe(2);
  });

  it('reports EVENT FULL after the next ACK when the session never dropped', async () => {
    const r = rig({ capacity: 1 });
    await welcomed(r);
    r.terminal.press(1);
    expect(r.terminal.press(1)).toMatchObject({ ok: false, code: 'buffer-full' });
    await r.clock.flush();
    r.bridge.take();
    r.bridge.send({ type: 'ACK', seq: 1, status: 'OK' });
    await r.clock.flush();
    expect(r.bridge.take()).toEqual([{ type: 'EVENT', code: 'FULL', value: '1' }]);
  });

  it('keeps the refused count across a reboot', async () => {
    const r = rig({ capacity: 1 });
    r.terminal.start();
    r.terminal.press(1);
    r.terminal.press(1);
    r.terminal.reboot();
    r.bridge.send({ type: 'WELCOME', proto: 1 });
    await r.clock.flush();
    expect(r.bridge.of('EVENT').map((e) => `${e.code},${e.value}`)).toEqual(['BOOT,POWERON', 'BOOT,POWERON', 'FULL,1']);
  });
});

describe('VirtualTerminal reboot (§7.1, §7.5)', () => {
  it('resends stored votes with ageMs unknown and never reuses a seq', async () => {
    const store = new MemoryTerminalStore();
    const r = rig({ store });
    await welcomed(r);
    r.terminal.press(1);
    r.terminal.press(3);
    await r.clock.advance(200);
    r.bridge.take();
    r.terminal.reboot();
    await r.clock.flush();
    const hello = r.bridge.take();
    expect(hello).toEqual([{ type: 'EVENT', code: 'BOOT', value: 'POWERON' }, expect.objectContaining({ type: 'HELLO', pending: 2 })]);
    expect(r.terminal.press(2)).toMatchObject({ ok: true, seq: 3 });
    r.bridge.send({ type: 'WELCOME', proto: 1 });
    await r.clock.flush();
    for (const seq of [1, 2]) {
      r.bridge.send({ type: 'ACK', seq, status: 'OK' });
      await r.clock.flush();
    }
    expect(r.bridge.of('VOTE').filter((v) => v.seq !== 1 || v.ageMs === null)).toEqual([
      { type: 'VOTE', seq: 1, button: 1, reason: 0, ageMs: null, flags: '' },
      { type: 'VOTE', seq: 2, button: 3, reason: 0, ageMs: null, flags: '' },
      expect.objectContaining({ seq: 3, ageMs: 0 }), // pressed after the reboot: its age is known
    ]);
  });

  it('a new terminal object on the same store (a process restart) continues above the last seq', async () => {
    const store = new MemoryTerminalStore();
    const r = rig({ store });
    r.terminal.start();
    r.terminal.press(1);
    await r.terminal.close();
    const pair = createStreamPair();
    const again = new VirtualTerminal({ uid: 'SIM-01', transport: pair.terminalSide, clock: r.clock, store });
    again.start();
    expect(again.pending).toBe(1);
    expect(again.press(2)).toMatchObject({ ok: true, seq: 2 });
    await again.close();
  });

  it('refuses a press while off and when the store fails, without using a seq', () => {
    let failing = false;
    const inner = new MemoryTerminalStore();
    const store = {
      load: () => inner.load(),
      save: (s: Parameters<MemoryTerminalStore['save']>[0]) => {
        if (failing) throw new Error('EIO');
        inner.save(s);
      },
    };
    const r = rig({ store });
    expect(r.terminal.press(1)).toMatchObject({ ok: false, code: 'powered-off' });
    r.terminal.start();
    failing = true;
    expect(r.terminal.press(1)).toMatchObject({ ok: false, code: 'storage-failed' });
    failing = false;
    expect(r.terminal.press(1)).toMatchObject({ ok: true, seq: 1 });
    expect(r.terminal.stats.storeErrors).toBe(1);
  });

  it("a wiped store continues above WELCOME's mark: pending votes renumbered durably, oldest first, before any is sent (§7.6)", async () => {
    const store = new MemoryTerminalStore();
    const r = rig({ store });
    const renumbered: unknown[] = [];
    r.terminal.on('renumbered', (e) => renumbered.push(e));
    r.terminal.start();
    await r.clock.flush();
    // A wiped box: it starts again at seq 1, and two presses wait for the session.
    r.terminal.press(2);
    r.terminal.press(3);
    r.bridge.take();
    r.bridge.send({ type: 'WELCOME', proto: 1, mark: 40 });
    await r.clock.flush();
    expect(renumbered).toEqual([{ mark: 40, from: [1, 2], to: [41, 42] }]);
    expect(store.load()).toMatchObject({
      ok: true,
      value: {
        lastSeq: 42,
        pending: [
          { seq: 41, button: 2 },
          { seq: 42, button: 3 },
        ],
      },
    });
    r.bridge.send({ type: 'ACK', seq: 41, status: 'OK' });
    await r.clock.flush();
    expect(r.terminal.press(1)).toMatchObject({ ok: true, seq: 43 });
    // Press times survive the renumbering: the ages stay known.
    expect(r.bridge.of('VOTE').map((v) => [v.seq, v.button, v.ageMs])).toEqual([
      [41, 2, 0],
      [42, 3, 0],
    ]);
  });

  it('ignores a mark below its own seq, and a WELCOME without one (an older bridge)', async () => {
    const r = rig();
    r.terminal.start();
    await r.clock.flush();
    r.terminal.press(1);
    r.terminal.press(1);
    r.bridge.send({ type: 'WELCOME', proto: 1, mark: 1 });
    await r.clock.flush();
    expect(r.bridge.of('VOTE').map((v) => v.seq)).toEqual([1]);
    r.terminal.reboot();
    await r.clock.flush();
    r.bridge.send({ type: 'WELCOME', proto: 1 });
    await r.clock.flush();
    expect(r.terminal.pendingSeqs).toEqual([1, 2]);
    // A mark equal to the oldest pending vote is a lost-ACK resend: it keeps its seq.
    r.terminal.reboot();
    await r.clock.flush();
    r.bridge.send({ type: 'WELCOME', proto: 1, mark: 1 });
    await r.clock.flush();
    expect(r.terminal.pendingSeqs).toEqual([1, 2]);
  });

  it('renumbers when a pending vote is below the mark even if its counter is above it (§7.6)', async () => {
    const store = new MemoryTerminalStore({
      version: 1,
      lastSeq: 9,
      pending: [
        { seq: 3, button: 1, reason: 0, flags: '' },
        { seq: 9, button: 2, reason: 0, flags: '' },
      ],
      refused: 0,
      config: null,
    });
    const r = rig({ store });
    r.terminal.start();
    await r.clock.flush();
    r.bridge.send({ type: 'WELCOME', proto: 1, mark: 5 });
    await r.clock.flush();
    expect(r.terminal.pendingSeqs).toEqual([6, 12]);
    expect(r.terminal.press(1)).toMatchObject({ ok: true, seq: 13 });
  });

  it('refuses to start on an unreadable store rather than reuse seqs', () => {
    const r = rig({ store: { load: () => ({ ok: false, code: 'corrupt-store', message: 'x.json is not valid JSON' }), save: () => {} } });
    expect(() => r.terminal.start()).toThrow(/SIM-01: x.json is not valid JSON/);
    expect(r.terminal.phase).toBe('off');
  });
});

describe('VirtualTerminal bad input (§9.3)', () => {
  it('ignores and counts garbage, broken frames and frames of its own direction, losing nothing', async () => {
    const r = rig();
    await welcomed(r);
    r.terminal.press(1);
    await r.clock.flush();
    r.bridge.take();
    const noise = Uint8Array.from({ length: 1000 }, (_, i) => (i * 151 + 7) % 256);
    r.bridge.sendRaw(noise);
    r.bridge.sendRaw('\r\n$ACK,1,OK*0000\r\n'); // bad CRC: must not complete the vote
    // A lowercase type fails its CRC first (the CRC covers the type), then a truncated ACK, an unknown type, an echo.
    r.bridge.sendRaw('$ack,1,OK*F24A\r\n$ACK,1,OK$FOO,1*23F6\r\n$VOTE,41,1,0,45,-*93DD\r\n');
    r.bridge.send({ type: 'PING', nonce: 9 });
    await r.clock.flush();
    expect(r.bridge.take()).toEqual([{ type: 'PONG', nonce: 9 }]);
    expect(r.terminal.pending).toBe(1);
    expect(r.terminal.phase).toBe('session');
    const s = r.terminal.stats;
    expect(s.decodeErrors).toBeGreaterThanOrEqual(4);
    expect(s.decodeErrorsByCode).toMatchObject({ 'bad-crc': 2, 'unknown-type': 1, truncated: 1 });
    expect(s.ignoredFrames).toBe(1); // the VOTE echoed back
    r.bridge.send({ type: 'ACK', seq: 1, status: 'OK' });
    await r.clock.flush();
    expect(r.terminal.pending).toBe(0);
  });
});

describe('VirtualTerminal clocks', () => {
  it('caps a known ageMs at 4294967294: 4294967295 is reserved for "unknown" (§5.3)', async () => {
    let now = 0;
    const clock: Clock = { now: () => now, setTimer: () => ({ cancel() {} }) };
    const r = rig({ clock });
    await welcomed(r);
    r.terminal.press(1);
    now = 2 ** 32 + 5000; // a 50-day outage
    r.bridge.send({ type: 'NAK', seq: 1, reason: 'CRC' }); // forces a retransmission now
    await r.clock.flush();
    expect(r.bridge.of('VOTE').map((v) => v.ageMs)).toEqual([0, 4294967294]);
  });

  it('runs on the system clock under vitest fake timers too', async () => {
    // Fake only the timers the terminal uses: flushIo needs the real setImmediate.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const pair = createStreamPair();
      const bridge = new ScriptedBridge(pair.bridgeSide);
      const terminal = new VirtualTerminal({ uid: 'FAKE-1', transport: pair.terminalSide, clock: systemClock });
      terminal.start();
      await vi.advanceTimersByTimeAsync(6000);
      await flushIo();
      expect(bridge.of('HELLO')).toHaveLength(4); // at 0, 2, 4 and 6 s
      await terminal.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('VirtualTerminal options', () => {
  it('rejects invalid options, naming the option', () => {
    const transport = createStreamPair().terminalSide;
    expect(() => new VirtualTerminal({ uid: 'bad uid', transport })).toThrow(/"uid" must match/);
    expect(() => new VirtualTerminal({ uid: 'A', transport, buttons: 10 })).toThrow(/"buttons" must be an integer 2..9/);
    expect(() => new VirtualTerminal({ uid: 'A', transport, ackTimeoutMs: 100, maxAckTimeoutMs: 50 })).toThrow(/"maxAckTimeoutMs"/);
    expect(() => new VirtualTerminal({ uid: 'A', transport, firmware: 'x'.repeat(17) })).toThrow(/"firmware"/);
  });
});

describe('VirtualTerminal send window (§7.7)', () => {
  it('asks for its window in HELLO only when it has one, so a 1.0 box is unchanged', async () => {
    const r = rig({ inFlight: 16 });
    r.terminal.start();
    await r.clock.flush();
    expect(r.bridge.take()[1]).toMatchObject({ type: 'HELLO', inFlight: 16 });
    expect(() => rig({ inFlight: 65 })).toThrow('"inFlight" must be an integer 1..64, got 65');
  });

  it('keeps 16 votes in flight after the first ACK, completes them with one cumulative ACK, and goes back N on timeout', async () => {
    const r = rig({ inFlight: 16 });
    r.terminal.start();
    await r.clock.flush();
    r.bridge.send({ type: 'WELCOME', proto: 1, mark: 0, inFlight: 16 });
    await r.clock.flush();
    for (let i = 0; i < 20; i++) r.terminal.press(1);
    await r.clock.flush();
    expect(r.sends.map(([, seq]) => seq)).toEqual([1]); // the first vote of a session goes alone
    r.bridge.send({ type: 'ACK', seq: 1, status: 'OK' });
    await r.clock.flush();
    expect(r.terminal.inFlightSeqs).toEqual(Array.from({ length: 16 }, (_, i) => i + 2));
    r.bridge.send({ type: 'ACK', seq: 10, status: 'OK' });
    await r.clock.flush();
    expect(r.terminal.pending).toBe(10);
    expect(r.terminal.inFlightSeqs).toEqual(Array.from({ length: 10 }, (_, i) => i + 11));
    r.sends.length = 0;
    await r.clock.advance(1000);
    expect(r.sends.map(([, seq]) => seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 11));
    r.bridge.send({ type: 'ACK', seq: 20, status: 'DUP' });
    await r.clock.flush();
    expect(r.terminal.pending).toBe(0);
    expect(r.terminal.stats.acked).toBe(20);
  });

  it.each(loadVectors().windows.sender.map((v) => [v.name, v] as const))('follows the sender vector: %s', async (_name, v) => {
    const next = v.nextSeq ?? (v.pending.length > 0 ? v.pending[v.pending.length - 1]! + 1 : 1);
    const store = new MemoryTerminalStore({
      version: 1,
      lastSeq: next - 1,
      pending: v.pending.map((seq) => ({ seq, button: 1, reason: 0, flags: '' })),
      config: null,
      refused: 0,
    });
    // a link-lost timer far away, so only the vectors' own timeouts fire
    const r = rig({ inFlight: v.inFlight, store, linkLostMs: 3_600_000 });
    r.terminal.start();
    await r.clock.flush();
    for (const [i, step] of v.steps.entries()) {
      const where = `${v.name}, step ${i + 1} (${step.do})`;
      const sentBefore = r.sends.length;
      const acked: number[] = [];
      const onAcked = (e: { seq: number }) => acked.push(e.seq);
      r.terminal.on('acked', onAcked);
      switch (step.do) {
        case 'welcome':
        case 'rx':
          r.bridge.sendRaw(`${step.line}\r\n`);
          await r.clock.flush();
          break;
        case 'timeout':
          expect(r.terminal.ackTimeoutMs, where).toBe(step.ms);
          await r.clock.advance(step.ms);
          break;
        case 'press':
          r.terminal.press(1);
          await r.clock.flush();
          break;
        case 'hello':
          // what the link-lost timer does (§6.3), without waiting 15 s of clock that would also fire resends
          (r.terminal as unknown as { enterHello(cause: string): void }).enterHello('link-lost');
          await r.clock.flush();
          break;
      }
      r.terminal.off('acked', onAcked);
      expect(
        r.sends.slice(sentBefore).map(([, seq]) => seq),
        `${where}: sent`,
      ).toEqual(step.send);
      if (step.do === 'rx') expect(acked, `${where}: done`).toEqual(step.done ?? []);
    }
  });
});
