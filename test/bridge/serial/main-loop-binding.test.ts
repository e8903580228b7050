/**
 * The real serial adapter (serialport + main-loop-binding.ts) on socat ptys:
 * bytes both ways without a libuv threadpool job per read or write (issue
 * 14), and an unplug (socat killed: the pty vanishes) still ends the handle
 * once, without a busy loop on the dead fd.
 */
import { createHook } from 'node:async_hooks';
import { open } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openSerialPort } from '../../../bridge/serial/serialport-opener.ts';
import { createPtyPair } from '../../helpers/pty.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Counts the fs requests sent to the threadpool (FSReqCallback) while `fn` runs. */
async function threadpoolFsRequests(fn: () => Promise<void>): Promise<number> {
  let n = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'FSREQCALLBACK') n += 1;
    },
  });
  hook.enable();
  try {
    await fn();
  } finally {
    hook.disable();
  }
  return n;
}

describe('openSerialPort on a socat pty', () => {
  it('reads and writes every byte on the main loop: no threadpool fs request per chunk', { timeout: 30_000 }, async () => {
    const pair = await createPtyPair('mlb');
    cleanups.push(() => pair.dispose());
    const device = await open(pair.device, 'r+');
    cleanups.push(() => device.close());
    const port = await openSerialPort(pair.host, 115_200);
    cleanups.push(() => port.close());
    const received: number[] = [];
    port.onData((chunk) => received.push(...chunk));
    // Warm up: the first read arms the poller.
    await device.write(Buffer.from([0]));
    while (received.length < 1) await new Promise((r) => setTimeout(r, 5));

    const chunks = 100;
    const sent: number[] = [];
    const requests = await threadpoolFsRequests(async () => {
      for (let i = 0; i < chunks; i++) {
        const bytes = Buffer.from([i, 255 - i, 7]);
        sent.push(...bytes);
        // Written synchronously by the test's side, so only the port's own reads count.
        device.write(bytes).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 1));
        port.write(new Uint8Array([i]));
      }
      const by = Date.now() + 10_000;
      while (received.length < sent.length + 1 && Date.now() < by) await new Promise((r) => setTimeout(r, 5));
    });
    expect(received.slice(1)).toEqual(sent);
    // The test's own 100 device writes are threadpool requests; the port's
    // 100 writes and ≥ 1 reads per chunk must add none (bindings-cpp alone
    // added one per read and one per write: ≥ 300).
    expect(requests).toBeLessThanOrEqual(chunks + 5);

    const echoed = Buffer.alloc(chunks);
    let got = 0;
    while (got < chunks) got += (await device.read(echoed, got, chunks - got)).bytesRead;
    expect([...echoed]).toEqual(Array.from({ length: chunks }, (_, i) => i));
  });

  it('an unplug ends the handle once, and the dead fd costs no CPU after', { timeout: 30_000 }, async () => {
    const pair = await createPtyPair('mlb-unplug');
    cleanups.push(() => pair.dispose());
    const port = await openSerialPort(pair.host, 115_200);
    const closes: (Error | undefined)[] = [];
    port.onClose((e) => closes.push(e));
    port.onData(() => undefined);
    await pair.unplug();
    const by = Date.now() + 10_000;
    while (closes.length === 0 && Date.now() < by) await new Promise((r) => setTimeout(r, 10));
    expect(closes).toHaveLength(1);
    const cpu0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 500));
    const cpu = process.cpuUsage(cpu0);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(200);
    await port.close();
    expect(closes).toHaveLength(1);
    port.write(new Uint8Array([1])); // dropped, never throws
  });
});
