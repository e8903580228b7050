import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../bridge/commands/command-io.ts';
import { runMosquittoConfig } from '../../../bridge/commands/mosquitto-config.ts';
import { hubClientId, upstreamClientId } from '../../../core/client-id.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function io(): CommandIo & { out: string; err: string } {
  const o = { out: '', err: '', env: {}, stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t) };
  return o;
}

describe('hailong mosquitto-config --config hub.yaml', () => {
  it("asks for the hub's own account when the config has none", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hailong-hub-mosq-cmd-'));
    dirs.push(dir);
    const example = readFileSync(join(REPO, 'hub.example.yaml'), 'utf8').replace(
      '  username: hailong-hub\n  password: change-me-hub\n',
      '',
    );
    writeFileSync(join(dir, 'hub.yaml'), example);
    const x = io();
    expect(await runMosquittoConfig(['--config', join(dir, 'hub.yaml'), '--out', '/nonexistent'], x)).toBe(2);
    expect(x.err).toMatch(/mqtt\.username and mqtt\.password are required: the hub signs in/);
  });

  it('writes one account per unit that writes only under its unit and is bound to its upstream id, the hub reading the whole parent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hailong-hub-mosq-cmd-'));
    dirs.push(dir);
    const example = readFileSync(join(REPO, 'hub.example.yaml'), 'utf8').replace(
      '  # username: hailong-hub\n  # password: change-me-hub',
      '  username: hailong-hub\n  password: change-me-hub',
    );
    writeFileSync(join(dir, 'hub.yaml'), example);
    const x = io();
    expect(await runMosquittoConfig(['--config', join(dir, 'hub.yaml'), '--out', join(dir, 'out')], x)).toBe(0);
    expect(x.out).toMatch(/for hailong hub ba-dinh \(Quận Ba Đình\) \(5 account\(s\), anonymous: none\)/);
    const dynsec = JSON.parse(readFileSync(join(dir, 'out', 'hailong-dynsec.json'), 'utf8'));
    type Client = { username: string; clientid?: string };
    type Role = { rolename: string; acls: { acltype: string; topic: string }[] };
    const client = (name: string) => dynsec.clients.find((c: Client) => c.username === name) as Client;
    const acls = (name: string) =>
      (dynsec.roles.find((r: Role) => r.rolename === `hailong-account-${name}`) as Role).acls.map((a) => `${a.acltype} ${a.topic}`);
    // The hub writes only its archive receipts; each unit reads its own.
    expect(acls('hailong-hub')).toEqual(['publishClientSend hailong/v1/ba-dinh/_archived/#', 'publishClientReceive hailong/v1/ba-dinh/#']);
    expect(acls('phuc-xa')).toEqual([
      'publishClientSend hailong/v1/ba-dinh/phuc-xa/#',
      'publishClientReceive hailong/v1/ba-dinh/phuc-xa/#',
      'publishClientReceive hailong/v1/ba-dinh/_archived/phuc-xa/+',
    ]);
    expect(acls('truc-bach')).toEqual([
      'publishClientSend hailong/v1/ba-dinh/truc-bach/#',
      'publishClientReceive hailong/v1/ba-dinh/truc-bach/#',
      'publishClientReceive hailong/v1/ba-dinh/_archived/truc-bach/+',
    ]);
    expect(acls('lanh-dao')).toEqual(['publishClientReceive hailong/v1/ba-dinh/#']);
    // Each unit may connect only as its upstream link does by default, the hub only as it does; dashboards with any id.
    // hub.example.yaml: phuc-xa's password is change-me-phuc-xa.
    expect(example).toContain('password: change-me-phuc-xa');
    expect(client('phuc-xa').clientid).toBe(upstreamClientId({ district: 'ba-dinh', ward: 'phuc-xa' }, 'change-me-phuc-xa'));
    expect(client('hailong-hub').clientid).toBe(hubClientId('ba-dinh', 'change-me-hub'));
    expect(client('lanh-dao').clientid).toBeUndefined();
    expect(readFileSync(join(dir, 'out', 'mosquitto.conf'), 'utf8')).toMatch(
      /^# hailong hub ba-dinh \(Quận Ba Đình\): Mosquitto 2\.0 config/,
    );
  });
});
