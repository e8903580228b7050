/**
 * What a press does, on the host with a fake clock (PROTOCOL.md §6.4, §6.5,
 * §7.4, §12): debounce, feedback within 20 ms, cooldown flag C, the gated
 * window and flag G, inactive buttons, the full buffer and a stuck button.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HostTerminal } from './host-terminal.ts';
import { RING_SLOTS } from './ring-host.ts';

let t: HostTerminal;
afterEach(async () => {
  await t?.close();
});

/** A box in a session, CONFIG applied, idle for a moment. */
async function online(config: Parameters<HostTerminal['welcome']>[0] = {}): Promise<HostTerminal> {
  const box = await HostTerminal.start();
  await box.run(100);
  await box.welcome(config);
  await box.run(100);
  return box;
}

/** ACKs every VOTE as it comes, like a healthy bridge. */
async function ackAll(box: HostTerminal): Promise<void> {
  // one VOTE in flight at a time: a full ring takes RING_SLOTS rounds
  for (let i = 0; i < RING_SLOTS + 50; i++) {
    const unacked = box.frames('VOTE').filter((v) => !acked.has(v.msg.seq));
    if (unacked.length === 0) return;
    for (const v of unacked) {
      acked.add(v.msg.seq);
      await box.receive({ type: 'ACK', seq: v.msg.seq, status: 'OK' });
    }
    await box.run(50);
  }
}
const acked = new Set<number>();

/** Flags of the VOTEs sent, by seq. */
function flagsBySeq(box: HostTerminal): string[] {
  const by = new Map(box.frames('VOTE').map((v) => [v.msg.seq, v.msg.flags]));
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
}

describe('terminal presses', () => {
  it('lights the button LED and beeps within 20 ms of first contact, then sends the VOTE', async () => {
    t = await online();
    const at = t.time;
    await t.tap(3);
    const on = t.outputs.find((o) => o.at > at && (o.leds & 0b100) !== 0)!;
    expect(on.at - at).toBeLessThanOrEqual(20);
    expect(on.buzzer).toBe(true);
    const vote = t.frames('VOTE', at)[0]!;
    expect(vote.msg).toMatchObject({ seq: 1, button: 3, reason: 0, flags: '' });
    // the VOTE leaves only after the record is in EEPROM (6 byte writes of ~4 ms)
    expect(vote.at - on.at).toBeGreaterThanOrEqual(20);
  });

  it('debounces: a bouncing press is one vote, a 3 ms glitch is none, and it re-arms only after 30 ms released', async () => {
    t = await online();
    acked.clear();
    // contact bounce: 1 0 1 0 1 1 1 1 … counts once
    for (const level of [1, 0, 1, 0, 1]) {
      await t.buttons(level);
      await t.run(1);
    }
    await t.run(80);
    await t.buttons(0);
    await t.run(60);
    // a 3 ms glitch
    await t.buttons(1);
    await t.run(3);
    await t.buttons(0);
    await t.run(60);
    // released only 20 ms between two presses: the second does not count
    await t.buttons(2);
    await t.run(80);
    await t.buttons(0);
    await t.run(20);
    await t.buttons(2);
    await t.run(80);
    await t.buttons(0);
    await t.run(40);
    // released 40 ms: counts
    await t.buttons(2);
    await t.run(80);
    await t.buttons(0);
    await t.run(100);
    await ackAll(t);
    expect(t.frames('VOTE').map((v) => [v.msg.seq, v.msg.button])).toEqual(
      expect.arrayContaining([
        [1, 1],
        [2, 2],
        [3, 2],
      ]),
    );
    expect(new Set(t.frames('VOTE').map((v) => v.msg.seq))).toEqual(new Set([1, 2, 3]));
  });

  it('flags C inside the cooldown, measured from the last press that was not C-flagged', async () => {
    t = await online({ cooldownMs: 5000 });
    acked.clear();
    const start = t.time;
    await t.tap(1); // 0 s: normal
    await t.run(1000 - (t.time - start));
    await t.tap(2); // 1 s: C
    await t.run(4500 - (t.time - start));
    await t.tap(2); // 4.5 s: C (5 s after the first has not passed)
    await t.run(5200 - (t.time - start));
    await t.tap(3); // 5.2 s: normal again
    await t.run(200);
    await ackAll(t);
    expect(flagsBySeq(t)).toEqual(['', 'C', 'C', '']);
    // a flagged press gets thanks, not the fault pattern: only its own LED
    const cPress = t.outputs.filter((o) => o.at > start + 1000 && o.at < start + 1100 && o.leds !== 0);
    expect(cPress.every((o) => o.leds === 0b10)).toBe(true);
  });

  it('in GATED mode flags G while the window is closed; a normal press in an open window uses it up', async () => {
    t = await online({ mode: 'GATED', cooldownMs: 2000 });
    acked.clear();
    await t.tap(1); // window closed: G
    await t.receive({ type: 'OPEN', windowMs: 30000 });
    await t.run(500);
    // the open window lights the active buttons (once the thank-you flash is over)
    expect(t.lastOutputs.leds).toBe(0b1111);
    await t.run(3000);
    await t.tap(2); // normal, closes the window
    await t.run(500);
    expect(t.lastOutputs.leds).toBe(0);
    await t.run(3000);
    await t.tap(3); // G again
    await t.receive({ type: 'OPEN', windowMs: 30000 });
    await t.run(2500);
    await t.tap(4); // normal, closes (after the cooldown of the G press)
    await t.receive({ type: 'OPEN', windowMs: 30000 });
    await t.run(100);
    await t.tap(1); // within 2 s of the last unflagged press: C, and the window stays open
    await t.run(500);
    expect(t.lastOutputs.leds).toBe(0b1111);
    await t.receive({ type: 'OPEN', windowMs: 0 }); // closed by the bridge
    await t.run(2500);
    await t.tap(2); // G
    await t.receive({ type: 'OPEN', windowMs: 1000 });
    await t.run(2500); // ran out (and the 2 s cooldown since the G press is over)
    await t.tap(3); // G
    await t.run(200);
    await ackAll(t);
    expect(flagsBySeq(t)).toEqual(['G', '', 'G', '', 'C', 'G', 'G']);
  });

  it('ignores OPEN in OPEN mode, and starts GATED with the window closed', async () => {
    t = await online();
    acked.clear();
    await t.receive({ type: 'OPEN', windowMs: 30000 });
    await t.tap(1);
    await t.receive({ type: 'CONFIG', buttons: 4, cooldownMs: 0, mode: 'GATED', windowMs: 30000, leds: true, buzzer: true });
    await t.run(50);
    await t.tap(1);
    await t.run(200);
    await ackAll(t);
    expect(flagsBySeq(t)).toEqual(['', 'G']);
  });

  it('ignores buttons above CONFIG buttons: no seq, no feedback', async () => {
    t = await online({ buttons: 3 });
    const at = t.time;
    await t.tap(4);
    await t.run(500);
    expect(t.frames('VOTE')).toEqual([]);
    expect(t.outputs.filter((o) => o.at > at && (o.leds !== 0 || o.buzzer))).toEqual([]);
    await t.tap(3);
    await t.run(200);
    expect(t.frames('VOTE').map((v) => v.msg)).toMatchObject([{ seq: 1, button: 3 }]);
  });

  it('keeps LEDs dark and the buzzer quiet when CONFIG says so', async () => {
    t = await online({ leds: false, buzzer: false });
    const at = t.time;
    await t.tap(1);
    await t.run(500);
    expect(t.outputs.filter((o) => o.at > at && (o.leds !== 0 || o.buzzer))).toEqual([]);
    expect(t.frames('VOTE')).toHaveLength(1);
  });

  it('refuses presses when 147 votes are pending (the ring is full): fault pattern, no seq, then EVENT FULL after the next ACK', async () => {
    t = await HostTerminal.start();
    await t.run(100);
    for (let i = 0; i < RING_SLOTS; i++) await t.tap(1 + (i % 4), 60, 40);
    const at = t.time;
    await t.tap(2);
    await t.tap(3);
    await t.run(2000);
    // the fault pattern: every LED blinks (thanks would light only the pressed one)
    const fault = t.outputs.filter((o) => o.at > at && o.leds === 0b1111);
    expect(fault.length).toBeGreaterThanOrEqual(2);
    expect(t.frames('HELLO').at(-1)!.msg.pending).toBe(RING_SLOTS);
    await t.welcome();
    await t.receive({ type: 'ACK', seq: 1, status: 'OK' });
    await t.run(100);
    expect(
      t
        .frames('EVENT')
        .map((e) => e.msg)
        .filter((e) => e.code === 'FULL'),
    ).toEqual([{ type: 'EVENT', code: 'FULL', value: '2' }]);
    // a press now fits again and takes the next seq: the refused ones took none
    await t.tap(4);
    acked.clear();
    acked.add(1);
    await ackAll(t);
    expect(Math.max(...t.frames('VOTE').map((v) => v.msg.seq))).toBe(RING_SLOTS + 1);
    expect(t.frames('EVENT').filter((e) => e.msg.code === 'FULL')).toHaveLength(1);
  });

  it('reports a button held for 10 s once as EVENT STUCK and takes no more votes from it until released', async () => {
    t = await online();
    const at = t.time;
    await t.buttons(0b10);
    await t.run(12_000);
    await t.receive({ type: 'PING', nonce: 1 });
    await t.run(12_000);
    expect(t.frames('EVENT', at).map((e) => e.msg)).toEqual([{ type: 'EVENT', code: 'STUCK', value: '2' }]);
    const stuckAt = t.frames('EVENT', at)[0]!.at;
    expect(stuckAt - at).toBeGreaterThanOrEqual(10_000);
    expect(stuckAt - at).toBeLessThan(10_050);
    await t.buttons(0);
    await t.run(100);
    await t.tap(2);
    await t.run(100);
    // one vote for the initial press, one after the release
    expect(t.frames('VOTE', at).map((v) => v.msg.seq)).toEqual(expect.arrayContaining([1]));
    await t.receive({ type: 'ACK', seq: 1, status: 'OK' });
    await t.run(100);
    expect(
      t
        .frames('VOTE', at)
        .map((v) => v.msg.seq)
        .at(-1),
    ).toBe(2);
  });
});
