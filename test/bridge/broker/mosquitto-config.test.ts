import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOSQUITTO_FILES, mosquittoAcl, mosquittoConfig, shellQuote } from '../../../bridge/broker/mosquitto-config.ts';
import type { CommandIo } from '../../../bridge/commands/command-io.ts';
import {
  inputsFromConfigFile,
  mosquittoInputsFrom,
  runMosquittoConfig,
  type MosquittoConfigInputs,
  type MosquittoConfigSource,
  type MosquittoInputsLoader,
} from '../../../bridge/commands/mosquitto-config.ts';
import type { HailongConfig } from '../../../bridge/config/hailong-config.ts';
import { connackCode, defineAccessMatrix, MATRIX_USERS, settle, tryPublish, watch } from './access-matrix.ts';
import { sharedTempDir, startGeneratedMosquitto, type GeneratedMosquitto } from './generated-mosquitto.ts';

const folders: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await sharedTempDir(prefix);
  folders.push(dir);
  return dir;
}

let open: GeneratedMosquitto;
let strict: GeneratedMosquitto;

beforeAll(async () => {
  [open, strict] = await Promise.all([startGeneratedMosquitto(MATRIX_USERS, 'read'), startGeneratedMosquitto(MATRIX_USERS, 'none')]);
});

afterAll(async () => {
  await open?.dispose();
  await strict?.dispose();
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

// Mosquitto 2.0 acknowledges a refused publish (then drops it) and grants any well-formed filter.
describe('generated Mosquitto over TCP', () =>
  defineAccessMatrix(() => ({ url: open.url, strictUrl: strict.url, refusedPublish: 'puback', refusedSubscribeCode: 1 })));
describe('generated Mosquitto over WebSocket', () =>
  defineAccessMatrix(() => ({ url: open.wsUrl, strictUrl: strict.wsUrl, refusedPublish: 'puback', refusedSubscribeCode: 1 })));

describe("generated Mosquitto as a snippet in Debian's conf.d", () => {
  it('starts under a Debian-like main file and enforces the same ACL', async () => {
    const mosquitto = await startGeneratedMosquitto(MATRIX_USERS, 'read', 'conf.d');
    try {
      expect(await connackCode(mosquitto.url, 'kiosk-t1')).toBe(0);
      expect(await connackCode(mosquitto.url, undefined, { username: 'kiosk-t1', password: 'wrong' })).toBe(5);
      const anon = await watch(mosquitto.wsUrl, undefined, 'hailong/v1/#');
      try {
        expect(await tryPublish(mosquitto.url, 'kiosk-t1', 'hailong/v1/d1/w1/c1/t1/vote', 'own')).toBe('puback');
        expect(await tryPublish(mosquitto.url, 'kiosk-t1', 'hailong/v1/d1/w1/c1/t2/vote', 'foreign')).toBe('puback');
        await settle(mosquitto.url, anon, 'bridge-w1', 'hailong/v1/d1/w1/_bridge/status');
        expect(anon.messages.map((m) => m.payload)).toContain('own');
        expect(anon.messages.map((m) => m.payload)).not.toContain('foreign');
      } finally {
        await anon.close();
      }
    } finally {
      await mosquitto.dispose();
    }
  });
});

describe('mosquittoConfig', () => {
  const setup = {
    district: 'q1',
    ward: 'p-ben-nghe',
    users: [
      { username: 'bridge', password: 'b', role: 'bridge' as const, district: 'q1', ward: 'p-ben-nghe' },
      { username: 'kiosk-1', password: 'k', role: 'kiosk' as const, district: 'q1', ward: 'p-ben-nghe', counter: 'q03', terminal: 'k1' },
      { username: 'desk', password: 'd', role: 'desk' as const, district: 'q1', ward: 'p-ben-nghe' },
    ],
    anonymous: 'read' as const,
    tcpPort: 1883,
    wsPort: 9001,
    dataDir: '/var/lib/hailong',
    configDir: '/etc/mosquitto/hailong',
  };

  it('writes the listeners, persistence and security settings', () => {
    const { conf } = mosquittoConfig(setup);
    const settings = conf.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(settings).toEqual([
      'per_listener_settings false',
      'allow_anonymous true',
      'password_file /etc/mosquitto/hailong/hailong.passwd',
      'acl_file /etc/mosquitto/hailong/hailong.acl',
      'listener 1883',
      'protocol mqtt',
      'listener 9001',
      'protocol websockets',
      'persistence true',
      'persistence_location /var/lib/hailong/mosquitto/',
      'autosave_interval 60',
      'max_queued_messages 100000',
      'persistent_client_expiration 30d',
      'log_dest stderr',
    ]);
    expect(conf).toContain('1800 by default');
    const strictConf = mosquittoConfig({ ...setup, anonymous: 'none', users: [setup.users[0]!], bindAddress: '10.0.0.5' });
    expect(strictConf.conf).toContain('allow_anonymous false');
    expect(strictConf.conf).toContain('listener 1883 10.0.0.5');
  });

  it('writes the ACL: anonymous rights first, then one block per account', () => {
    expect(mosquittoConfig(setup).acl).toBe(
      [
        '# hailong ward q1/p-ben-nghe: Mosquitto ACL written by `hailong mosquitto-config`. Regenerate it; do not edit.',
        '# The same grants as the embedded broker (bridge/broker/access.ts).',
        '',
        '# Clients without a username (allow_anonymous true): read-only.',
        'topic read hailong/v1/#',
        '',
        '# bridge of q1/p-ben-nghe',
        'user bridge',
        'topic readwrite hailong/v1/q1/p-ben-nghe/#',
        '',
        '# kiosk of q1/p-ben-nghe/q03/k1',
        'user kiosk-1',
        'topic write hailong/v1/q1/p-ben-nghe/q03/k1/vote',
        'topic write hailong/v1/q1/p-ben-nghe/q03/k1/status',
        'topic read hailong/v1/q1/p-ben-nghe/q03/k1/#',
        'topic read hailong/v1/q1/p-ben-nghe/q03/_served',
        'topic read hailong/v1/q1/p-ben-nghe/q03/_session',
        'topic read hailong/v1/q1/p-ben-nghe/_office',
        '',
        '# desk of q1/p-ben-nghe',
        'user desk',
        'topic write hailong/v1/q1/p-ben-nghe/+/_served',
        'topic write hailong/v1/q1/p-ben-nghe/+/_session',
        'topic read hailong/v1/q1/p-ben-nghe/#',
        '',
      ].join('\n'),
    );
    expect(mosquittoAcl([], 'none')).not.toMatch(/^topic/m);
  });

  it('quotes any password safely for the shell', () => {
    for (const text of ["a b", "it's", '"$HOME" `id` \\ ; rm -rf /', '-n', 'ố đ']) {
      const echoed = spawnSync('sh', ['-c', `printf %s ${shellQuote(text)}`], { encoding: 'utf8' });
      expect(echoed.stdout).toBe(text);
    }
    expect(spawnSync('sh', ['-n', '-c', mosquittoConfig(setup).script]).status).toBe(0);
  });

  it('the password script warns when user "mosquitto" could not reach the files', async () => {
    const dir = await tempDir('hailong-mosq-private-');
    const inner = join(dir, 'private');
    await mkdir(inner, { mode: 0o700 });
    const files = mosquittoConfig({ ...setup, users: [setup.users[0]!], configDir: inner, dataDir: inner });
    await writeFile(join(inner, MOSQUITTO_FILES.acl), files.acl);
    const run = spawnSync('sh', ['-c', files.script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(await readFile(join(inner, MOSQUITTO_FILES.passwords), 'utf8')).toMatch(/^bridge:\$7\$/);
    const root = process.getuid?.() === 0 && spawnSync('id', ['mosquitto']).status === 0;
    // As root (how it is meant to run) it checks as user mosquitto; otherwise it cannot change groups and skips that.
    if (root) expect(run.stderr).toContain(`Warning: user mosquitto cannot read ${inner}/hailong.passwd`);
    else expect(run.stderr).toBe('');
  });

  it('refuses inputs that would break the files, naming the field', () => {
    expect(() => mosquittoConfig({ ...setup, dataDir: 'relative' })).toThrow('"dataDir" must be an absolute path');
    expect(() => mosquittoConfig({ ...setup, configDir: '/with space' })).toThrow('"configDir"');
    expect(() => mosquittoConfig({ ...setup, wsPort: 1883 })).toThrow('must differ');
    expect(() => mosquittoConfig({ ...setup, ward: 'Bến Nghé' })).toThrow('ward');
    expect(() => mosquittoConfig({ ...setup, users: [{ ...setup.users[0]!, username: 'a:b' }] })).toThrow('users[0].username');
  });
});

describe('hailong mosquitto-config', () => {
  const inputs: MosquittoConfigInputs = {
    district: 'd1',
    ward: 'w1',
    users: MATRIX_USERS,
    anonymous: 'read',
    tcpPort: 1883,
    wsPort: 9001,
    dataDir: '/var/lib/hailong',
  };

  function io(load: MosquittoInputsLoader = async () => inputs, env: Record<string, string> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const commandIo: CommandIo = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), env };
    return { out, err, io: commandIo, load };
  }

  it('writes the three files with safe modes and prints the steps', async () => {
    const dir = join(await tempDir('hailong-mosq-cli-'), 'out');
    const run = io();
    expect(await runMosquittoConfig(['--out', dir], run.io, run.load)).toBe(0);
    expect((await stat(join(dir, MOSQUITTO_FILES.script))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, MOSQUITTO_FILES.acl))).mode & 0o777).toBe(0o640);
    expect(await readFile(join(dir, MOSQUITTO_FILES.conf), 'utf8')).toContain(`acl_file ${dir}/hailong.acl`);
    expect(await readFile(join(dir, MOSQUITTO_FILES.script), 'utf8')).toContain("mosquitto_passwd -c -b \"$PASSWD\" 'bridge-w1' 'bridge secret'");
    expect(run.out.join('')).toContain(`sh ${dir}/create-passwords.sh`);
    expect(run.out.join('')).toContain('systemctl restart mosquitto');
    expect(run.err).toEqual([]);
  });

  it('reads the real office config (hailong.example.yaml) and writes a conf.d snippet', async () => {
    const dir = await tempDir('hailong-mosq-yaml-');
    const config = join(dir, 'hailong.yaml');
    await copyFile(resolve(import.meta.dirname, '../../../hailong.example.yaml'), config);
    const missing = io(inputsFromConfigFile, {});
    expect(await runMosquittoConfig(['--config', config, '--out', join(dir, 'x')], missing.io, missing.load)).toBe(2);
    expect(missing.err.join('')).toContain('mqtt.username and mqtt.password are required');
    const run = io(inputsFromConfigFile, { HAILONG_MQTT_USERNAME: 'phuc-xa-bridge', HAILONG_MQTT_PASSWORD: 's3cret' });
    const out = join(dir, 'conf.d');
    expect(await runMosquittoConfig(['--config', config, '--out', out, '--ws-port', '9002'], run.io, run.load), run.err.join('')).toBe(0);
    const snippet = await readFile(join(out, MOSQUITTO_FILES.snippet), 'utf8');
    expect(snippet).toContain('listener 9002');
    expect(snippet).not.toContain('persistence_location');
    const acl = await readFile(join(out, MOSQUITTO_FILES.acl), 'utf8');
    for (const user of ['phuc-xa-bridge', 'kiosk-3', 'giam-sat', 'quay-so']) expect(acl).toContain(`user ${user}\n`);
    expect(run.out.join('')).toContain('systemctl restart mosquitto');
  });

  it('prints help, and exits 2 on a bad option, an unreadable config or a config nobody could use', async () => {
    const help = io();
    expect(await runMosquittoConfig(['--help'], help.io, help.load)).toBe(0);
    expect(help.out.join('')).toContain('Usage: hailong mosquitto-config');
    const bad = io();
    expect(await runMosquittoConfig(['--nope'], bad.io, bad.load)).toBe(2);
    expect(await runMosquittoConfig(['--ws-port', '0'], bad.io, bad.load)).toBe(2);
    expect(bad.err.join('')).toContain('"--ws-port" must be an integer 1..65535');
    const broken = io(async (_file, _wsPort, cmdIo) => {
      cmdIo.stderr('hailong.yaml: broker.users[0].role must be one of …\n');
      return undefined;
    });
    expect(await runMosquittoConfig([], broken.io, broken.load)).toBe(2);
    expect(broken.err.join('')).toContain('broker.users[0].role');
    const empty = io(async () => ({ ...inputs, users: [], anonymous: 'none' }));
    expect(await runMosquittoConfig(['--out', '/nonexistent/never'], empty.io, empty.load)).toBe(2);
    expect(empty.err.join('')).toContain('nobody could connect');
    const duplicate = io(async () => ({ ...inputs, users: [MATRIX_USERS[0]!, MATRIX_USERS[0]!] }));
    expect(await runMosquittoConfig(['--out', '/nonexistent/never'], duplicate.io, duplicate.load)).toBe(2);
    expect(duplicate.err.join('')).toContain('broker.users[1].username bridge-w1 is also used by broker.users[0]');
  });

  it('derives every Mosquitto account from the bridge config, reporting what is missing', () => {
    // The validated bridge config is a MosquittoConfigSource (compile-time check).
    const fromConfig = (c: HailongConfig): MosquittoConfigSource => c;
    void fromConfig;
    const source: MosquittoConfigSource = {
      district: { id: 'q1' },
      ward: { id: 'w1' },
      counters: [
        { id: 'c1', terminals: [{ id: 'box-1', kind: 'button' }, { id: 'tab-1', kind: 'touch', password: 'tp' }] },
        { id: 'c2', terminals: [{ id: 'tab-2', kind: 'touch' }] },
      ],
      mqtt: { username: 'bridge', password: 'bp' },
      broker: { port: 1883, anonymous: 'none', users: [{ username: 'sup', password: 'sp', role: 'dashboard', district: 'q1', ward: 'w1' }] },
      dataDir: '/var/lib/hailong',
    };
    expect(mosquittoInputsFrom(source)).toEqual({
      ok: false,
      problems: ["counters[c2].terminals[tab-2].password is required: it is kiosk tab-2's broker account"],
    });
    const fixed = { ...source, counters: source.counters.slice(0, 1) };
    expect(mosquittoInputsFrom(fixed)).toEqual({
      ok: true,
      inputs: {
        district: 'q1',
        ward: 'w1',
        users: [
          { username: 'bridge', password: 'bp', role: 'bridge', district: 'q1', ward: 'w1' },
          { username: 'tab-1', password: 'tp', role: 'kiosk', district: 'q1', ward: 'w1', counter: 'c1', terminal: 'tab-1' },
          { username: 'sup', password: 'sp', role: 'dashboard', district: 'q1', ward: 'w1' },
        ],
        anonymous: 'none',
        tcpPort: 1883,
        wsPort: 9001,
        dataDir: '/var/lib/hailong',
      },
    });
    expect(mosquittoInputsFrom({ ...fixed, mqtt: {} })).toMatchObject({ ok: false, problems: [expect.stringContaining('mqtt.username and mqtt.password')] });
  });
});
