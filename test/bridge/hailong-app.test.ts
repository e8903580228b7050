import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage } from '../../core/topic-payload.ts';
import { mergeStatus, type Status } from '../../core/status.ts';
import type { Tally } from '../../core/tally.ts';
import type { Vote } from '../../core/vote.ts';
import { createPtyFleet, type PtyFleet } from '../../bridge/simulator/fleet.ts';
import { collect, type Collector } from '../helpers/mqtt-collector.ts';
import { createPtyPair } from '../helpers/pty.ts';
import { box, rigConfig, startApp, tempDir, until } from './bridge-rig.ts';
import { open } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { HailongApp } from '../../bridge/hailong-app.ts';
import { encode } from '../../firmware-protocol/src/encode.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const FAST = { helloIntervalMs: 300, ackTimeoutMs: 300, maxAckTimeoutMs: 1000 };

async function rig(boxes: number, extraPorts: readonly string[] = []): Promise<{ app: HailongApp; fleet: PtyFleet; sub: Collector }> {
  const tmp = tempDir();
  cleanups.push(tmp.remove);
  const fleet = await createPtyFleet(boxes, { dir: tmp.dir, terminal: FAST });
  cleanups.push(() => fleet.close());
  const config = rigConfig({ boxes, ports: [...fleet.hostPaths, ...extraPorts], dataDir: tmp.dir });
  const { app, url } = await startApp(config);
  cleanups.push(() => app.stop());
  const sub = await collect(url, 'hailong/v1/#');
  cleanups.push(() => sub.close());
  fleet.start();
  await until(() => fleet.terminals.every((t) => t.phase === 'session'), 15_000, 'every box in session');
  return { app, fleet, sub };
}

function latest<T>(sub: Collector, topicEnd: string): T | undefined {
  const m = [...sub.messages].reverse().find((x) => x.topic.endsWith(topicEnd) && x.payload !== '');
  return m === undefined ? undefined : (JSON.parse(m.payload) as T);
}

/** The current status of a topic: newest `at` wins (a broker may deliver an old retained copy last). */
function currentStatus(sub: Collector, topicEnd: string): Status | undefined {
  return sub.messages
    .filter((x) => x.topic.endsWith(topicEnd) && x.payload !== '')
    .map((x) => JSON.parse(x.payload) as Status)
    .reduce<Status | undefined>((a, b) => (a === undefined ? b : mergeStatus(a, b)), undefined);
}

describe('the bridge over real ptys and the embedded Aedes broker', () => {
  it('turns presses into votes, statuses and retained tallies that follow the topic scheme', async () => {
    const { fleet, sub } = await rig(2);
    fleet.terminals[0]?.press(1);
    fleet.terminals[1]?.press(3);
    await sub.waitFor((m) => m.filter((x) => x.topic.endsWith('/vote')).length === 2, 10_000, 'two votes');
    // Every message on the broker is valid under the core topic map.
    for (const m of sub.messages) if (m.payload !== '') expect(parseMessage(m.topic, m.payload).ok, m.topic).toBe(true);
    const votes = sub.json<Vote>('vote').sort((a, b) => a.terminal.localeCompare(b.terminal));
    expect(votes.map((v) => [v.id, v.counter, v.level, v.source])).toEqual([
      ['hop-1:1', 'quay-1', 'rat-hai-long', 'button'],
      ['hop-2:1', 'quay-2', 'khong-hai-long', 'button'],
    ]);
    const voteTopic = sub.messages.find((m) => m.topic.endsWith('/vote'))?.topic;
    expect(voteTopic).toMatch(/^hailong\/v1\/ba-dinh\/phuc-xa\/quay-[12]\/hop-[12]\/vote$/);
    await sub.waitFor((m) => m.some((x) => /\/hop-2\/tally\/\d{4}-\d{2}$/.test(x.topic)), 5000, 'a tally');
    const month = sub.messages
      .find((m) => /\/hop-2\/tally\//.test(m.topic))
      ?.topic.split('/')
      .pop() as string;
    const tally = latest<Tally>(sub, `/hop-2/tally/${month}`);
    expect(Object.values(tally?.days ?? {}).reduce((n, d) => n + (d.c[2] ?? 0), 0)).toBe(1);
    expect(currentStatus(sub, '/hop-1/status')).toMatchObject({ state: 'online', kind: 'button', uid: box(0).uid });
    expect(currentStatus(sub, '/_bridge/status')).toMatchObject({ state: 'online', model: 'hailong-bridge' });
    expect(sub.messages.some((m) => m.topic === 'hailong/v1/ba-dinh/phuc-xa/_office')).toBe(true);
  });

  it('recovers in-process from an unplug and a replug: offline, then every vote exactly once', async () => {
    const { app, fleet, sub } = await rig(2);
    const pair = fleet.pairs[0];
    if (pair === undefined) throw new Error('no pair');
    fleet.terminals[0]?.press(1);
    await sub.waitFor((m) => m.some((x) => x.topic.endsWith('hop-1/vote')), 10_000, 'first vote');
    await pair.unplug();
    await sub.waitFor((m) => m.some((x) => x.topic.endsWith('hop-1/status') && x.payload.includes('"offline"')), 10_000, 'hop-1 offline');
    // Citizens keep pressing while the cable is out: the box keeps the votes.
    for (let i = 0; i < 5; i++) fleet.terminals[0]?.press(2);
    fleet.terminals[1]?.press(1); // the other box is unaffected
    await sub.waitFor((m) => m.some((x) => x.topic.endsWith('hop-2/vote')), 10_000, 'hop-2 vote during the unplug');
    await pair.replug();
    await sub.waitFor((m) => m.filter((x) => x.topic.endsWith('hop-1/vote')).length >= 6, 20_000, 'the 5 votes after replug');
    await new Promise((r) => setTimeout(r, 500));
    const ids = sub
      .json<Vote>('vote')
      .filter((v) => v.terminal === 'hop-1')
      .map((v) => v.id);
    expect(new Set(ids)).toEqual(new Set(['hop-1:1', 'hop-1:2', 'hop-1:3', 'hop-1:4', 'hop-1:5', 'hop-1:6']));
    expect(app.bridge.journal.outboxSize()).toBe(0);
    expect(currentStatus(sub, 'hop-1/status')?.state).toBe('online');
  });

  it('a flood of random bytes on one port never disturbs another terminal, and is counted', async () => {
    const noisy = await createPtyPair('noise');
    cleanups.push(() => noisy.dispose());
    const { app, fleet, sub } = await rig(1, [noisy.host]);
    const device = await open(noisy.device, 'r+');
    cleanups.push(() => device.close());
    let flooding = true;
    const flood = (async () => {
      const bytes = Buffer.alloc(4096);
      while (flooding) {
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
        await device.write(bytes);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    for (let i = 0; i < 20; i++) {
      fleet.terminals[0]?.press((i % 3) + 1);
      await new Promise((r) => setTimeout(r, 50));
    }
    await sub.waitFor((m) => m.filter((x) => x.topic.endsWith('hop-1/vote')).length >= 20, 20_000, '20 votes under noise');
    flooding = false;
    await flood;
    expect(new Set(sub.json<Vote>('vote').map((v) => v.id)).size).toBe(20);
    const counters = app.bridge.counterSnapshot();
    const noise = Object.entries(counters)
      .filter(([k]) => k.startsWith('port-'))
      .reduce((n, [, v]) => n + v, 0);
    expect(noise).toBeGreaterThan(0);
  });

  it('raises a visible alarm when a box reuses a seq for another press (EEPROM wiped)', async () => {
    const pair = await createPtyPair('wiped');
    cleanups.push(() => pair.dispose());
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const { app } = await startApp(rigConfig({ boxes: 1, ports: [pair.host], dataDir: tmp.dir, cooldownMs: 0 }));
    cleanups.push(() => app.stop());
    const box1 = await open(pair.device, 'r+');
    cleanups.push(() => box1.close());
    const acks: string[] = [];
    const reader = (async () => {
      const buf = Buffer.alloc(512);
      for (;;) {
        const { bytesRead } = await box1.read(buf, 0, 512, null).catch(() => ({ bytesRead: 0 }));
        if (bytesRead === 0) return;
        acks.push(
          ...(buf
            .subarray(0, bytesRead)
            .toString()
            .match(/\$ACK,[^*]*/g) ?? []),
        );
      }
    })();
    void reader;
    await box1.write(encode({ type: 'HELLO', proto: 1, uid: box(0).uid, model: 'M', firmware: '1', buttons: 3, pending: 0 }));
    await until(() => app.bridge.sessions.get(pair.host)?.identified !== undefined, 10_000, 'HELLO accepted');
    await box1.write(encode({ type: 'VOTE', seq: 1, button: 1, reason: 0, ageMs: 0, flags: '' }));
    await until(() => acks.includes('$ACK,1,OK'), 10_000, 'ACK OK');
    // An honest resend: same seq, same button. No alarm.
    await box1.write(encode({ type: 'VOTE', seq: 1, button: 1, reason: 0, ageMs: 900, flags: '' }));
    await until(() => acks.includes('$ACK,1,DUP'), 10_000, 'ACK DUP');
    expect(app.bridge.counterSnapshot()['port-seq-regression']).toBeUndefined();
    expect(app.bridge.counterSnapshot()['votes-duplicate']).toBe(1);
    // A wiped box: seq 1 again, another button.
    await box1.write(encode({ type: 'VOTE', seq: 1, button: 3, reason: 0, ageMs: 0, flags: '' }));
    await until(() => app.bridge.counterSnapshot()['port-seq-regression'] === 1, 10_000, 'the alarm counter');
    expect(app.bridge.journal.voteCount()).toBe(1);
  });

  it('a feature that fails (broker port taken) is logged by name; votes are still stored and ACKed', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const port = (blocker.address() as AddressInfo).port;
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const fleet = await createPtyFleet(1, { dir: tmp.dir, terminal: FAST });
    cleanups.push(() => fleet.close());
    const config = rigConfig({ boxes: 1, ports: fleet.hostPaths, dataDir: tmp.dir });
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const app = new HailongApp({ config: { ...config, broker: { ...config.broker, port } }, log, version: 'test' });
    const states = await app.start();
    cleanups.push(() => app.stop());
    expect(states.get('broker')).toBe('failed');
    expect(states.get('journal')).toBe('running');
    expect(states.get('serial')).toBe('running');
    expect(lines.join('')).toContain(`port ${port} for the MQTT broker is already in use`);
    expect(lines.join('')).toContain('feature \\"broker\\" failed to start');
    // No URL for a listener that is not running (issue 17: it printed mqtt://localhost:0).
    expect(lines.join('')).not.toMatch(/localhost:0\b/);
    expect(app.endpoints().broker).toBeUndefined();
    fleet.start();
    await until(() => fleet.terminals[0]?.phase === 'session', 10_000, 'session without a broker');
    fleet.terminals[0]?.press(1);
    await until(() => fleet.terminals[0]?.pending === 0, 10_000, 'the vote ACKed from the journal');
    expect(app.bridge.journal.outboxSize()).toBe(1);
  });

  it('a taken web port: the banner prints no http://localhost:0 URL', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const port = (blocker.address() as AddressInfo).port;
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const config = rigConfig({ boxes: 1, ports: [], dataDir: tmp.dir });
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const app = new HailongApp({ config: { ...config, web: { port, host: '127.0.0.1' } }, log, version: 'test', webRoot: tmp.dir });
    const states = await app.start();
    cleanups.push(() => app.stop());
    expect(states.get('web')).toBe('failed');
    expect(app.endpoints().web).toBeUndefined();
    expect(lines.join('')).not.toMatch(/localhost:0\b/);
    expect(lines.join('')).toContain('NOT RUNNING: web failed');
  });

  it('refuses a box whose uid is not in the config, and takes nothing from it', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const fleet = await createPtyFleet(2, { dir: tmp.dir, terminal: FAST, uidPrefix: 'SIM-' });
    cleanups.push(() => fleet.close());
    // Only the first box is configured.
    const config = rigConfig({ boxes: 1, ports: fleet.hostPaths, dataDir: tmp.dir });
    const { app, url } = await startApp(config);
    cleanups.push(() => app.stop());
    const sub = await collect(url);
    cleanups.push(() => sub.close());
    fleet.start();
    fleet.terminals[1]?.press(1);
    await until(() => app.bridge.counterSnapshot()['refused-unknown-uid'] !== undefined, 10_000, 'the refusal');
    expect(fleet.terminals[1]?.phase).toBe('hello');
    expect(fleet.terminals[1]?.pending).toBe(1); // kept on the box, not lost
    expect(sub.json<Vote>('vote')).toEqual([]);
  });
});
