/**
 * The NATS cluster generator and `hailong nats-config`: topic → subject
 * mapping (a property over any topic levels), the grants of access.ts as
 * permissions, and the written configs accepted by the real
 * `nats-server -c FILE -t` (Debian's; CI installs it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { mqttToNatsSubject, natsClusterConfigs, natsPermissionsOf, natsSubjectsOfFilter } from '../../../bridge/broker/nats-config.ts';
import type { CommandIo } from '../../../bridge/commands/command-io.ts';
import { natsNodesOf, runNatsConfig } from '../../../bridge/commands/nats-config.ts';
import { requireNatsServer } from '../../helpers/nats-cluster.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function io(): CommandIo & { out: string; err: string } {
  const o = { out: '', err: '', env: {}, stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t) };
  return o;
}

const level = fc.stringMatching(/^[a-z0-9_.-]{1,12}$/);

describe('mqttToNatsSubject', () => {
  it('maps / to ., . to //, + to * and # to > (docs.nats.io "Topics and subjects")', () => {
    expect(mqttToNatsSubject('hailong/v1/ba-dinh/+/#')).toBe('hailong.v1.ba-dinh.*.>');
    expect(mqttToNatsSubject('cold-1.temp/x')).toBe('cold-1//temp.x');
    expect(() => mqttToNatsSubject('a//b')).toThrow(/empty level/);
  });

  it('keeps the levels: a subject splits back into the topic levels, one for one', () => {
    fc.assert(
      fc.property(fc.array(level, { minLength: 1, maxLength: 8 }), (levels) => {
        const subject = mqttToNatsSubject(levels.join('/'));
        // Undo the '.' escape first, then split: every topic level comes back.
        const back = subject
          .replaceAll('//', '\u0001')
          .split('.')
          .map((l) => l.replaceAll('\u0001', '.'));
        expect(back).toEqual(levels);
      }),
    );
  });

  it("a filter ending in # also allows its parent (NATS subscribes a/# as 'a' and 'a.>')", () => {
    expect(natsSubjectsOfFilter('hailong/v1/ba-dinh/#')).toEqual(['hailong.v1.ba-dinh', 'hailong.v1.ba-dinh.>']);
    expect(natsSubjectsOfFilter('hailong/v1/+/x')).toEqual(['hailong.v1.*.x']);
  });
});

describe('natsPermissionsOf', () => {
  it('a unit writes and reads only its own subtree, plus the MQTT delivery subject', () => {
    expect(natsPermissionsOf({ username: 'phuc-xa', password: 'p', role: 'bridge', district: 'ba-dinh', ward: 'phuc-xa' })).toEqual({
      publish: ['hailong.v1.ba-dinh.phuc-xa', 'hailong.v1.ba-dinh.phuc-xa.>'],
      subscribe: ['hailong.v1.ba-dinh.phuc-xa', 'hailong.v1.ba-dinh.phuc-xa.>', 'hailong.v1.ba-dinh._archived.phuc-xa.*', '$MQTT.sub.>'],
    });
  });

  it('the hub reads its parent and writes only its archive receipts', () => {
    expect(natsPermissionsOf({ username: 'hub', password: 'p', role: 'hub', district: 'ba-dinh' })).toEqual({
      publish: ['hailong.v1.ba-dinh._archived', 'hailong.v1.ba-dinh._archived.>'],
      subscribe: ['hailong.v1.ba-dinh', 'hailong.v1.ba-dinh.>', '$MQTT.sub.>'],
    });
  });

  it('a dashboard publishes nothing: the config spells it deny ">"', () => {
    expect(natsPermissionsOf({ username: 'hub', password: 'p', role: 'dashboard', district: 'ba-dinh' }).publish).toEqual([]);
    const [file] = natsClusterConfigs({
      cluster: 'c',
      title: 't',
      nodes: natsNodesOf(['a', 'b', 'c'], { mqtt: 1883, cluster: 6222, client: 4222, http: 8222 }),
      users: [{ username: 'hub', password: 'p', role: 'dashboard', district: 'ba-dinh' }],
      anonymous: 'none',
      storeRoot: '/var/lib/nats',
    });
    expect(file!.text).toContain(
      '{ user: "hub", password: "p", allowed_connection_types: ["MQTT"], permissions: { publish: { deny: [">"] }',
    );
  });
});

describe('natsClusterConfigs', () => {
  it('needs 3 nodes for replicas 3', () => {
    expect(() =>
      natsClusterConfigs({
        cluster: 'c',
        title: 't',
        nodes: natsNodesOf(['a', 'b'], { mqtt: 1, cluster: 2, client: 3, http: 4 }),
        users: [],
        anonymous: 'none',
        storeRoot: '/x',
      }),
    ).toThrow(/at least 3/);
  });

  it('nodes on one host get consecutive ports; on three hosts the same ports', () => {
    expect(
      natsNodesOf(['h', 'h', 'h'], { mqtt: 1883, cluster: 6222, client: 4222, http: 8222 }).map((n) => [n.mqttPort, n.clusterPort]),
    ).toEqual([
      [1883, 6222],
      [1884, 6223],
      [1885, 6224],
    ]);
    expect(natsNodesOf(['a', 'b', 'c'], { mqtt: 1883, cluster: 6222, client: 4222, http: 8222 }).map((n) => n.mqttPort)).toEqual([
      1883, 1883, 1883,
    ]);
  });
});

describe('hailong nats-config', () => {
  it('writes three node configs for hub.example.yaml that nats-server -t accepts, mode 600', async () => {
    requireNatsServer();
    const dir = mkdtempSync(join(tmpdir(), 'hailong-nats-cmd-'));
    dirs.push(dir);
    const x = io();
    expect(
      await runNatsConfig(['--config', join(REPO, 'hub.example.yaml'), '--out', join(dir, 'out'), '--store-dir', join(dir, 'js')], x),
    ).toBe(0);
    expect(x.out).toMatch(/for Quận Ba Đình \(5 account\(s\), anonymous: none\)/);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['hailong-1.conf', 'hailong-2.conf', 'hailong-3.conf']);
    for (const name of readdirSync(join(dir, 'out'))) {
      const file = join(dir, 'out', name);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('stream_replicas: 3');
      expect(text).toMatch(/routes: \[\n {4}nats-route:\/\/nats-\d:6222\n {4}nats-route:\/\/nats-\d:6222\n {2}\]/);
      const check = spawnSync('nats-server', ['-c', file, '-t'], { encoding: 'utf8' });
      expect(`${check.stdout}${check.stderr}`).toMatch(/is valid/);
      expect(check.status).toBe(0);
    }
    const one = readFileSync(join(dir, 'out', 'hailong-1.conf'), 'utf8');
    expect(one).toContain('server_name: "hailong-1"');
    expect(one).toContain(
      '{ user: "phuc-xa", password: "change-me-phuc-xa", allowed_connection_types: ["MQTT"], permissions: { publish: { allow: ["hailong.v1.ba-dinh.phuc-xa", "hailong.v1.ba-dinh.phuc-xa.>"] }',
    );
  });

  it('refuses fewer than three hosts and a bad port, naming the option', async () => {
    const x = io();
    expect(await runNatsConfig(['--config', join(REPO, 'hub.example.yaml'), '--hosts', 'a,b', '--cluster-port', '99999'], x)).toBe(2);
    expect(x.err).toMatch(/"--hosts" must list at least 3/);
    expect(x.err).toMatch(/"--cluster-port" must be an integer 1\.\.65535, got "99999"/);
  });

  it("asks for the hub's own account when the config has none", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hailong-nats-cmd-'));
    dirs.push(dir);
    const example = readFileSync(join(REPO, 'hub.example.yaml'), 'utf8').replace(
      '  username: hailong-hub\n  password: change-me-hub\n',
      '',
    );
    writeFileSync(join(dir, 'hub.yaml'), example);
    const x = io();
    expect(await runNatsConfig(['--config', join(dir, 'hub.yaml'), '--out', join(dir, 'out')], x)).toBe(2);
    expect(x.err).toMatch(/cannot become a NATS cluster:\n {2}- mqtt\.username and mqtt\.password are required/);
  });
});
