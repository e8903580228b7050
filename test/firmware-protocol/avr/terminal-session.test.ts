/**
 * The firmware's session behaviour on the host with a fake clock
 * (PROTOCOL.md §6): EVENT BOOT, HELLO every 2 s, WELCOME, PING/PONG at
 * once, link loss after 15 s, version refusal, and bad input.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fuseEventValue, fuseMissing } from '../../../firmware-protocol/src/fuse-event.ts';
import { Rng } from '../helpers.ts';
import { HostTerminal } from './host-terminal.ts';

/** MCUSR bits (ATmega328P datasheet §10.9.1). */
const PORF = 1;
const EXTRF = 2;
const BORF = 4;
const WDRF = 8;

let t: HostTerminal;
afterEach(async () => {
  await t?.close();
});

describe('terminal session', () => {
  it('sends EVENT BOOT first, then HELLO every 2 s with its identity until WELCOME', async () => {
    t = await HostTerminal.start({ uid: 'HL328P-00A1B2C3' });
    await t.run(6500);
    expect(t.sent[0]!.msg).toEqual({ type: 'EVENT', code: 'BOOT', value: 'POWERON' });
    const hellos = t.frames('HELLO');
    expect(hellos.map((h) => h.msg)).toEqual(
      Array(4).fill({
        type: 'HELLO',
        proto: 1,
        uid: 'HL328P-00A1B2C3',
        model: 'HLBOX-4',
        firmware: '1.2.0',
        buttons: 4,
        pending: 0,
        inFlight: 16,
      }),
    );
    // 2 s apart; times are when the LF left the UART, and the first HELLO waited behind EVENT BOOT
    const gaps = hellos.slice(1).map((h, i) => h.at - hellos[i]!.at);
    for (const g of gaps) expect(Math.abs(g - 2000)).toBeLessThanOrEqual(5);
    expect(hellos[0]!.at).toBeLessThan(20);
    await t.welcome();
    await t.run(10_000);
    expect(t.frames('HELLO', hellos[3]!.at + 1)).toEqual([]);
  });

  it('reports buttons and model from the identity block', async () => {
    t = await HostTerminal.start({ buttons: 5 });
    await t.run(100);
    expect(t.frames('HELLO')[0]!.msg).toMatchObject({ model: 'HLBOX-5', buttons: 5 });
  });

  it('names the reset cause from MCUSR, or from Optiboot’s copy in r2', async () => {
    t = await HostTerminal.start();
    const cases: [number, number, string][] = [
      [PORF, 0, 'POWERON'],
      [PORF | BORF, 0, 'POWERON'],
      [EXTRF, 0, 'EXTERNAL'],
      [BORF, 0, 'BROWNOUT'],
      [WDRF, 0, 'WATCHDOG'],
      [EXTRF | WDRF, 0, 'EXTERNAL'], // Optiboot timed out after a DTR reset
      [0, EXTRF | WDRF, 'EXTERNAL'],
      [0, WDRF, 'WATCHDOG'],
      [0, 0, 'SOFTWARE'],
      [0, 0xa5, 'SOFTWARE'], // r2 garbage is not flags
    ];
    for (const [mcusr, r2, cause] of cases) {
      await t.reboot(mcusr, r2);
      const since = t.time;
      await t.run(50);
      expect(t.frames(undefined, since)[0]!.msg, `MCUSR ${mcusr} r2 ${r2}`).toEqual({ type: 'EVENT', code: 'BOOT', value: cause });
    }
  });

  it('reports EVENT FUSE after WELCOME, never before, for every fuse pair lacking BOD 4.3 V or EESAVE; none otherwise', async () => {
    t = await HostTerminal.start();
    const pairs: [number, number][] = [
      [0xfc, 0xd7],
      [0x04, 0xd7],
      [0xfd, 0xda],
      [0x05, 0xde],
      [0xff, 0xd9],
      [0xfc, 0xdf],
      [0x07, 0xd7],
      [0x00, 0x00],
      [0xff, 0xff],
    ];
    const rng = new Rng(14);
    for (let i = 0; i < 40; i++) pairs.push([rng.int(256), rng.int(256)]);
    for (const [efuse, hfuse] of pairs) {
      await t.setFuses(efuse, hfuse);
      await t.reboot();
      const since = t.time;
      await t.run(2500); // HELLO phase: a box says nothing but BOOT and HELLO before its session
      expect(t.frames('EVENT', since).map((e) => e.msg.code)).toEqual(['BOOT']);
      await t.welcome();
      await t.run(100);
      const fuse = t
        .frames('EVENT', since)
        .filter((e) => e.msg.code === 'FUSE')
        .map((e) => e.msg.value);
      const label = `efuse ${efuse.toString(16)} hfuse ${hfuse.toString(16)}`;
      expect(fuse, label).toEqual(fuseMissing(efuse, hfuse).length === 0 ? [] : [fuseEventValue(efuse, hfuse)]);
    }
  });

  it('answers PING with PONG at once, before WELCOME and in a session', async () => {
    t = await HostTerminal.start();
    await t.run(100);
    for (const nonce of [0, 305419896, 4294967295]) {
      const at = t.time;
      await t.receive({ type: 'PING', nonce });
      await t.run(20);
      const pong = t.frames('PONG', at);
      expect(pong.map((p) => p.msg)).toEqual([{ type: 'PONG', nonce }]);
      expect(pong[0]!.at - at).toBeLessThan(5);
    }
    await t.welcome();
    const at = t.time;
    await t.receive({ type: 'PING', nonce: 7 });
    await t.run(10);
    expect(t.frames('PONG', at)[0]!.at - at).toBeLessThan(5);
  });

  it('returns to the HELLO phase 15 s after the last frame from the bridge, and not while PINGed', async () => {
    t = await HostTerminal.start();
    await t.run(100);
    await t.welcome();
    await t.keepAlive(40_000);
    expect(t.frames('HELLO', 200)).toEqual([]);
    await t.receive({ type: 'PING', nonce: 1 });
    const last = t.time;
    await t.run(20_000);
    const hellos = t.frames('HELLO', last);
    expect(hellos[0]!.at - last).toBeGreaterThanOrEqual(15_000);
    expect(hellos[0]!.at - last).toBeLessThan(15_010);
    // no new EVENT BOOT: the box did not reset
    expect(t.frames('EVENT').filter((e) => e.msg.code === 'BOOT')).toHaveLength(1);
    expect(hellos[1]!.at - hellos[0]!.at).toBe(2000);
    // and the bridge's WELCOME brings the session back
    await t.welcome();
    const back = t.time;
    await t.keepAlive(10_000);
    expect(t.frames('HELLO', back)).toEqual([]);
  });

  it('does not count its own frames echoed back as the bridge being alive', async () => {
    t = await HostTerminal.start();
    await t.run(100);
    await t.welcome();
    const last = t.time;
    for (let i = 0; i < 4; i++) {
      await t.receive({ type: 'PONG', nonce: 1 });
      await t.receive({ type: 'EVENT', code: 'BOOT', value: 'POWERON' });
      await t.run(5000);
    }
    expect(t.frames('HELLO', last)[0]!.at - last).toBeLessThan(15_010);
  });

  it('stays in the HELLO phase after NAK,0,VERSION, slows HELLO to 30 s, and recovers on WELCOME,1', async () => {
    t = await HostTerminal.start();
    await t.run(100);
    await t.tap(1);
    await t.receive({ type: 'NAK', seq: 0, reason: 'VERSION' });
    const at = t.time;
    await t.run(65_000);
    const hellos = t.frames('HELLO', at);
    expect(hellos).toHaveLength(2);
    hellos.forEach((h, i) => expect(h.at - at - 30_000 * (i + 1)).toBeLessThan(20));
    expect(t.frames('VOTE')).toEqual([]);
    // status LED blinks fast (fault), not the slow searching blink
    const recent = t.outputs.filter((o) => o.at > at + 1000 && o.at < at + 3000);
    expect(recent.length).toBeGreaterThanOrEqual(7);
    await t.welcome();
    expect(t.frames('VOTE').map((v) => v.msg.seq)).toEqual([1]);
  });

  it('treats a WELCOME for another protocol version like a refusal', async () => {
    t = await HostTerminal.start();
    await t.run(100);
    await t.tap(2);
    await t.receive({ type: 'WELCOME', proto: 2 });
    await t.run(10_000);
    expect(t.frames('VOTE')).toEqual([]);
    expect(t.frames('HELLO', 200)).toEqual([]);
    // the press was stored all along
    await t.welcome();
    expect(t.frames('VOTE').map((v) => v.msg)).toMatchObject([{ seq: 1, button: 2 }]);
  });

  it('keeps working after 10,000 random bytes: no reset, PONG, votes', async () => {
    t = await HostTerminal.start();
    await t.run(100);
    await t.welcome();
    const rng = new Rng(20240601);
    const noise = Uint8Array.from({ length: 10_000 }, () => rng.int(256));
    await t.receiveBytes(noise);
    await t.run(50);
    // a clean line end after the noise, then the bridge's next PING
    await t.receiveBytes(Uint8Array.of(0x0d, 0x0a));
    const at = t.time;
    await t.receive({ type: 'PING', nonce: 99 });
    await t.run(20);
    expect(t.frames('PONG', at).map((p) => p.msg)).toEqual([{ type: 'PONG', nonce: 99 }]);
    await t.tap(3);
    await t.run(100);
    expect(t.frames('VOTE').map((v) => v.msg)).toMatchObject([{ seq: 1, button: 3 }]);
    expect(t.frames('EVENT').filter((e) => e.msg.code === 'BOOT')).toHaveLength(1);
  });
});
