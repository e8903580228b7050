import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../../bridge/commands/check.ts';
import { runStart } from '../../../bridge/commands/start.ts';
import type { CommandIo } from '../../../bridge/commands/command-io.ts';
import { tempDir } from '../bridge-rig.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function io(env: Record<string, string> = {}): CommandIo & { out: string; err: string } {
  const o = { out: '', err: '', env, stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t) };
  return o;
}

const OFFICE = `
district: { id: ba-dinh, name: Quận Ba Đình }
ward: { id: phuc-xa, name: Phường Phúc Xá }
counters:
  - { id: quay-1, name: Quầy 1, terminals: [{ id: hop-1, kind: button, uid: HL-1 }] }
`;

describe('hailong check and the upstream block', () => {
  it('names the hub and the ward account in the summary', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const file = join(tmp.dir, 'hailong.yaml');
    writeFileSync(file, `${OFFICE}upstream: { urls: [mqtts://hub.example:8883], username: phuc-xa, password: pw }\n`);
    const o = io();
    expect(await runCheck(['--config', file], o)).toBe(0);
    expect(o.out).toContain('hub (upstream): mqtts://hub.example:8883 as phuc-xa');
  });

  it('refuses to start when upstream.caFile cannot be read, naming it', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const file = join(tmp.dir, 'hailong.yaml');
    writeFileSync(file, `${OFFICE}upstream: { urls: [mqtts://hub.example:8883], caFile: ${join(tmp.dir, 'missing-ca.pem')} }\n`);
    const o = io({ HAILONG_LOG_LEVEL: 'silent' });
    expect(await runStart(['--config', file], false, o)).toBe(2);
    expect(o.err).toMatch(/upstream\.caFile .*missing-ca\.pem cannot be read/);
  });
});
