import { open } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { collect } from './mqtt-collector.ts';
import { startMosquitto, type Mosquitto } from './mosquitto.ts';
import { createPtyPair, type PtyPair } from './pty.ts';
import { startTcpProxy } from './tcp-proxy.ts';
import { freePort, freePortRun } from './ports.ts';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { untilReached } from '../bridge/bridge-rig.ts';
import { startNatsCluster } from './nats-cluster.ts';
import { replicaLag } from './nats-replicas.ts';

// The shared test rigs must work for real, or every suite built on them lies.
let broker: Mosquitto | undefined;
let pair: PtyPair | undefined;
afterEach(async () => {
  await broker?.dispose();
  await pair?.dispose();
  broker = undefined;
  pair = undefined;
});

describe('test rigs', () => {
  it('freePort hands out distinct ports below the ephemeral range, never one something listens on', async () => {
    // A port in the ephemeral range may become any outgoing connection's source port (a CI failure: a bridge's broker port taken).
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const ports: number[] = [];
    for (let i = 0; i < 40; i += 1) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) expect(port).toBeLessThan(low as number);
    // Hold ten of them: a full turn through the worker's slice must step over each.
    const held = await Promise.all(
      ports.slice(0, 10).map(
        (port) =>
          new Promise<ReturnType<typeof createServer>>((resolve) => {
            const server = createServer();
            server.listen(port, '127.0.0.1', () => resolve(server));
          }),
      ),
    );
    try {
      for (let i = 0; i < 1_600; i += 1) expect(ports.slice(0, 10)).not.toContain(await freePort());
    } finally {
      await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
    }
  });

  it('Mosquitto carries a retained message over TCP and survives a restart with persistence', async () => {
    broker = await startMosquitto({ persistence: true });
    const pub = await mqtt.connectAsync(broker.url);
    await pub.publishAsync('hailong/v1/x', 'hello', { qos: 1, retain: true });
    await pub.endAsync();
    await broker.restart();
    const sub = await collect(broker.url, 'hailong/v1/#');
    await sub.waitFor((m) => m.some((x) => x.payload === 'hello' && x.retain), 5000, 'the retained message');
    await sub.close();
  });

  it('Mosquitto speaks MQTT over WebSocket', async () => {
    broker = await startMosquitto();
    const sub = await collect(broker.wsUrl, 't/#');
    await sub.client.publishAsync('t/1', 'ws', { qos: 1 });
    await sub.waitFor((m) => m.some((x) => x.payload === 'ws'), 5000, 'the ws echo');
    await sub.close();
  });

  it('freePortRun hands out a run no later freePort or run overlaps (a demo takes a base port and the three after it)', async () => {
    const taken = new Set<number>();
    for (let i = 0; i < 400; i += 1) {
      const run = i % 3 === 0 ? [await freePort()] : await freePortRun(4).then((b) => [b, b + 1, b + 2, b + 3]);
      for (const port of run) {
        expect(taken.has(port)).toBe(false);
        taken.add(port);
      }
    }
  });

  it('a socat pty pair carries bytes both ways, and unplug removes it', async () => {
    pair = await createPtyPair();
    const a = await open(pair.device, 'r+');
    const b = await open(pair.host, 'r+');
    await a.write('$PING,1*F692\r\n');
    const buf = Buffer.alloc(64);
    const { bytesRead } = await b.read(buf, 0, 64, null);
    expect(buf.subarray(0, bytesRead).toString()).toBe('$PING,1*F692\r\n');
    await a.close();
    await b.close();
    await pair.unplug();
    expect(pair.plugged).toBe(false);
    await pair.replug();
    expect(pair.plugged).toBe(true);
  });

  it('the TCP proxy (a WAN line) carries MQTT, drops every connection when cut, and carries it again when restored', async () => {
    broker = await startMosquitto();
    const wan = await startTcpProxy(broker.port);
    try {
      const client = await mqtt.connectAsync(wan.url, { reconnectPeriod: 100 });
      const closed = new Promise<void>((r) => client.once('close', () => r()));
      await wan.cut();
      await closed;
      await expect(mqtt.connectAsync(wan.url, { reconnectPeriod: 0, connectTimeout: 1000 })).rejects.toThrow();
      await wan.restore();
      await new Promise<void>((r) => (client.connected ? r() : client.once('connect', () => r())));
      await client.publishAsync('t/1', 'back', { qos: 1 });
      await client.endAsync(true);
    } finally {
      await wan.close();
    }
  });

  it('untilReached waits as long as the count grows, and fails once it stalls', async () => {
    let n = 0;
    const grow = setInterval(() => (n += 1), 50);
    const started = Date.now();
    // 20 steps of 50 ms: far longer than the 300 ms stall window, never a stall.
    await untilReached(() => n, 20, 300, 'a growing count').finally(() => clearInterval(grow));
    expect(Date.now() - started).toBeGreaterThan(600);
    const stuck = 7;
    await expect(untilReached(() => stuck, 8, 300, 'a stuck count')).rejects.toThrow(/stalled at 7 of 8 waiting for a stuck count/);
  });

  it('a NATS node restarted after kill -9 counts as healthy only once the leaders hear from it again in every group', async () => {
    const cluster = await startNatsCluster([
      { username: 'hub', password: 'pw-hub', role: 'dashboard', district: 'ba-dinh' },
      { username: 'phuc-xa', password: 'pw-phuc-xa', role: 'bridge', district: 'ba-dinh', ward: 'phuc-xa' },
    ]);
    try {
      await Promise.all([0, 1, 2].map((i) => cluster.healthy(i)));
      // A persistent QoS 1 subscriber on node 3: an R3 consumer; the publisher's messages: the R3 stream.
      const hub = await mqtt.connectAsync(cluster.urls[2]!, { username: 'hub', password: 'pw-hub', clientId: 'hub-1', clean: false });
      await hub.subscribeAsync('hailong/v1/ba-dinh/#', { qos: 1 });
      const unit = await mqtt.connectAsync(cluster.urls[1]!, { username: 'phuc-xa', password: 'pw-phuc-xa', clientId: 'unit-1' });
      const publish = (n: number) =>
        Promise.all(Array.from({ length: n }, (_, k) => unit.publishAsync(`hailong/v1/ba-dinh/phuc-xa/q/t/vote`, `${k}`, { qos: 1 })));
      await publish(50);
      await cluster.kill(0);
      await publish(500); // node 1 misses these
      await cluster.restart(0);
      // Right after the restart the node is usually still behind (`replicaLag` names it), but how long it
      // stays so depends on the machine's load (caught up before a first look, on a CI run): only the
      // outcome of healthy() is asserted. With the old check (JetStream enabled) it returned while behind.
      await cluster.healthy(0);
      expect(await replicaLag(cluster.nodes, 0)).toBeUndefined();
      await unit.endAsync();
      await hub.endAsync();
    } finally {
      await cluster.dispose();
    }
  }, 120_000);
});
