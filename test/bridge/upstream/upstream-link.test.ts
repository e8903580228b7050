/** The hub link against a real Mosquitto and a real NATS server: fail over, a refused login, an unreachable hub, the log it leaves. */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../../../bridge/broker/embedded-broker.ts';
import { Journal } from '../../../bridge/journal/journal.ts';
import { UpstreamLink, type UpstreamLinkOptions } from '../../../bridge/upstream/upstream-link.ts';
import { VoteForwarder } from '../../../bridge/upstream/vote-forwarder.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { startMosquitto } from '../../helpers/mosquitto.ts';
import { freePort, waitForPort } from '../../helpers/ports.ts';
import { startTcpProxy } from '../../helpers/tcp-proxy.ts';
import { tempDir, until } from '../bridge-rig.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function logLines(): { log: Logger; lines: { msg: string; level: number; [k: string]: unknown }[] } {
  const lines: { msg: string; level: number }[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as { msg: string; level: number }) });
  return { log, lines };
}

function link(urls: string[], log: Logger, over: Partial<UpstreamLinkOptions> = {}): UpstreamLink {
  const l = new UpstreamLink({
    urls,
    clientId: `test-upstream-${Math.random().toString(36).slice(2)}`,
    minBackoffMs: 50,
    maxBackoffMs: 200,
    summaryMs: 1000,
    log,
    ...over,
  });
  cleanups.push(() => l.stop(200));
  return l;
}

describe('UpstreamLink', () => {
  it('fails over past a dead hub URL and publishes at QoS 1, resolving on PUBACK', async () => {
    const hub = await startMosquitto();
    cleanups.push(() => hub.dispose());
    const sub = await collect(hub.url, 'hailong/v1/#');
    cleanups.push(() => sub.close());
    const { log } = logLines();
    const l = link([`mqtt://127.0.0.1:${await freePort()}`, hub.url], log);
    l.start();
    await until(() => l.connected, 10_000, 'connected to the second URL');
    await l.publish('hailong/v1/ba-dinh/phuc-xa/_office', '{"x":1}', true);
    await sub.waitFor((m) => m.some((x) => x.topic.endsWith('/_office')), 5000, 'the message on the hub');
  });

  it('refuses to queue while disconnected: the journal is the queue; and stops at once while the hub is away', async () => {
    const { log } = logLines();
    const l = link([`mqtt://127.0.0.1:${await freePort()}`], log);
    l.start();
    await expect(l.publish('hailong/v1/a/b/_office', '{}', true)).rejects.toThrow(/not connected/);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await l.stop(2000);
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('a refused login is logged once with what to fix, then summarised, never once per attempt', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const passwd = join(tmp.dir, 'passwd');
    writeFileSync(passwd, '');
    expect(spawnSync('mosquitto_passwd', ['-b', passwd, 'phuc-xa', 'right'], { encoding: 'utf8' }).status).toBe(0);
    const hub = await startMosquitto({ allowAnonymous: false, extraConfig: `password_file ${passwd}` });
    cleanups.push(() => hub.dispose());
    const { log, lines } = logLines();
    const l = link([hub.url], log, { username: 'phuc-xa', password: 'wrong' });
    l.start();
    await new Promise((r) => setTimeout(r, 2500));
    expect(l.connected).toBe(false);
    const refused = lines.filter((x) => x.msg.startsWith('hub refused the login'));
    expect(refused).toHaveLength(1);
    expect(refused[0]?.msg).toMatch(/upstream\.username and upstream\.password/);
    const summaries = lines.filter((x) => x.msg.startsWith('hub still unreachable'));
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(summaries.length).toBeLessThanOrEqual(3);
    // Many attempts (backoff capped at 200 ms here), few lines.
    expect(Number(summaries.at(-1)?.attempts)).toBeGreaterThan(5);
    expect(lines.length).toBeLessThan(8);
  });

  it('an unreachable hub: one line, retries with growing waits, and one line when it is back', async () => {
    const hub = await startMosquitto();
    cleanups.push(() => hub.dispose());
    const wan = await startTcpProxy(hub.port);
    cleanups.push(() => wan.close());
    await wan.cut();
    const { log, lines } = logLines();
    const l = link([wan.url], log, { minBackoffMs: 100, maxBackoffMs: 800 });
    let offline = 0;
    l.on('offline', () => (offline += 1));
    l.start();
    // The first failed attempt says so; the retries after it (backoff 100–800 ms) must stay quiet.
    for (const by = Date.now() + 10_000; offline === 0 && Date.now() < by; ) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 2500));
    expect(offline).toBe(1);
    expect(lines.filter((x) => x.msg.startsWith('hub unreachable'))).toHaveLength(1);
    await wan.restore();
    await until(() => l.connected, 5000, 'reconnected after the line came back');
    expect(lines.filter((x) => x.msg.startsWith('hub reachable again'))).toHaveLength(1);
    // Backoff: 100, 200, 400, 800, 800 ms (±20 %) → about 5 attempts in 2.5 s, not 25.
    expect(wan.accepted).toBeGreaterThan(0);
    const back = lines.find((x) => x.msg.startsWith('hub reachable again'));
    expect(Number(back?.attempts)).toBeLessThanOrEqual(8);
  });
});

describe('UpstreamLink against a hub that closes the line after accepting it', () => {
  it('(its account may not write there) waits longer each time and says what to check once, not once per attempt', async () => {
    // hailong's own broker with the hub's rule: a ward's account writes only under its ward.
    const hub = new EmbeddedBroker({
      port: 0,
      host: '127.0.0.1',
      users: [{ username: 'phuc-xa', password: 'pw-phuc-xa', role: 'bridge', district: 'ba-dinh', ward: 'phuc-xa' }],
      logger: pino({ level: 'silent' }),
    });
    const { port } = await hub.start();
    cleanups.push(() => hub.stop());
    const { log, lines } = logLines();
    const l = link([`mqtt://127.0.0.1:${port}`], log, {
      username: 'phuc-xa',
      password: 'pw-phuc-xa',
      minBackoffMs: 100,
      maxBackoffMs: 800,
      summaryMs: 60_000,
    });
    let connects = 0;
    // Like a forwarder with a row the hub refuses first in line: it goes out again on every connect.
    l.on('connect', () => {
      connects += 1;
      l.publish('hailong/v1/ba-dinh/truc-bach/quay-1/hop-1/vote', '{}', false).catch(() => undefined);
    });
    l.start();
    await new Promise((r) => setTimeout(r, 3000));
    // 100, 200, 400, 800, 800 ms (±20 %): a handful of attempts, not one every few ms.
    expect(connects).toBeGreaterThanOrEqual(2);
    expect(connects).toBeLessThanOrEqual(8);
    const said = lines.filter((x) => x.msg.includes('closed the connection'));
    expect(said).toHaveLength(1);
    expect(said[0]?.msg).toMatch(/district and ward ids/);
    // hub connected, hub unreachable, (reachable again,) the hint: then silence until the minute's summary.
    expect(lines.filter((x) => x.msg.startsWith('hub reachable again')).length).toBeLessThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(4);
  });
});

/** A hub that accepts MQTT connections and never acknowledges a publish (its archive is stuck); `drop()` cuts every line. */
async function silentHub(): Promise<{ url: string; open: () => number; drop: () => void; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    // CONNACK, session not present, accepted; then silence.
    socket.once('data', () => socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00])));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    open: () => sockets.size,
    drop: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('UpstreamLink when the hub never acknowledges', () => {
  it('closes its connection on stop even with publishes of an earlier connection still unanswered (else the process never exits)', async () => {
    const hub = await silentHub();
    cleanups.push(() => hub.close());
    const { log } = logLines();
    const l = link([hub.url], log, { minBackoffMs: 50, maxBackoffMs: 100 });
    let connects = 0;
    l.on('connect', () => {
      connects += 1;
      // In flight when the line drops: never answered.
      void l.publish('hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/vote', `{"n":${connects}}`, false).catch(() => undefined);
    });
    l.start();
    await until(() => connects === 1, 5000, 'connected');
    hub.drop();
    await until(() => connects === 2 && hub.open() === 1, 5000, 'reconnected');
    await l.stop(300);
    await until(() => hub.open() === 0, 3000, 'the link to close its socket');
  });
});

describe('UpstreamLink on NATS (the MQTT 3.1.1 listener of a JetStream server, issue 11)', () => {
  it('forwards a journal backlog with the same ids, and fails over from a dead node', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const [client, mqttPort, dead] = [await freePort(), await freePort(), await freePort()];
    const conf = join(tmp.dir, 'nats.conf');
    writeFileSync(
      conf,
      [
        `server_name: hub-1`,
        `listen: 127.0.0.1:${client}`,
        `jetstream { store_dir: "${join(tmp.dir, 'js')}" }`,
        `mqtt { listen: 127.0.0.1:${mqttPort} }`,
        '',
      ].join('\n'),
    );
    // Debian's nats-server; a missing binary fails here (CI installs it).
    const nats = spawn('nats-server', ['-c', conf], { stdio: 'ignore' });
    cleanups.push(() => new Promise<void>((r) => (nats.exitCode !== null ? r() : (nats.once('exit', () => r()), nats.kill('SIGKILL')))));
    await waitForPort(mqttPort, 15_000);
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    const archive = await collect(url, 'hailong/v1/#', { clean: false, clientId: 'district-archive' });
    cleanups.push(() => archive.close());
    const journal = new Journal({ path: join(tmp.dir, 'journal.db') });
    journal.open();
    cleanups.push(() => journal.close());
    const N = 2000;
    await Promise.all(
      Array.from({ length: N }, (_, k) =>
        journal.append({
          uid: 'HL-1',
          deviceSeq: k + 1,
          path: { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'hop-1' },
          level: 'hai-long',
          pressedAt: 1_796_000_000_000 + k,
          receivedAt: 1_796_000_000_000 + k,
          source: 'button',
        }),
      ),
    );
    const { log } = logLines();
    const l = link([`mqtt://127.0.0.1:${dead}`, url], log);
    const forwarder = new VoteForwarder(journal, l, log, { pollMs: 20 });
    cleanups.push(() => forwarder.stop());
    forwarder.start();
    l.start();
    await until(() => journal.forwardQueue.backlog() === 0, 30_000, 'the backlog acknowledged by NATS');
    await archive.waitFor((m) => new Set(m.map((x) => JSON.parse(x.payload).id)).size === N, 10_000, `${N} votes through NATS`);
  });
});
