/**
 * The virtual terminal over a REAL socat pty pair, serialport on both ends:
 * the terminal on the device end (PtyTransport), a protocol-following test
 * bridge on the host end. Killing socat is the unplug.
 */
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../bridge/simulator/clock.ts';
import { PtyTransport } from '../../../bridge/simulator/pty-transport.ts';
import { VirtualTerminal } from '../../../bridge/simulator/virtual-terminal.ts';
import { createPtyPair, type PtyPair } from '../../helpers/pty.ts';
import { IdealBridge } from './scripted-bridge.ts';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function openHost(pair: PtyPair): Promise<SerialPort> {
  const port = new SerialPort({ path: pair.host, baudRate: 115200, autoOpen: false });
  port.on('error', () => {});
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  cleanups.push(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
  return port;
}

describe('VirtualTerminal over a socat pty pair', () => {
  it('sends a valid VOTE that an ACK completes; after unplug + replug it reopens the device and resends', async () => {
    const pair = await createPtyPair('sim');
    cleanups.push(() => pair.dispose());
    const transport = new PtyTransport({ path: pair.device, reopenMinMs: 20, reopenMaxMs: 200 });
    const terminal = new VirtualTerminal({
      uid: 'SIM-PTY-1',
      transport,
      clock: systemClock,
      helloIntervalMs: 100,
      ackTimeoutMs: 100,
      maxAckTimeoutMs: 400,
    });
    cleanups.push(() => terminal.close());
    await transport.waitUp();

    const bridge = new IdealBridge(await openHost(pair), systemClock);
    cleanups.push(() => bridge.dispose());
    const acked: number[] = [];
    terminal.on('acked', (e) => acked.push(e.seq));
    terminal.start();
    await waitFor('the session', () => terminal.phase === 'session');
    expect(bridge.of('EVENT')[0]).toEqual({ type: 'EVENT', code: 'BOOT', value: 'POWERON' });
    expect(bridge.of('HELLO')[0]).toMatchObject({ uid: 'SIM-PTY-1', proto: 1, buttons: 3 });

    expect(terminal.press(2)).toMatchObject({ ok: true, seq: 1 });
    await waitFor('ACK of seq 1', () => acked.includes(1));
    expect(bridge.of('VOTE')).toEqual([{ type: 'VOTE', seq: 1, button: 2, reason: 0, ageMs: expect.any(Number), flags: '' }]);
    expect(bridge.errors).toEqual([]); // every byte the terminal wrote decoded as a valid frame

    // Unplug: socat dies, both paths vanish; the press is stored and its VOTE lost on the dead line.
    await pair.unplug();
    await waitFor('the device end to close', () => !transport.up);
    expect(terminal.press(3)).toMatchObject({ ok: true, seq: 2 });
    await new Promise((r) => setTimeout(r, 300));
    expect(acked).toEqual([1]);

    // Replug: the transport reopens the device path by itself; the (restarted) bridge opens the host end.
    await pair.replug();
    await transport.waitUp(5000);
    bridge.attach(await openHost(pair));
    bridge.restart();
    await waitFor('ACK of seq 2', () => acked.includes(2), 10_000);
    expect(bridge.records().map((r) => [r.seq, r.button, r.stores])).toEqual([
      [1, 2, 1],
      [2, 3, 1],
    ]);
    // The resend reached a bridge that had not heard HELLO on its new port: NAK HELLO → HELLO → WELCOME → VOTE.
    expect(bridge.received.some((m) => m.type === 'HELLO' && m.pending === 1)).toBe(true);
    expect(transport.stats).toMatchObject({ opens: 2, disconnects: 1 });
  });

  it('keeps retrying a device path that does not exist yet and opens it when it appears', async () => {
    const pair = await createPtyPair('late');
    cleanups.push(() => pair.dispose());
    await pair.unplug();
    const transport = new PtyTransport({ path: pair.device, reopenMinMs: 20, reopenMaxMs: 50 });
    cleanups.push(() => transport.close());
    await new Promise((r) => setTimeout(r, 150));
    expect(transport.up).toBe(false);
    expect(transport.stats.failedOpens).toBeGreaterThan(1);
    expect(transport.stats.lastError).toMatch(/No such file|ENOENT/);
    transport.write(new Uint8Array([0x24])); // dropped, not thrown
    expect(transport.stats.bytesDropped).toBe(1);
    await pair.replug();
    await transport.waitUp(5000);
    const host = await openHost(pair);
    const got: Buffer[] = [];
    host.on('data', (b: Buffer) => got.push(b));
    transport.write(Buffer.from('$PING,1*F692\r\n'));
    await waitFor('bytes at the host end', () => Buffer.concat(got).toString() === '$PING,1*F692\r\n');
  });
});
