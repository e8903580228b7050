/**
 * The real firmware meets the real bridge (issue #6). The reference box's
 * firmware.elf runs in simavr in real time, its UART on a real pty that the
 * real bridge opens with `serialport` exactly as it opens a USB box; an
 * independent MQTT subscriber checks what reaches the broker. Buttons are
 * pressed through the emulator's GPIO, and nothing on the serial link is
 * scripted. Faults: the bridge killed while citizens press, power cut in
 * the middle of a resend (after a lost ACK, and with the bridge away), and
 * 10,000 random bytes on the box's UART.
 *
 * Brokers: the embedded Aedes broker where the bridge stays up (it lives in
 * the bridge's process), a real Mosquitto where the bridge stops, so the
 * subscriber keeps its session across the bridge's restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Served } from '../../../core/counter-events.ts';
import { mergeStatus, type Status } from '../../../core/status.ts';
import { latestTallies, type Tally } from '../../../core/tally.ts';
import { parseMessage, publicationFor } from '../../../core/topic-payload.ts';
import type { Vote } from '../../../core/vote.ts';
import type { HailongConfig } from '../../../bridge/config/hailong-config.ts';
import { validateConfig } from '../../../bridge/config/validate-config.ts';
import { HailongApp } from '../../../bridge/hailong-app.ts';
import { Journal } from '../../../bridge/journal/journal.ts';
import { decode } from '../../../firmware-protocol/src/decode.ts';
import { encodeBytes } from '../../../firmware-protocol/src/encode.ts';
import { FrameDecoder } from '../../../firmware-protocol/src/frame-decoder.ts';
import type { HelloMessage } from '../../../firmware-protocol/src/message.ts';
import { testLog, tempDir, until } from '../../bridge/bridge-rig.ts';
import { startMosquitto } from '../../helpers/mosquitto.ts';
import { collect, type Collector } from '../../helpers/mqtt-collector.ts';
import { Rng } from '../helpers.ts';
import { startEmulator, type Emulator } from './emulator.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');
const DISTRICT = 'ba-dinh';
const WARD = 'phuc-xa';
const COUNTER = 'quay-1';
const TERMINAL = 'hop-1';
/** The default 3-level scale: button n = LEVELS[n-1]. */
const LEVELS = ['rat-hai-long', 'hai-long', 'khong-hai-long'] as const;
/** End of the identity block's 64 reserved bytes in the box's EEPROM (firmware-protocol/avr/src/ee_map.h): settings, seq base and vote ring follow. */
const EE_AFTER_IDENTITY = 0x040;
const DESK = { username: 'ban-quay-1', password: 'desk-e2e-secret' };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Options of `officeConfig`: one counter with the emulated box as its only terminal. */
interface OfficeOptions {
  readonly uid: string;
  readonly port: string;
  readonly dataDir: string;
  readonly mode?: 'open' | 'gated';
  readonly cooldownMs?: number;
  /** External broker; none = the embedded Aedes broker on a free port. */
  readonly mqttUrl?: string;
}

/** The office config as its YAML tree: one counter whose only terminal is the firmware's uid. */
function officeTree(o: OfficeOptions): Record<string, unknown> {
  return {
    district: { id: DISTRICT, name: 'Quận Ba Đình' },
    ward: { id: WARD, name: 'Phường Phúc Xá' },
    rating: { cooldownMs: o.cooldownMs ?? 0, windowMs: 30_000 },
    counters: [
      { id: COUNTER, name: 'Quầy 1 – Tư pháp', mode: o.mode ?? 'open', terminals: [{ id: TERMINAL, kind: 'button', uid: o.uid }] },
    ],
    serial: { ports: [o.port], scanIntervalMs: 200 },
    mqtt: { urls: o.mqttUrl === undefined ? [] : [o.mqttUrl] },
    broker: { port: 0, host: '127.0.0.1', anonymous: 'read', users: [{ ...DESK, role: 'desk', counter: COUNTER }] },
    dataDir: o.dataDir,
  };
}

/** The validated office config (throws if the test's own config is wrong). */
function officeConfig(o: OfficeOptions): HailongConfig {
  const r = validateConfig(officeTree(o));
  if (!r.ok) throw new Error(`e2e office config invalid: ${JSON.stringify(r.problems)}`);
  return r.config;
}

/** Starts the whole hailong process in-process (protocol timings as shipped: PING 5 s, offline 15 s). */
async function startBridge(config: HailongConfig): Promise<HailongApp> {
  const app = new HailongApp({ config, log: testLog, version: 'e2e', seqBase: 'zero' });
  const states = await app.start();
  expect(
    [...states.values()].every((s) => s === 'running'),
    JSON.stringify([...states]),
  ).toBe(true);
  return app;
}

/** A fresh emulated box (factory-new EEPROM with `uid`), stopped after the test. */
async function startBox(uid: string): Promise<Emulator> {
  const box = await startEmulator({ uid });
  cleanups.push(() => box.stop());
  return box;
}

/** The terminal's current status: newest `at` wins, whatever order the broker delivered copies in. */
function currentStatus(sub: Collector): Status | undefined {
  return sub.messages
    .filter((m) => m.topic.endsWith(`/${TERMINAL}/status`) && m.payload !== '')
    .map((m) => JSON.parse(m.payload) as Status)
    .reduce<Status | undefined>((a, b) => (a === undefined ? b : mergeStatus(a, b)), undefined);
}

/** Waits until the bridge says the box is online, then lets the box settle (clear of power-up and the CONFIG). */
async function online(sub: Collector, box: Emulator, timeoutMs = 10_000): Promise<void> {
  await sub.waitFor(() => currentStatus(sub)?.state === 'online', timeoutMs, `${TERMINAL} online`);
  await box.wait(100);
}

/** Distinct vote ids seen on MQTT. */
function voteIds(sub: Collector): Set<string> {
  return new Set(sub.json<Vote>('vote').map((v) => v.id));
}

/** Waits for `n` distinct vote ids on MQTT. */
async function waitForVotes(sub: Collector, n: number, timeoutMs = 15_000): Promise<void> {
  await sub.waitFor(() => voteIds(sub).size >= n, timeoutMs, `${n} distinct votes`);
}

/** With no fault on the way, every vote reaches the subscriber exactly once. */
function expectEachVoteOnce(sub: Collector): void {
  const ids = sub.json<Vote>('vote').map((v) => v.id);
  expect(ids.length).toBe(new Set(ids).size);
}

/** One vote per id (the first copy), in seq order. */
function votesBySeq(sub: Collector): Vote[] {
  const byId = new Map<string, Vote>();
  for (const v of sub.json<Vote>('vote')) if (!byId.has(v.id)) byId.set(v.id, v);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * The retained tally of the newest month, merged from every copy seen, with
 * the days of the box's earlier months added (keyed `YYYY-MM-DD`): a Hà Nội
 * month may end between a test's presses, and its totals cover them all.
 */
function currentTally(sub: Collector): Tally | undefined {
  const copies = sub.messages
    .filter((m) => /\/tally\/\d{4}-\d{2}$/.test(m.topic) && m.payload !== '')
    .map((m) => JSON.parse(m.payload) as Tally);
  const all = [...latestTallies(copies).values()].filter((t) => t.terminal === TERMINAL).sort((a, b) => a.month.localeCompare(b.month));
  const newest = all.at(-1);
  if (newest === undefined || all.length === 1) return newest;
  return { ...newest, days: Object.fromEntries(all.flatMap((t) => Object.entries(t.days).map(([d, day]) => [`${t.month}-${d}`, day]))) };
}

/** Counted votes per level and filtered [cooldown, gated], summed over the tally's days, in LEVELS order. */
function tallyTotals(t: Tally): { counted: number[]; filtered: [number, number] } {
  const counted = LEVELS.map(() => 0);
  const filtered: [number, number] = [0, 0];
  for (const day of Object.values(t.days)) {
    LEVELS.forEach((key, i) => {
      const at = t.levels.indexOf(key);
      if (at >= 0) counted[i]! += day.c[at] ?? 0;
    });
    filtered[0] += day.f[0];
    filtered[1] += day.f[1];
  }
  return { counted, filtered };
}

/** Waits until the retained tally has folded in every vote up to `seq`. */
async function waitForTally(sub: Collector, seq: number): Promise<Tally> {
  await sub.waitFor(() => (currentTally(sub)?.seq ?? 0) >= seq, 5000, `the tally up to seq ${seq}`);
  return currentTally(sub) as Tally;
}

/** The box's last HELLO, decoded from what its UART sent. */
function lastHello(box: Emulator): HelloMessage {
  const line = box.sentLines.filter((l) => l.startsWith('$HELLO,')).at(-1);
  const r = line === undefined ? undefined : decode(line);
  if (r === undefined || !r.ok || r.value.type !== 'HELLO') throw new Error(`the box sent no valid HELLO: ${line}`);
  return r.value;
}

/** How many times the box's UART carried VOTE `seq` (first send and resends). */
function voteSends(box: Emulator, seq: number): number {
  return box.sentLines.filter((l) => l.startsWith(`$VOTE,${seq},`)).length;
}

/** A real Mosquitto and a subscriber with a persistent session on it, both disposed after the test. */
async function mosquittoWithSubscriber(name: string): Promise<{ url: string; sub: Collector }> {
  const broker = await startMosquitto();
  cleanups.push(() => broker.dispose());
  const sub = await collect(broker.url, 'hailong/v1/#', { clean: false, clientId: `fwb-${name}` });
  cleanups.push(() => sub.close());
  return { url: broker.url, sub };
}

/** An in-process bridge on an external Mosquitto, restartable on the same journal (`bridge.app = …`). */
async function officeOnMosquitto(
  uid: string,
  box: Emulator,
): Promise<{ sub: Collector; config: HailongConfig; bridge: { app: HailongApp } }> {
  const tmp = tempDir('hailong-fwb-');
  cleanups.push(tmp.remove);
  const { url, sub } = await mosquittoWithSubscriber(uid);
  const config = officeConfig({ uid, port: box.ptyPath, dataDir: tmp.dir, mqttUrl: url });
  const bridge = { app: await startBridge(config) };
  cleanups.push(() => bridge.app.stop());
  return { sub, config, bridge };
}

/** `hailong bridge --config file` as its own process, as an office runs it. */
function spawnBridge(configFile: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [join(REPO, 'bridge', 'bin.mjs'), 'bridge', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HAILONG_LOG_FORMAT: 'json', HAILONG_LOG_LEVEL: 'warn' },
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  return { child, output: () => output };
}

/** SIGKILL (no goodbye, no flush) and wait for the exit. */
function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** The `_bridge/status` state most recently published (the last will when the bridge dies). */
function bridgeState(sub: Collector): Status['state'] | undefined {
  const m = sub.messages.filter((x) => x.topic.endsWith('/_bridge/status') && x.payload !== '').at(-1);
  return m === undefined ? undefined : (JSON.parse(m.payload) as Status).state;
}

/** Presses button `b` like a citizen (80 ms), then lets it re-arm (30 ms released, PROTOCOL.md §12). */
async function press(box: Emulator, b: number): Promise<void> {
  await box.tap(b, 80);
  await box.wait(50);
}

describe('the reference firmware and the real bridge', () => {
  it('turns presses into votes with the right levels, exactly once, with status and tally to match', async () => {
    const tmp = tempDir('hailong-fwb-');
    cleanups.push(tmp.remove);
    const uid = 'HL328P-E2EB001';
    const box = await startBox(uid);
    const app = await startBridge(officeConfig({ uid, port: box.ptyPath, dataDir: tmp.dir }));
    cleanups.push(() => app.stop());
    const url = app.endpoints('127.0.0.1').mqttUrls[0] as string;
    const sub = await collect(url);
    cleanups.push(() => sub.close());
    await online(sub, box);

    const buttons = [1, 2, 3, 1, 3, 2, 1];
    for (const b of buttons) await press(box, b);
    await waitForVotes(sub, buttons.length);
    // Button 4 is fitted but the 3-level scale makes it inactive (CONFIG buttons=3): no seq, no vote.
    await press(box, 4);
    await press(box, 2);
    await waitForVotes(sub, buttons.length + 1);
    const all = [...buttons, 2];
    for (const m of sub.messages) if (m.payload !== '') expect(parseMessage(m.topic, m.payload).ok, m.topic).toBe(true);
    const votes = votesBySeq(sub);
    expect(votes.map((v) => v.id)).toEqual(all.map((_, i) => `${TERMINAL}:${i + 1}`));
    expect(votes.map((v) => v.level)).toEqual(all.map((b) => LEVELS[b - 1]));
    for (const v of votes) {
      expect(v).toMatchObject({ district: DISTRICT, ward: WARD, counter: COUNTER, terminal: TERMINAL, source: 'button' });
      expect(v.filtered).toBeUndefined();
      expect(v.timeUncertain).toBeUndefined();
      expect(v.receivedAt - v.pressedAt).toBeGreaterThanOrEqual(0);
      expect(v.receivedAt - v.pressedAt).toBeLessThan(2000);
    }
    expect(box.sentLines.some((l) => /^\$VOTE,\d+,4,/.test(l))).toBe(false);

    const tally = await waitForTally(sub, all.length);
    expect(tallyTotals(tally)).toEqual({ counted: [3, 3, 2], filtered: [0, 0] });
    const hello = lastHello(box);
    expect(hello.uid).toBe(uid);
    expect(currentStatus(sub)).toMatchObject({ state: 'online', kind: 'button', uid, model: hello.model, firmware: hello.firmware });
    expectEachVoteOnce(sub);
    // Every frame the firmware sent passed the bridge's decoder (bar the tail of a HELLO that the
    // bridge's port opening may have cut: the harness drops bytes while nobody has the port open).
    const sessions = [...app.bridge.sessions.values()];
    expect(sessions).toHaveLength(1);
    const { 'missing-start': cutTails = 0, ...problems } = sessions[0]!.errorCounts();
    expect(problems).toEqual({});
    expect(cutTails).toBeLessThanOrEqual(1);
    expect(app.bridge.journal.voteCount()).toBe(all.length);
    await until(() => app.bridge.journal.outboxSize() === 0, 5000, 'every vote PUBACKed');
    // A dashboard that connects now gets the same tally and status, retained; votes are not retained.
    const late = await collect(url);
    cleanups.push(() => late.close());
    await late.waitFor(
      () => currentTally(late)?.seq === all.length && currentStatus(late)?.state === 'online',
      5000,
      'retained tally and status',
    );
    expect(late.messages.filter((m) => m.topic.includes('/tally/') || m.topic.endsWith('/status')).every((m) => m.retain)).toBe(true);
    expect(tallyTotals(currentTally(late) as Tally)).toEqual(tallyTotals(tally));
    expect(late.json<Vote>('vote')).toEqual([]);
  });

  it('records presses inside the cooldown as filtered, still exactly once', async () => {
    const tmp = tempDir('hailong-fwb-');
    cleanups.push(tmp.remove);
    const uid = 'HL328P-E2EB002';
    const box = await startBox(uid);
    const app = await startBridge(officeConfig({ uid, port: box.ptyPath, dataDir: tmp.dir, cooldownMs: 3000 }));
    cleanups.push(() => app.stop());
    const sub = await collect(app.endpoints('127.0.0.1').mqttUrls[0] as string);
    cleanups.push(() => sub.close());
    await online(sub, box);

    await press(box, 1);
    await press(box, 3); // ~130 ms later: inside the 3 s cooldown
    await press(box, 2); // still inside: the cooldown runs from the last unflagged press (§6.5)
    await box.wait(3000); // emulated time: the box's own clock decides
    await press(box, 3);
    await waitForVotes(sub, 4);
    const votes = votesBySeq(sub);
    expect(votes.map((v) => [v.id, v.level, v.filtered ?? null])).toEqual([
      [`${TERMINAL}:1`, 'rat-hai-long', null],
      [`${TERMINAL}:2`, 'khong-hai-long', 'cooldown'],
      [`${TERMINAL}:3`, 'hai-long', 'cooldown'],
      [`${TERMINAL}:4`, 'khong-hai-long', null],
    ]);
    // The box flagged them itself (C), as the protocol asks.
    expect(box.sentLines.filter((l) => l.startsWith('$VOTE,')).map((l) => l.split('*')[0]!.split(',')[5])).toEqual(['-', 'C', 'C', '-']);
    expectEachVoteOnce(sub);
    const tally = await waitForTally(sub, 4);
    expect(tallyTotals(tally)).toEqual({ counted: [1, 0, 1], filtered: [2, 0] });
  });

  it('gated mode: presses before "service finished" are not counted; the one after it is, with the ticket', async () => {
    const tmp = tempDir('hailong-fwb-');
    cleanups.push(tmp.remove);
    const uid = 'HL328P-E2EB003';
    const box = await startBox(uid);
    const app = await startBridge(officeConfig({ uid, port: box.ptyPath, dataDir: tmp.dir, mode: 'gated' }));
    cleanups.push(() => app.stop());
    const url = app.endpoints('127.0.0.1').mqttUrls[0] as string;
    const sub = await collect(url);
    cleanups.push(() => sub.close());
    await online(sub, box);

    await press(box, 1); // nobody has been served yet
    await press(box, 2);
    await waitForVotes(sub, 2);
    const desk = await collect(url, `hailong/v1/${DISTRICT}/${WARD}/${COUNTER}/_served`, {
      username: DESK.username,
      password: DESK.password,
    });
    cleanups.push(() => desk.close());
    const served: Served = { v: 1, at: Date.now(), officer: 'can-bo-lan', ticket: 'A-012' };
    const p = publicationFor('served', { district: DISTRICT, ward: WARD, counter: COUNTER }, served);
    const from = box.events.length;
    await desk.client.publishAsync(p.topic, p.payload, { qos: p.qos, retain: p.retain });
    // The bridge sends OPEN; the box lights its 3 active buttons while the window is open.
    await box.waitFor((e) => e.kind === 'out' && e.leds === 0b111, 5000, from);
    await press(box, 2); // the citizen who was just served
    await press(box, 3); // the window closed with the vote before
    await waitForVotes(sub, 4);
    const votes = votesBySeq(sub);
    expect(votes.map((v) => [v.id, v.level, v.filtered ?? null])).toEqual([
      [`${TERMINAL}:1`, 'rat-hai-long', 'gated'],
      [`${TERMINAL}:2`, 'hai-long', 'gated'],
      [`${TERMINAL}:3`, 'hai-long', null],
      [`${TERMINAL}:4`, 'khong-hai-long', 'gated'],
    ]);
    expect(votes[2]).toMatchObject({ ticket: 'A-012', officer: 'can-bo-lan' });
    expect(votes[3]!.ticket).toBeUndefined();
    expectEachVoteOnce(sub);
    const tally = await waitForTally(sub, 4);
    expect(tallyTotals(tally)).toEqual({ counted: [0, 1, 0], filtered: [0, 3] });
  });

  it('bridge killed, 20 presses, bridge restarted on the same journal: all 20 delivered exactly once', async () => {
    const uid = 'HL328P-E2EB004';
    const box = await startBox(uid);
    const tmp = tempDir('hailong-fwb-');
    cleanups.push(tmp.remove);
    const { url, sub } = await mosquittoWithSubscriber(uid);
    const configFile = join(tmp.dir, 'hailong.yaml');
    writeFileSync(configFile, stringify(officeTree({ uid, port: box.ptyPath, dataDir: join(tmp.dir, 'data'), mqttUrl: url })));
    const bridges: ReturnType<typeof spawnBridge>[] = [];
    cleanups.push(async () => {
      for (const b of bridges) await kill9(b.child);
    });
    bridges.push(spawnBridge(configFile));
    await online(sub, box, 20_000).catch((e: Error) => {
      throw new Error(`${e.message}\nbridge output: ${bridges[0]!.output()}`);
    });
    await press(box, 1);
    await waitForVotes(sub, 1);

    await kill9(bridges[0]!.child);
    await sub.waitFor(() => bridgeState(sub) === 'offline', 5000, "the bridge's last will");
    const buttons = Array.from({ length: 20 }, (_, i) => 1 + ((i * 7) % 3));
    for (const b of buttons) await press(box, b);
    // The send window (W = 16, PROTOCOL.md §7.7): votes 2..17 went out (into a port nobody had
    // open) and wait for an ACK; the other 4 wait in EEPROM for room in the window.
    expect(new Set(box.sentLines.filter((l) => l.startsWith('$VOTE,')).map((l) => l.split(',')[1]))).toEqual(
      new Set(Array.from({ length: 17 }, (_, i) => String(i + 1))),
    );
    expect(voteIds(sub).size).toBe(1);

    bridges.push(spawnBridge(configFile));
    // The box's next go-back-N resend meets the new bridge: NAK HELLO, HELLO (20 pending), WELCOME, the backlog.
    await waitForVotes(sub, 21, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}\nbridge output: ${bridges[1]!.output()}`);
    });
    expect(lastHello(box)).toMatchObject({ uid, pending: 20 });
    await box.wait(1500); // anything extra would show up now
    const votes = votesBySeq(sub);
    // A bridge process numbers a new journal's votes from a clock-based start (a lost journal never
    // repeats a published id, docs/ARCHITECTURE.md): 21 consecutive ids, whatever the first.
    const first = votes[0]!.seq;
    expect(votes.map((v) => v.id)).toEqual(Array.from({ length: 21 }, (_, i) => `${TERMINAL}:${first + i}`));
    expect(votes.slice(1).map((v) => v.level)).toEqual(buttons.map((b) => LEVELS[b - 1]));
    // The box never rebooted: it knows every press's age, so the press times are the real ones.
    for (const v of votes) expect(v.timeUncertain).toBeUndefined();
    expect(votes[1]!.receivedAt - votes[1]!.pressedAt).toBeGreaterThan(2000);
    for (let i = 2; i < votes.length; i++) expect(votes[i]!.pressedAt).toBeGreaterThanOrEqual(votes[i - 1]!.pressedAt);
    const tally = await waitForTally(sub, 21);
    expect(tallyTotals(tally)).toEqual({
      counted: LEVELS.map((_, i) => [1, ...buttons].filter((b) => b === i + 1).length),
      filtered: [0, 0],
    });
    await sub.waitFor(() => bridgeState(sub) === 'online' && currentStatus(sub)?.state === 'online', 5000, 'bridge and box online again');
    await kill9(bridges[1]!.child);
    const journal = new Journal({ path: join(tmp.dir, 'data', 'journal.db') });
    journal.open();
    try {
      expect(journal.voteCount()).toBe(21);
      expect(journal.highWaterMark(uid)).toBe(21);
    } finally {
      journal.close();
    }
  });

  it('power cut mid-resend, after a lost ACK and with the bridge away: nothing lost, nothing duplicated', async () => {
    const uid = 'HL328P-E2EB005';
    const box = await startBox(uid);
    const { sub, config, bridge } = await officeOnMosquitto(uid, box);
    await online(sub, box);
    await press(box, 1);
    await press(box, 2);
    await waitForVotes(sub, 2);

    // The bridge stores vote 3 and ACKs it, but the ACK is lost (RX wire cut): the box resends, gets
    // ACK DUP (lost too), and the power is cut while it is still resending (PROTOCOL.md §8).
    await box.rx(false);
    await press(box, 3);
    await waitForVotes(sub, 3);
    await until(() => voteSends(box, 3) >= 2, 10_000, 'a resend of vote 3');
    await box.powerCut();
    await box.restart(); // same EEPROM image, RX mended, new /dev/pts behind the same path
    await box.wait(100);
    // Stop-and-wait: vote 4 arriving proves the box resent vote 3 after the reboot and got ACK DUP.
    await press(box, 1);
    await waitForVotes(sub, 4, 15_000);
    expect(box.sentLines.filter((l) => l.startsWith('$VOTE,3,')).at(-1)).toMatch(/^\$VOTE,3,3,0,4294967295,-\*/);
    // The new session on the reopened port answered that resend ACK DUP, and its status says so.
    await sub.waitFor(() => (currentStatus(sub)?.errors?.duplicate ?? 0) >= 1, 5000, 'the DUP in the terminal status');

    // Now the bridge goes away and the box keeps resending vote 5 into the void.
    await bridge.app.stop();
    for (const b of [3, 1, 2]) await press(box, b);
    await until(() => voteSends(box, 5) >= 2, 10_000, 'a resend of vote 5');
    await box.powerCut();
    await box.restart();
    bridge.app = await startBridge(config);
    await waitForVotes(sub, 7, 15_000);
    expect(lastHello(box).pending).toBe(3);
    await box.wait(100);
    await press(box, 3); // life goes on: a new seq, not a reused one
    await waitForVotes(sub, 8);
    await box.wait(1500);

    const votes = votesBySeq(sub);
    expect(votes.map((v) => [v.id, v.level])).toEqual([1, 2, 3, 1, 3, 1, 2, 3].map((b, i) => [`${TERMINAL}:${i + 1}`, LEVELS[b - 1]]));
    // Vote 3 was stored once, before the cut, with its real press time; the resend after the reboot was a DUP.
    expect(sub.json<Vote>('vote').filter((v) => v.id === `${TERMINAL}:3`)).toHaveLength(1);
    expect(votes[2]!.timeUncertain).toBeUndefined();
    expect(votes[3]!.timeUncertain).toBeUndefined();
    // Pressed before the second cut: the box lost their clock reference (ageMs unknown).
    expect(votes.slice(4, 7).map((v) => v.timeUncertain)).toEqual([true, true, true]);
    expect(votes[7]!.timeUncertain).toBeUndefined();
    expect(box.sentLines.filter((l) => l.startsWith('$EVENT,BOOT,'))).toEqual(Array(3).fill('$EVENT,BOOT,POWERON*5D7D'));
    expect(bridge.app.bridge.journal.voteCount()).toBe(8);
    const tally = await waitForTally(sub, 8);
    expect(tallyTotals(tally).counted).toEqual([3, 2, 3]);
  });

  it("EEPROM wiped (re-flashed without EESAVE): the box continues above WELCOME's mark, so its new votes are counted, not DUP", async () => {
    const uid = 'HL328P-E2EB007';
    const box = await startBox(uid);
    const { sub, config, bridge } = await officeOnMosquitto(uid, box);
    await online(sub, box);
    for (const b of [1, 2, 3]) await press(box, b);
    await waitForVotes(sub, 3);
    await until(() => bridge.app.bridge.journal.outboxSize() === 0, 5000, 'the first 3 votes PUBACKed');

    // The bridge goes away, the box loses power and its vote ring is erased (the identity block
    // is kept: the uid is the same box's), as a re-flash without EESAVE leaves it (PROTOCOL.md §7.1).
    await bridge.app.stop();
    await box.powerCut();
    const image = readFileSync(box.eepromFile);
    image.fill(0xff, EE_AFTER_IDENTITY);
    writeFileSync(box.eepromFile, image);
    await box.restart();
    await box.wait(100);
    // Two presses while the bridge is away: the wiped box stores them as its seqs 1 and 2.
    await press(box, 2);
    await press(box, 2);
    await until(() => lastHello(box).pending === 2, 5000, 'a HELLO with the 2 new votes pending');
    bridge.app = await startBridge(config);
    // WELCOME carries mark 3: the box renumbers them 4 and 5 before sending (§7.6).
    await waitForVotes(sub, 5, 15_000);
    await box.wait(100);
    await press(box, 1); // and continues above them
    await waitForVotes(sub, 6);
    await box.wait(1500);

    expect(
      box.sentLines
        .filter((l) => l.startsWith('$VOTE,'))
        .map((l) => Number(l.split(',')[1]))
        .filter((seq, i, all) => all.indexOf(seq) === i),
    ).toEqual([1, 2, 3, 4, 5, 6]);
    const votes = votesBySeq(sub);
    expect(votes.map((v) => v.level)).toEqual([1, 2, 3, 2, 2, 1].map((b) => LEVELS[b - 1]));
    expectEachVoteOnce(sub);
    expect(bridge.app.bridge.journal.voteCount()).toBe(6);
    expect(bridge.app.bridge.journal.highWaterMark(uid)).toBe(6);
    const tally = await waitForTally(sub, votes.at(-1)!.seq);
    expect(tallyTotals(tally).counted).toEqual([2, 3, 1]);
    // Nothing was answered DUP: the bridge's status shows no duplicate and no seq regression.
    expect(currentStatus(sub)?.errors?.duplicate ?? 0).toBe(0);
  });

  it('survives 10,000 random bytes on its UART, keeps its pending vote, and keeps voting', async () => {
    const uid = 'HL328P-E2EB006';
    const box = await startBox(uid);
    const { sub, config, bridge } = await officeOnMosquitto(uid, box);
    await online(sub, box);
    await press(box, 2);
    await waitForVotes(sub, 1);

    // The bridge lets go of the port and a citizen presses: the box holds vote 2 and resends it.
    await bridge.app.stop();
    await press(box, 1);
    // A misbehaving program opens the port, spews 10,000 random bytes at the box, then PINGs it.
    const port = new SerialPort({ path: box.ptyPath, baudRate: 115_200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    const decoder = new FrameDecoder();
    const pongs: number[] = [];
    port.on('data', (chunk: Buffer) => {
      for (const r of decoder.push(chunk)) if (r.ok && r.value.type === 'PONG') pongs.push(r.value.nonce);
    });
    const write = (bytes: Uint8Array): Promise<void> =>
      new Promise((resolve, reject) =>
        port.write(Buffer.from(bytes), (e) => (e ? reject(e) : port.drain((d) => (d ? reject(d) : resolve())))),
      );
    const rng = new Rng(0x5eed1234);
    await write(Uint8Array.from({ length: 10_000 }, () => rng.int(256)));
    await write(encodeBytes({ type: 'PING', nonce: 777 }));
    // The PONG queues behind the noise (~0.9 s of line time): it proves every byte went through the firmware.
    await until(() => pongs.includes(777), 15_000, 'the PONG after the noise');
    await new Promise<void>((resolve) => port.close(() => resolve()));

    bridge.app = await startBridge(config);
    await press(box, 3);
    await waitForVotes(sub, 3, 30_000);
    await box.wait(1000);
    expect(votesBySeq(sub).map((v) => [v.id, v.level])).toEqual([
      [`${TERMINAL}:1`, 'hai-long'],
      [`${TERMINAL}:2`, 'rat-hai-long'],
      [`${TERMINAL}:3`, 'khong-hai-long'],
    ]);
    // No reset, no watchdog: one EVENT BOOT, and the box kept its clock (ages known).
    expect(box.sentLines.filter((l) => l.startsWith('$EVENT,BOOT'))).toEqual(['$EVENT,BOOT,POWERON*5D7D']);
    expect(box.events.filter((e) => e.kind === 'reset')).toEqual([]);
    for (const v of votesBySeq(sub)) expect(v.timeUncertain).toBeUndefined();
    await sub.waitFor(() => currentStatus(sub)?.state === 'online', 5000, 'online again');
  });
});
