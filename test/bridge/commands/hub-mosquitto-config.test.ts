import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../bridge/commands/command-io.ts';
import { runMosquittoConfig } from '../../../bridge/commands/mosquitto-config.ts';

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
    const example = readFileSync(join(REPO, 'hub.example.yaml'), 'utf8').replace('  username: hailong-hub\n  password: change-me-hub\n', '');
    writeFileSync(join(dir, 'hub.yaml'), example);
    const x = io();
    expect(await runMosquittoConfig(['--config', join(dir, 'hub.yaml'), '--out', '/nonexistent'], x)).toBe(2);
    expect(x.err).toMatch(/mqtt\.username and mqtt\.password are required: the hub signs in/);
  });

  it('writes one account per unit that writes only under its unit, the hub reading the whole parent', async () => {
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
    const acl = readFileSync(join(dir, 'out', 'hailong.acl'), 'utf8');
    expect(acl).toContain('user hailong-hub\ntopic read hailong/v1/ba-dinh/#');
    expect(acl).toContain('user phuc-xa\ntopic readwrite hailong/v1/ba-dinh/phuc-xa/#');
    expect(acl).toContain('user truc-bach\ntopic readwrite hailong/v1/ba-dinh/truc-bach/#');
    expect(acl).toContain('user lanh-dao\ntopic read hailong/v1/ba-dinh/#');
    expect(readFileSync(join(dir, 'out', 'mosquitto.conf'), 'utf8')).toMatch(/^# hailong hub ba-dinh \(Quận Ba Đình\): Mosquitto 2\.0 config/);
  });
});
