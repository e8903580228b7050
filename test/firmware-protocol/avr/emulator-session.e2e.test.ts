/**
 * The real firmware.elf in simavr, in real time, talking over a real pty to
 * a scripted bridge (serialport + the reference codec): the session, votes,
 * flags and delivery after an outage. Slow by nature (the protocol's timers
 * are wall-clock), so each test keeps its waits to what the protocol needs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BridgePeer, type Received } from './bridge-peer.ts';
import { startEmulator, type Emulator } from './emulator.ts';

let box: Emulator | undefined;
let peer: BridgePeer | undefined;
afterEach(async () => {
  await peer?.close();
  await box?.stop();
  peer = undefined;
  box = undefined;
});

/** A received EVENT LOWV frame. */
const isLowv = (r: Received): boolean => r.result.ok && r.result.value.type === 'EVENT' && r.result.value.code === 'LOWV';

/** A received EVENT FUSE frame. */
const isFuse = (r: Received): boolean => r.result.ok && r.result.value.type === 'EVENT' && r.result.value.code === 'FUSE';

/** A box with the peer attached and in a session. */
async function online(config: Partial<Parameters<typeof BridgePeer.open>[1] & object> = {}): Promise<[Emulator, BridgePeer]> {
  const b = await startEmulator({ uid: 'HL328P-E2E0001' });
  const p = await BridgePeer.open(b.ptyPath, config);
  await p.waitFor('HELLO', undefined, 5000);
  // the PONG proves the WELCOME before it was handled: the session is up
  await p.roundTrip();
  // keep the first press clear of the 30 ms after power-up, where a held button is ignored
  await b.wait(100);
  expect(b.status).toBe(true); // steady on in a session
  box = b;
  peer = p;
  return [b, p];
}

describe('emulated box: session and votes', () => {
  it('boots, says HELLO every 2 s until WELCOME, and turns presses into VOTEs with feedback within 20 ms', async () => {
    box = await startEmulator({ uid: 'HL328P-E2E0001' });
    peer = await BridgePeer.open(box.ptyPath);
    peer.welcomeOnHello = false;
    const first = await peer.waitFor('HELLO', undefined, 5000);
    expect(first).toEqual({
      type: 'HELLO',
      proto: 1,
      uid: 'HL328P-E2E0001',
      model: 'HLBOX-4',
      firmware: '1.2.0',
      buttons: 4,
      pending: 0,
      inFlight: 16,
    });
    const start = Date.now();
    await peer.waitFor('HELLO', undefined, 5000, peer.received.length);
    expect(Date.now() - start).toBeGreaterThan(1500);
    // the line went out before the peer opened the port: the box's trace has the EVENT BOOT
    expect(box.sentLines[0]).toBe('$EVENT,BOOT,POWERON*5D7D');
    peer.welcomeOnHello = true;
    peer.send({ type: 'WELCOME', proto: 1 });
    peer.send(peer.config);
    for (const b of [2, 1, 4, 3]) {
      const from = box.events.length;
      await box.tap(b);
      const pressed = await box.waitFor((e) => e.kind === 'pressed' && e.button === b, 2000, from);
      const lit = await box.waitFor((e) => e.kind === 'out' && (e.leds & (1 << (b - 1))) !== 0 && e.buzzer, 2000, from);
      expect(lit.kind === 'out' && pressed.kind === 'pressed' && lit.at - pressed.at).toBeLessThanOrEqual(20);
      await peer.waitFor('VOTE', (v) => v.button === b, 3000);
      await box.wait(100); // re-arm needs 30 ms released
    }
    await peer.roundTrip();
    expect([...peer.stored.values()].map((v) => [v.seq, v.button, v.flags])).toEqual([
      [1, 2, ''],
      [2, 1, ''],
      [3, 4, ''],
      [4, 3, ''],
    ]);
    for (const v of peer.stored.values()) expect(v.ageMs).toBeLessThan(200);
  }, 60_000);

  it('flags a press inside the cooldown C, and presses in a closed gated window G', async () => {
    const [b, p] = await online({
      config: { type: 'CONFIG', buttons: 4, cooldownMs: 3000, mode: 'OPEN', windowMs: 30000, leds: true, buzzer: true },
    });
    await b.tap(1);
    await p.waitFor('VOTE', (v) => v.seq === 1);
    await b.tap(2); // well within 3 s
    await p.waitFor('VOTE', (v) => v.seq === 2);
    expect(p.stored.get(2)!.flags).toBe('C');
    p.send({ type: 'CONFIG', buttons: 4, cooldownMs: 0, mode: 'GATED', windowMs: 30000, leds: true, buzzer: true });
    await p.roundTrip();
    await b.tap(3); // window closed
    await p.waitFor('VOTE', (v) => v.seq === 3);
    const opened = b.events.length;
    p.send({ type: 'OPEN', windowMs: 30000 });
    // the open window lights every active button (once the thank-you flash of press 3 is over)
    await b.waitFor((e) => e.kind === 'out' && e.leds === 0b1111, 3000, opened);
    await b.tap(4); // window open: a normal vote that closes it
    await p.waitFor('VOTE', (v) => v.seq === 4);
    await b.wait(50);
    await b.tap(1); // closed again
    await p.waitFor('VOTE', (v) => v.seq === 5);
    expect([...p.stored.values()].map((v) => v.flags)).toEqual(['', 'C', 'G', '', 'G']);
  }, 60_000);

  it('delivers 20 presses made while the bridge stopped ACKing, in order and exactly once', async () => {
    const [b, p] = await online();
    p.ackVotes = false;
    const buttons = Array.from({ length: 20 }, (_, i) => 1 + ((i * 7) % 4));
    for (const btn of buttons) {
      await b.tap(btn, 60);
      await b.wait(40); // re-arm needs 30 ms released
    }
    // only vote 1 was ever on the wire (stop-and-wait), resent with backoff
    const sent = p.messages('VOTE').map((v) => v.seq);
    expect(new Set(sent)).toEqual(new Set([1]));
    expect(sent.length).toBeGreaterThanOrEqual(2);
    p.ackVotes = true;
    await p.waitForStored(20, 40_000);
    expect([...p.stored.keys()]).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect([...p.stored.values()].map((v) => v.button)).toEqual(buttons);
    // nothing after 20, and no seq stored twice (the map's insertion order is the storing order)
    await b.wait(1500);
    expect(p.stored.size).toBe(20);
  }, 90_000);

  it('reports a reset-pin reset as EVENT BOOT EXTERNAL and keeps its pending votes', async () => {
    const [b, p] = await online();
    p.ackVotes = false;
    await b.tap(2);
    await p.waitFor('VOTE', (v) => v.seq === 1);
    const from = p.received.length;
    await b.reset();
    await p.waitFor('EVENT', (e) => e.code === 'BOOT' && e.value === 'EXTERNAL', 5000, from);
    const hello = await p.waitFor('HELLO', undefined, 5000, from);
    expect(hello.pending).toBe(1);
    p.ackVotes = true;
    const again = await p.waitFor('VOTE', (v) => v.seq === 1, 5000, from);
    expect(again.ageMs).toBeNull();
  }, 60_000);

  it('measures its supply against the 1.1 V bandgap at boot and reports EVENT LOWV below 4.3 V, once in every session', async () => {
    const low = await startEmulator({ uid: 'HL328P-E2E0002', vccMv: 4100 });
    box = low;
    peer = await BridgePeer.open(low.ptyPath);
    const event = await peer.waitFor('EVENT', (e) => e.code === 'LOWV', 5000);
    // 1100 mV x 1023 / ADC, with the ADC's integer rounding: within 1 % of the real 4100 mV
    expect(Number(event.value)).toBeGreaterThan(4050);
    expect(Number(event.value)).toBeLessThan(4150);
    await peer.roundTrip();
    await low.wait(500);
    expect(peer.received.filter(isLowv)).toHaveLength(1);
    // A new session (a bridge that restarted has not heard it): said again, once, with the same value.
    const from = peer.received.length;
    peer.send({ type: 'WELCOME', proto: 1 });
    const again = await peer.waitFor('EVENT', (e) => e.code === 'LOWV', 5000, from);
    expect(again.value).toBe(event.value);
    await peer.roundTrip();
    await low.wait(500);
    expect(peer.received.filter(isLowv)).toHaveLength(2);
    // A healthy 5 V supply says nothing.
    await peer.close();
    await low.stop();
    const [ok, p] = await online();
    await p.roundTrip();
    await ok.wait(500);
    expect(p.received.filter(isLowv)).toEqual([]);
  }, 60_000);

  it('reads its fuses at boot and reports EVENT FUSE, once in every session, when the 4.3 V brown-out or EESAVE is missing', async () => {
    // An Arduino Nano's factory fuses (bootloader-flashed box): BOD 2.7 V (efuse 101), EESAVE unprogrammed (hfuse bit 3 = 1).
    const nano = await startEmulator({ uid: 'HL328P-E2E0004', fuses: { efuse: 0xfd, hfuse: 0xda } });
    box = nano;
    peer = await BridgePeer.open(nano.ptyPath);
    const event = await peer.waitFor('EVENT', (e) => e.code === 'FUSE', 5000);
    expect(event.value).toBe('FD.DA.BOD-EESAVE');
    await peer.roundTrip();
    await nano.wait(500);
    expect(peer.received.filter(isFuse)).toHaveLength(1);
    const from = peer.received.length;
    peer.send({ type: 'WELCOME', proto: 1 });
    const again = await peer.waitFor('EVENT', (e) => e.code === 'FUSE', 5000, from);
    expect(again.value).toBe('FD.DA.BOD-EESAVE');
    await peer.close();
    await nano.stop();
    // Only one of the two missing; the other fuse bits are whatever the board had.
    const noEesave = await startEmulator({ uid: 'HL328P-E2E0005', fuses: { efuse: 0xfc, hfuse: 0xdf } });
    box = noEesave;
    peer = await BridgePeer.open(noEesave.ptyPath);
    expect((await peer.waitFor('EVENT', (e) => e.code === 'FUSE', 5000)).value).toBe('FC.DF.EESAVE');
    await peer.close();
    await noEesave.stop();
    const noBod = await startEmulator({ uid: 'HL328P-E2E0006', fuses: { efuse: 0x07, hfuse: 0xd7 } });
    box = noBod;
    peer = await BridgePeer.open(noBod.ptyPath);
    expect((await peer.waitFor('EVENT', (e) => e.code === 'FUSE', 5000)).value).toBe('07.D7.BOD');
    await peer.close();
    await noBod.stop();
    // flash-isp's fuses (0xFC, 0xD7): nothing to say.
    const [ok, p] = await online();
    await p.roundTrip();
    await ok.wait(500);
    expect(p.received.filter(isFuse)).toEqual([]);
  }, 60_000);

  it('resets when a program opens its port, with resetOnOpen, like an Uno’s DTR auto-reset', async () => {
    box = await startEmulator({ uid: 'HL328P-E2E0003', resetOnOpen: true });
    await box.wait(200);
    peer = await BridgePeer.open(box.ptyPath);
    const boot = await peer.waitFor('EVENT', (e) => e.code === 'BOOT', 5000);
    expect(boot.value).toBe('EXTERNAL');
    expect(box.events.some((e) => e.kind === 'attached')).toBe(true);
    // POWERON went out before anyone listened; the open caused the second boot.
    // The harness reports a sent line on its stdout, which can trail the pty: poll.
    const boots = () => box!.sentLines.filter((l) => l.startsWith('$EVENT,BOOT')).map((l) => l.split('*')[0]);
    await expect.poll(boots, { timeout: 5000 }).toEqual(['$EVENT,BOOT,POWERON', '$EVENT,BOOT,EXTERNAL']);
  }, 30_000);
});
