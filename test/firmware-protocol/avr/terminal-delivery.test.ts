/**
 * Stop-and-wait delivery on the host with a fake clock (PROTOCOL.md §7.2,
 * §7.3): one VOTE in flight, oldest first, resend after 1, 2, 4 … 30 s,
 * any ACK status completes the vote, and the NAK table.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HostTerminal } from './host-terminal.ts';

let t: HostTerminal;
afterEach(async () => {
  await t?.close();
});

/** A box in a session with `presses` votes stored (buttons 1, 2, 3, …). */
async function sessionWithVotes(presses: number): Promise<HostTerminal> {
  const box = await HostTerminal.start();
  await box.run(100);
  for (let i = 0; i < presses; i++) await box.tap(1 + (i % 4));
  await box.run(100);
  await box.welcome();
  return box;
}

/** Times (ms after `since`) at which VOTE `seq` went out. */
function sendTimes(box: HostTerminal, seq: number, since: number): number[] {
  return box
    .frames('VOTE', since)
    .filter((v) => v.msg.seq === seq)
    .map((v) => v.at - since);
}

describe('terminal delivery', () => {
  it('sends no VOTE before WELCOME, then the stored votes oldest first, one at a time', async () => {
    t = await HostTerminal.start();
    await t.run(100);
    for (const b of [2, 4, 1]) await t.tap(b);
    await t.run(2500);
    expect(t.frames('VOTE')).toEqual([]);
    expect(t.frames('HELLO').at(-1)!.msg.pending).toBe(3);
    await t.welcome();
    await t.run(200);
    // one in flight: only seq 1 until its ACK
    expect(t.frames('VOTE').map((v) => v.msg.seq)).toEqual([1]);
    for (const seq of [1, 2, 3]) {
      await t.receive({ type: 'ACK', seq, status: 'OK' });
      await t.run(30);
    }
    expect(t.frames('VOTE').map((v) => [v.msg.seq, v.msg.button])).toEqual([
      [1, 2],
      [2, 4],
      [3, 1],
    ]);
    // ageMs counts from the press and grows on the wire
    const ages = t.frames('VOTE').map((v) => v.msg.ageMs!);
    expect(ages[0]).toBeGreaterThan(2500);
  });

  it('resends after 1, 2, 4, 8, 16, 30, 30 s and recomputes ageMs each time', async () => {
    t = await sessionWithVotes(1);
    const since = t.frames('VOTE')[0]!.at;
    await t.keepAlive(125_000);
    const times = sendTimes(t, 1, since);
    expect(times.slice(0, 9)).toEqual([0, 1000, 3000, 7000, 15000, 31000, 61000, 91000, 121000]);
    const ages = t.frames('VOTE').map((v) => v.msg.ageMs!);
    ages.slice(1).forEach((a, i) => expect(a - ages[i]!).toBe(times[i + 1]! - times[i]!));
  });

  it('completes the vote on ACK with any status, ignores other seqs, and resets the timeout to 1 s', async () => {
    t = await sessionWithVotes(3);
    let since = t.time;
    await t.keepAlive(3_500); // seq 1 sent at 0, 1 s, 3 s: timeout now 4 s
    await t.receive({ type: 'ACK', seq: 7, status: 'OK' }); // not in flight: ignored
    await t.receive({ type: 'ACK', seq: 1, status: 'DUP' });
    await t.run(20);
    since = t.time - 20;
    const two = t.frames('VOTE', since).filter((v) => v.msg.seq === 2);
    expect(two).toHaveLength(1);
    await t.keepAlive(1_500);
    expect(sendTimes(t, 2, two[0]!.at)).toEqual([0, 1000]);
    await t.receive({ type: 'ACK', seq: 2, status: 'LATER9' }); // a future status code also completes it
    await t.run(20);
    expect(t.frames('VOTE', t.time - 20).map((v) => v.msg.seq)).toEqual([3]);
  });

  it('resends at once, only once, on NAK CRC/FORMAT/RANGE (also with seq 0), then keeps the backoff', async () => {
    for (const reason of ['CRC', 'FORMAT', 'RANGE']) {
      t = await sessionWithVotes(1);
      const first = t.frames('VOTE')[0]!.at;
      await t.run(100);
      const nakAt = t.time;
      await t.receive({ type: 'NAK', seq: reason === 'CRC' ? 0 : 1, reason });
      await t.run(50);
      await t.receive({ type: 'NAK', seq: 1, reason });
      await t.run(2000);
      const times = sendTimes(t, 1, first);
      expect(first + times[1]! - nakAt, reason).toBeLessThan(10);
      // the second NAK did not cause another immediate resend; the 1 s timeout runs from the resend
      expect(times.slice(2), reason).toEqual([times[1]! + 1000]);
      await t.close();
    }
  });

  it('treats NAK BUSY, STORAGE, TYPE and unknown reasons like a timeout, and ignores NAKs for other seqs', async () => {
    for (const reason of ['BUSY', 'STORAGE', 'TYPE', 'XYZ']) {
      t = await sessionWithVotes(1);
      const first = t.frames('VOTE')[0]!.at;
      await t.run(100);
      await t.receive({ type: 'NAK', seq: 1, reason });
      await t.receive({ type: 'NAK', seq: 5, reason: 'CRC' });
      await t.run(3000);
      expect(sendTimes(t, 1, first), reason).toEqual([0, 1000, 3000]);
      await t.close();
    }
  });

  it('returns to the HELLO phase at once on NAK HELLO and resends the vote after WELCOME', async () => {
    t = await sessionWithVotes(2);
    await t.run(100);
    const at = t.time;
    await t.receive({ type: 'NAK', seq: 1, reason: 'HELLO' });
    await t.run(3000);
    const hellos = t.frames('HELLO', at);
    expect(hellos[0]!.at - at).toBeLessThan(10);
    expect(hellos[0]!.msg.pending).toBe(2);
    expect(t.frames('VOTE', at)).toEqual([]);
    await t.welcome();
    expect(t.frames('VOTE', at).map((v) => v.msg.seq)).toEqual([1]);
  });

  it('restarts from the oldest vote with a 1 s timeout on a new WELCOME', async () => {
    t = await sessionWithVotes(1);
    await t.keepAlive(8_000); // timeout grew to 8 s
    await t.welcome();
    const at = t.time - 50;
    await t.keepAlive(1_500);
    expect(sendTimes(t, 1, at).map((x) => x - sendTimes(t, 1, at)[0]!)).toEqual([0, 1000]);
  });
});
