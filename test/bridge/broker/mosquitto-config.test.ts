import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownKioskClientId } from '../../../bridge/broker/access.ts';
import type { BrokerUser } from '../../../bridge/broker/broker-user.ts';
import { MOSQUITTO_FILES, mosquittoConfig, shellQuote } from '../../../bridge/broker/mosquitto-config.ts';
import type { CommandIo } from '../../../bridge/commands/command-io.ts';
import {
  findDynsecPlugin,
  inputsFromConfigFile,
  mosquittoInputsFrom,
  runMosquittoConfig,
  type MosquittoConfigInputs,
  type MosquittoConfigSource,
  type MosquittoInputsLoader,
} from '../../../bridge/commands/mosquitto-config.ts';
import type { HailongConfig } from '../../../bridge/config/hailong-config.ts';
import { bridgeClientId, kioskClientId } from '../../../core/client-id.ts';
import { secretSuffix } from '../../../bridge/ward-bridge.ts';
import { connackCode, connect, defineAccessMatrix, MATRIX_USERS, settle, tryPublish, watch } from './access-matrix.ts';
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

describe('generated Mosquitto hardening (issue 13, items 7 and 8)', () => {
  // A second kiosk of the same counter: the victim of a stolen kiosk-t1 login. Its Vietnamese password
  // proves the generator hashes the same UTF-8 bytes as the plugin.
  const kioskT2: BrokerUser = {
    username: 'kiosk-t2',
    password: 'mật khẩu ố 2',
    role: 'kiosk',
    district: 'd1',
    ward: 'w1',
    counter: 'c1',
    terminal: 't2',
  };
  let office: GeneratedMosquitto;
  beforeAll(async () => {
    office = await startGeneratedMosquitto([...MATRIX_USERS, kioskT2], 'none');
  });
  afterAll(async () => {
    await office?.dispose();
  });

  /** Connects `username` with its own client id and records whether the connection was ever closed. */
  async function victim(username: string, clientId: string) {
    const client =
      username === kioskT2.username
        ? await mqtt.connectAsync(office.url, { username, password: kioskT2.password, clientId, reconnectPeriod: 0, protocolVersion: 4 })
        : await connect(office.url, username, { clientId });
    client.on('error', () => undefined);
    const state = { closed: false };
    client.on('close', () => (state.closed = true));
    return { client, state };
  }

  it("a kiosk login is refused with another kiosk's client id, and that kiosk stays connected", async () => {
    const t2Id = ownKioskClientId(kioskT2);
    const t2 = await victim('kiosk-t2', t2Id);
    try {
      // The thief knows kiosk-t1's password only; Mosquitto binds kiosk-t1 to its own id (CONNACK 5).
      expect(await connackCode(office.url, 'kiosk-t1', { clientId: t2Id })).toBe(5);
      expect(await connackCode(office.url, 'kiosk-t1', { clientId: kioskClientId({ district: 'd1', ward: 'w1', terminal: 't2' }) })).toBe(
        5,
      );
      // Its own id still works, over TCP and WebSocket.
      expect(await connackCode(office.url, 'kiosk-t1')).toBe(0);
      expect(await connackCode(office.wsUrl, 'kiosk-t1')).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
      expect(t2.state.closed).toBe(false);
      expect(t2.client.connected).toBe(true);
      expect(await t2.client.publishAsync('hailong/v1/d1/w1/c1/t2/vote', 'still here', { qos: 1 })).toBeDefined();
    } finally {
      await t2.client.endAsync(true);
    }
    expect(office.log()).not.toMatch(/Client hailong-kiosk-d1\.w1\.t2\S* already connected, closing old connection/);
  });

  it("a kiosk login is refused with the bridge's client id, and the bridge stays connected", async () => {
    const bridgeId = bridgeClientId({ district: 'd1', ward: 'w1' }, secretSuffix('bridge secret'));
    const bridge = await victim('bridge-w1', bridgeId);
    try {
      expect(await connackCode(office.url, 'kiosk-t1', { clientId: bridgeId })).toBe(5);
      expect(await connackCode(office.wsUrl, 'kiosk-t1', { clientId: bridgeId })).toBe(5);
      expect(await connackCode(office.url, 'kiosk-t1', { clientId: `${bridgeId}-kiosk-votes` })).toBe(5);
      await new Promise((r) => setTimeout(r, 200));
      expect(bridge.state.closed).toBe(false);
      expect(await tryPublish(office.url, 'bridge-w1', 'hailong/v1/d1/w1/_bridge/status', 'alive')).toBe('puback');
      expect(bridge.client.connected).toBe(true);
    } finally {
      await bridge.client.endAsync(true);
    }
  });

  it("a dashboard cannot guess a kiosk's id: the kiosk's predictable place id is another session", async () => {
    const t2 = await victim('kiosk-t2', ownKioskClientId(kioskT2));
    try {
      const dash = await connect(office.url, 'dash-w1', { clientId: kioskClientId({ district: 'd1', ward: 'w1', terminal: 't2' }) });
      await dash.endAsync(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(t2.state.closed).toBe(false);
      expect(t2.client.connected).toBe(true);
    } finally {
      await t2.client.endAsync(true);
    }
  });

  it("a dashboard connecting with the bridge's predictable client id does not cut the bridge off: its id is secret-derived", async () => {
    const bridgeId = bridgeClientId({ district: 'd1', ward: 'w1' }, secretSuffix('bridge secret'));
    const bridge = await connect(strict.url, 'bridge-w1', { clientId: bridgeId });
    let closed = false;
    bridge.on('close', () => (closed = true));
    try {
      // The id the bridge used before issue 13, which any account could guess.
      // Dashboards may use any id (many browsers share one account), so the bridge's id must be unguessable.
      const dash = await connect(strict.url, 'dash-w1', { clientId: 'hailong-bridge-d1-w1' });
      await dash.endAsync(true);
      const dashDot = await connect(strict.url, 'dash-w1', { clientId: bridgeClientId({ district: 'd1', ward: 'w1' }) });
      await dashDot.endAsync(true);
      expect(await tryPublish(strict.url, 'bridge-w1', 'hailong/v1/d1/w1/_bridge/status', 'alive')).toBe('puback');
      expect(closed).toBe(false);
      expect(bridge.connected).toBe(true);
    } finally {
      await bridge.endAsync(true);
    }
  });

  it('a packet over max_packet_size is refused and reaches no subscriber', async () => {
    const ward = await watch(strict.url, 'bridge-w1', 'hailong/v1/d1/w1/#');
    try {
      expect(await tryPublish(strict.url, 'kiosk-t1', 'hailong/v1/d1/w1/c1/t1/vote', Buffer.alloc(2 * 1024 * 1024, 0x61))).toBe(
        'disconnect',
      );
      expect(await tryPublish(strict.url, 'kiosk-t1', 'hailong/v1/d1/w1/c1/t1/vote', 'small')).toBe('puback');
      await ward.waitFor((m) => m.some((x) => x.payload === 'small'), 5000, 'the small vote');
      expect(ward.messages.filter((x) => x.payload.length > 1000)).toEqual([]);
    } finally {
      await ward.close();
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
      'plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
      'plugin_opt_config_file /etc/mosquitto/hailong/hailong-dynsec.json',
      'listener 1883',
      'protocol mqtt',
      'max_connections 500',
      'listener 9001',
      'protocol websockets',
      'max_connections 500',
      'max_packet_size 1048581',
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

  it('names the plugin and its config, which holds no plain-text password', () => {
    const { conf, dynsec } = mosquittoConfig({ ...setup, pluginPath: '/opt/mosquitto/lib/mosquitto_dynamic_security.so' });
    expect(conf).toContain('\nplugin /opt/mosquitto/lib/mosquitto_dynamic_security.so\n');
    expect(conf).toContain('https://mosquitto.org/documentation/dynamic-security/');
    expect(JSON.parse(dynsec).clients.map((c: { username: string }) => c.username)).toEqual(['bridge', 'kiosk-1', 'desk']);
    for (const password of ['"b"', '"k"', '"d"']) expect(dynsec).not.toContain(password);
  });

  it('quotes any password safely for the shell', () => {
    for (const text of ['a b', "it's", '"$HOME" `id` \\ ; rm -rf /', '-n', 'ố đ']) {
      const echoed = spawnSync('sh', ['-c', `printf %s ${shellQuote(text)}`], { encoding: 'utf8' });
      expect(echoed.stdout).toBe(text);
    }
    expect(spawnSync('sh', ['-n', '-c', mosquittoConfig(setup).script]).status).toBe(0);
  });

  it('the permissions script warns when user "mosquitto" could not reach the files, or the plugin is missing', async () => {
    const dir = await tempDir('hailong-mosq-private-');
    const inner = join(dir, 'private');
    await mkdir(inner, { mode: 0o700 });
    const pluginPath = findDynsecPlugin();
    expect(pluginPath, 'mosquitto_dynamic_security.so (apt-get install mosquitto)').toBeDefined();
    const files = mosquittoConfig({ ...setup, users: [setup.users[0]!], configDir: inner, dataDir: inner, pluginPath: pluginPath! });
    await writeFile(join(inner, MOSQUITTO_FILES.dynsec), files.dynsec, { mode: 0o644 });
    const run = spawnSync('sh', ['-c', files.script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect((await stat(join(inner, MOSQUITTO_FILES.dynsec))).mode & 0o777).toBe(0o640);
    const root = process.getuid?.() === 0 && spawnSync('id', ['mosquitto']).status === 0;
    // As root (how it is meant to run) it checks as user mosquitto; otherwise it cannot change groups and skips that.
    if (root) expect(run.stderr).toContain(`Warning: user mosquitto cannot read ${inner}/hailong-dynsec.json`);
    else expect(run.stderr).toBe('');
    expect(run.stderr).not.toContain('is missing');
    const elsewhere = mosquittoConfig({
      ...setup,
      users: [setup.users[0]!],
      configDir: dir,
      dataDir: dir,
      pluginPath: '/nonexistent/mosquitto_dynamic_security.so',
    });
    await writeFile(join(dir, MOSQUITTO_FILES.dynsec), elsewhere.dynsec);
    expect(spawnSync('sh', ['-c', elsewhere.script], { encoding: 'utf8' }).stderr).toContain(
      '/nonexistent/mosquitto_dynamic_security.so is missing',
    );
  });

  it('refuses inputs that would break the files, naming the field', () => {
    expect(() => mosquittoConfig({ ...setup, dataDir: 'relative' })).toThrow('"dataDir" must be an absolute path');
    expect(() => mosquittoConfig({ ...setup, configDir: '/with space' })).toThrow('"configDir"');
    expect(() => mosquittoConfig({ ...setup, pluginPath: 'mosquitto_dynamic_security.so' })).toThrow('"pluginPath"');
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
    expect((await stat(join(dir, MOSQUITTO_FILES.dynsec))).mode & 0o777).toBe(0o640);
    const conf = await readFile(join(dir, MOSQUITTO_FILES.conf), 'utf8');
    expect(conf).toContain(`plugin_opt_config_file ${dir}/hailong-dynsec.json`);
    expect(conf).toContain(`plugin ${findDynsecPlugin()}`);
    // No plain-text password in any file written.
    for (const name of [MOSQUITTO_FILES.conf, MOSQUITTO_FILES.dynsec, MOSQUITTO_FILES.script]) {
      expect(await readFile(join(dir, name), 'utf8')).not.toContain('bridge secret');
    }
    expect(run.out.join('')).toContain(`sh ${dir}/set-permissions.sh`);
    expect(run.out.join('')).toContain('its own client id');
    expect(run.out.join('')).toContain('systemctl restart mosquitto');
    expect(run.err).toEqual([]);
    // Steps numbered 1, 2, 3, 4 (issue 17: 1, 2, 3, 7).
    expect(
      run.out
        .join('')
        .match(/^ {2}\d+(?=\. )/gm)
        ?.map((n) => n.trim()),
    ).toEqual(['1', '2', '3', '4']);
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
    const dynsec = JSON.parse(await readFile(join(out, MOSQUITTO_FILES.dynsec), 'utf8'));
    expect(dynsec.clients.map((c: { username: string }) => c.username)).toEqual(
      expect.arrayContaining(['phuc-xa-bridge', 'kiosk-3', 'giam-sat', 'quay-so']),
    );
    expect(dynsec.clients.find((c: { username: string }) => c.username === 'kiosk-3').clientid).toMatch(
      /^hailong-kiosk-[a-z0-9-]+\.[a-z0-9-]+\.kiosk-3\.[0-9a-f]{16}$/,
    );
    expect(run.out.join('')).toContain('systemctl restart mosquitto');
    expect(
      run.out
        .join('')
        .match(/^ {2}\d+(?=\. )/gm)
        ?.map((n) => n.trim()),
    ).toEqual(['1', '2', '3']);
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
        {
          id: 'c1',
          terminals: [
            { id: 'box-1', kind: 'button' },
            { id: 'tab-1', kind: 'touch', password: 'tp' },
          ],
        },
        { id: 'c2', terminals: [{ id: 'tab-2', kind: 'touch' }] },
      ],
      mqtt: { username: 'bridge', password: 'bp' },
      broker: {
        port: 1883,
        anonymous: 'none',
        users: [{ username: 'sup', password: 'sp', role: 'dashboard', district: 'q1', ward: 'w1' }],
      },
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
    expect(mosquittoInputsFrom({ ...fixed, mqtt: {} })).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('mqtt.username and mqtt.password')],
    });
  });
});
