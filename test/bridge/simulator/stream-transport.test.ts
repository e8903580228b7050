import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { flushIo } from '../../../bridge/simulator/manual-clock.ts';
import { createStreamPair } from '../../../bridge/simulator/stream-transport.ts';

const text = (chunks: readonly Uint8Array[]) => chunks.map((c) => Buffer.from(c).toString('latin1')).join('');

describe('createStreamPair', () => {
  it('carries bytes both ways, in order, asynchronously, as Buffers on the bridge side', async () => {
    const pair = createStreamPair({ name: 'A' });
    const atBridge: Buffer[] = [];
    const atTerminal: Uint8Array[] = [];
    pair.bridgeSide.on('data', (b: Buffer) => atBridge.push(b));
    pair.terminalSide.onData((b) => atTerminal.push(b));
    expect(pair.bridgeSide).toBeInstanceOf(Duplex);
    expect(pair.bridgeSide.isOpen).toBe(true);
    expect(pair.bridgeSide.path).toBe('stream:A');

    pair.terminalSide.write(Buffer.from('$HELLO'));
    pair.terminalSide.write(Buffer.from('...\r\n'));
    pair.bridgeSide.write('$WELCOME,1*80C8\r\n');
    expect(atBridge).toEqual([]); // never inside the writer's call
    await flushIo();
    expect(atBridge.every((b) => Buffer.isBuffer(b))).toBe(true);
    expect(Buffer.concat(atBridge).toString()).toBe('$HELLO...\r\n');
    expect(text(atTerminal)).toBe('$WELCOME,1*80C8\r\n');
  });

  it('a written Uint8Array is copied: reusing the sender buffer does not change what arrives', async () => {
    const pair = createStreamPair();
    const got: Buffer[] = [];
    pair.bridgeSide.on('data', (b: Buffer) => got.push(b));
    const buf = Buffer.from('abc');
    pair.terminalSide.write(buf);
    buf.fill(0x78);
    await flushIo();
    expect(Buffer.concat(got).toString()).toBe('abc');
  });

  it('unplug: the bridge side emits close with a disconnected error; bytes in transit and after are lost', async () => {
    const pair = createStreamPair({ name: 'B' });
    const atBridge: Buffer[] = [];
    const links: boolean[] = [];
    const old = pair.bridgeSide;
    old.on('data', (b: Buffer) => atBridge.push(b));
    pair.terminalSide.onLink((up) => links.push(up));
    const closed = new Promise<unknown>((resolve) => old.once('close', resolve));
    pair.terminalSide.write(Buffer.from('in transit'));
    pair.unplug();
    pair.terminalSide.write(Buffer.from('into the void'));
    const error = (await closed) as Error & { disconnected?: boolean };
    expect(error.disconnected).toBe(true);
    expect(error.message).toMatch(/stream:B disconnected/);
    expect(old.isOpen).toBe(false);
    expect(pair.terminalSide.up).toBe(false);
    old.write('bridge writes to a closed port are dropped, not thrown');
    await flushIo();
    expect(atBridge).toEqual([]);
    expect(() => pair.openBridgeSide()).toThrow(/unplugged/);

    const fresh = pair.replug();
    expect(links).toEqual([false, true]);
    expect(fresh).not.toBe(old);
    expect(pair.bridgeSide).toBe(fresh);
    const got: Buffer[] = [];
    fresh.on('data', (b: Buffer) => got.push(b));
    pair.terminalSide.write(Buffer.from('back'));
    await flushIo();
    expect(Buffer.concat(got).toString()).toBe('back');
  });

  it('closing the terminal side looks like a vanished device to the bridge', async () => {
    const pair = createStreamPair();
    const closed = new Promise<unknown>((resolve) => pair.bridgeSide.once('close', resolve));
    await pair.terminalSide.close();
    expect(((await closed) as { disconnected?: boolean }).disconnected).toBe(true);
  });

  it('close() by the bridge emits close(null) like SerialPort; a second close reports "Port is not open"', async () => {
    const pair = createStreamPair();
    const side = pair.bridgeSide;
    const events: unknown[] = [];
    side.on('close', (e: unknown) => events.push(e));
    await new Promise<void>((resolve) => side.close((e) => (expect(e).toBeNull(), resolve())));
    const second = await new Promise<Error | null>((resolve) => side.close(resolve));
    expect(second?.message).toBe('Port is not open');
    await flushIo();
    expect(events).toEqual([null]);
    // The terminal's bytes are lost until the bridge opens the port again.
    const reopened = pair.openBridgeSide();
    const got: Buffer[] = [];
    reopened.on('data', (b: Buffer) => got.push(b));
    pair.terminalSide.write(Buffer.from('x'));
    await flushIo();
    expect(Buffer.concat(got).toString()).toBe('x');
  });

  it('destroy() by the bridge closes the port too: bytes are dropped until it opens the pair again', async () => {
    const pair = createStreamPair();
    const side = pair.bridgeSide;
    const got: Buffer[] = [];
    side.on('data', (b: Buffer) => got.push(b));
    side.destroy();
    expect(side.isOpen).toBe(false);
    pair.terminalSide.write(Buffer.from('lost'));
    await flushIo();
    expect(got).toEqual([]);
    const again = pair.openBridgeSide();
    again.on('data', (b: Buffer) => got.push(b));
    pair.terminalSide.write(Buffer.from('kept'));
    await flushIo();
    expect(Buffer.concat(got).toString()).toBe('kept');
  });
});
