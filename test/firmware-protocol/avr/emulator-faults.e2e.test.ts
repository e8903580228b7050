/**
 * The real firmware.elf in simavr under faults: a power cut while a vote is
 * being resent (restart from the same EEPROM file), 10,000 bytes of line
 * noise, and a firmware hang that only the watchdog can end. The bridge side
 * is a scripted peer on the real pty (serialport + the reference codec).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../helpers.ts';
import { BridgePeer } from './bridge-peer.ts';
import { startEmulator, type Emulator } from './emulator.ts';

let box: Emulator | undefined;
let peer: BridgePeer | undefined;
afterEach(async () => {
  await peer?.close();
  await box?.stop();
  peer = undefined;
  box = undefined;
});

async function online(): Promise<[Emulator, BridgePeer]> {
  const b = await startEmulator({ uid: 'HL328P-E2E0002' });
  const p = await BridgePeer.open(b.ptyPath);
  await p.waitFor('HELLO', undefined, 5000);
  await p.roundTrip(); // the WELCOME before the PING was handled
  await b.wait(100); // clear of the 30 ms after power-up
  expect(b.status).toBe(true);
  box = b;
  peer = p;
  return [b, p];
}

describe('emulated box: faults', () => {
  it('resends votes pending at a power cut after restart, age unknown, no seq reused, none lost', async () => {
    const [b, p] = await online();
    await b.tap(1);
    await p.waitFor('VOTE', (v) => v.seq === 1);
    p.ackVotes = false; // the bridge goes quiet: votes 2..4 stay pending, 2 is being resent
    for (const btn of [3, 2, 4]) {
      await b.tap(btn, 60);
      await b.wait(60);
    }
    await p.waitFor('VOTE', (v) => v.seq === 2);
    await b.wait(1200); // at least one resend of 2 (after 1 s)
    await p.roundTrip();
    expect(p.messages('VOTE').filter((v) => v.seq === 2).length).toBeGreaterThanOrEqual(2);
    await b.powerCut();
    await p.close();
    await b.restart();
    // a new /dev/pts behind the same path, like a box plugged in again
    const p2 = await BridgePeer.open(b.ptyPath);
    peer = p2;
    p2.ackVotes = false;
    const hello = await p2.waitFor('HELLO', undefined, 5000);
    expect(hello.pending).toBe(3);
    await b.wait(100);
    await b.tap(2); // a press after the restart
    p2.ackVotes = true;
    await p2.waitForStored(4, 15_000);
    const stored = [...p2.stored.values()];
    expect(stored.map((v) => [v.seq, v.button])).toEqual([
      [2, 3],
      [3, 2],
      [4, 4],
      [5, 2],
    ]);
    expect(stored.slice(0, 3).every((v) => v.ageMs === null)).toBe(true);
    expect(stored[3]!.ageMs).not.toBeNull();
    const boots = b.sentLines.filter((l) => l.startsWith('$EVENT,BOOT,'));
    expect(boots).toEqual(['$EVENT,BOOT,POWERON*5D7D', '$EVENT,BOOT,POWERON*5D7D']);
  }, 90_000);

  it('answers PING and keeps voting after 10,000 random bytes on its UART', async () => {
    const [b, p] = await online();
    const rng = new Rng(0xbadc0de);
    const noise = Uint8Array.from({ length: 10_000 }, () => rng.int(256));
    await p.sendRaw(noise);
    await p.sendRaw(Uint8Array.of(0x0d, 0x0a));
    // the PING queues behind the noise (~0.9 s of line time at 115200 baud)
    const from = p.received.length;
    p.send({ type: 'PING', nonce: 424242 });
    await p.waitFor('PONG', (m) => m.nonce === 424242, 10_000, from);
    await b.tap(3);
    const vote = await p.waitFor('VOTE', undefined, 3000, from);
    expect(vote).toMatchObject({ seq: 1, button: 3, flags: '' });
    // no reset happened: one EVENT BOOT only
    expect(b.sentLines.filter((l) => l.startsWith('$EVENT,BOOT'))).toHaveLength(1);
    expect(b.events.filter((e) => e.kind === 'reset')).toEqual([]);
  }, 60_000);

  it('recovers from a firmware hang through its watchdog and reports EVENT BOOT WATCHDOG', async () => {
    const [b, p] = await online();
    p.ackVotes = false;
    await b.tap(4);
    await p.waitFor('VOTE', (v) => v.seq === 1);
    const from = p.received.length;
    await b.hang();
    const hung = b.events.filter((e) => e.kind === 'hung').at(-1);
    const hungAt = hung !== undefined && 'at' in hung ? hung.at : 0;
    await p.waitFor('EVENT', (e) => e.code === 'BOOT', 5000, from);
    const reset = b.events.find((e) => e.kind === 'reset' && e.at > hungAt)!;
    // the shipped image arms a 500 ms watchdog
    expect(reset.kind === 'reset' && reset.at - hungAt).toBeGreaterThan(450);
    expect(reset.kind === 'reset' && reset.at - hungAt).toBeLessThan(700);
    expect(p.messages('EVENT', from)[0]).toEqual({ type: 'EVENT', code: 'BOOT', value: 'WATCHDOG' });
    expect((await p.waitFor('HELLO', undefined, 5000, from)).pending).toBe(1);
    p.ackVotes = true;
    const again = await p.waitFor('VOTE', (v) => v.seq === 1, 5000, from);
    expect(again.ageMs).toBeNull();
  }, 60_000);
});
