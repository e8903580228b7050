/**
 * `hailong revoke` against a running `hailong bridge` (its own process, the
 * embedded broker): a supervisor revokes a kiosk's votes; the bridge
 * republishes the tally without them, the export marks them, and the audit
 * trail names who, when, why and which votes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Tally } from '../../../core/tally.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { localDaysOf } from '../../helpers/local-days.ts';
import { freePort, waitForPort } from '../../helpers/ports.ts';
import { tempDir } from '../bridge-rig.ts';
import { KIOSK, KioskPublisher, kioskVote } from '../kiosk/kiosk-publisher.ts';

const repo = join(import.meta.dirname, '..', '..', '..');
const bin = join(repo, 'bridge', 'bin.mjs');
const PASSWORD = 'kiosk-1-password';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function hailong(args: readonly string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, HAILONG_LOG_FORMAT: 'json' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const counted = (t: Tally) => Object.values(t.days).reduce((n, d) => n + d.c.reduce((a, b) => a + b, 0), 0);

describe('hailong revoke', () => {
  it('revokes listed kiosk votes with an audit trail; the running bridge republishes the tally without them; exports mark them', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const brokerPort = await freePort();
    const config = join(tmp.dir, 'hailong.yaml');
    writeFileSync(
      config,
      stringify({
        district: { id: KIOSK.district, name: 'Quận Ba Đình' },
        ward: { id: KIOSK.ward, name: 'Phường Phúc Xá' },
        rating: { cooldownMs: 0 },
        counters: [{ id: KIOSK.counter, name: 'Quầy 1', terminals: [{ id: KIOSK.terminal, kind: 'touch', password: PASSWORD }] }],
        serial: { ports: [] },
        broker: { port: brokerPort, host: '127.0.0.1', anonymous: 'read' },
        web: { port: await freePort(), host: '127.0.0.1' },
        dataDir: join(tmp.dir, 'data'),
      }),
    );
    const bridge = spawn(process.execPath, [bin, 'bridge', '--config', config], {
      stdio: ['ignore', 'ignore', 'ignore'],
      env: { ...process.env, HAILONG_LOG_FORMAT: 'json' },
    });
    cleanups.push(
      () => new Promise<void>((r) => (bridge.exitCode !== null ? r() : (bridge.once('exit', () => r()), bridge.kill('SIGTERM')))),
    );
    await waitForPort(brokerPort, 20_000);
    const url = `mqtt://127.0.0.1:${brokerPort}`;
    const kiosk = new KioskPublisher(url, { username: KIOSK.terminal, password: PASSWORD });
    cleanups.push(() => kiosk.close());
    const sub = await collect(url, `hailong/v1/${KIOSK.district}/${KIOSK.ward}/${KIOSK.counter}/${KIOSK.terminal}/tally/+`);
    cleanups.push(() => sub.close());
    const votes = Array.from({ length: 10 }, (_, i) => kioskVote(i + 1));
    for (const vote of votes) await kiosk.deliver(vote);
    // The days and months the votes were pressed on, not the clock read later: a Hà Nội midnight or
    // month end may pass while they travel (test/helpers/local-days.ts).
    const pressed = localDaysOf(votes.map((v) => v.pressedAt));
    const latest = (month: string) => sub.json<Tally>(month).at(-1);
    const total = () => pressed.months.reduce((n, month) => n + (latest(month) === undefined ? 0 : counted(latest(month)!)), 0);
    await sub.waitFor(() => total() === 10, 10_000, 'the tally of 10 kiosk votes');

    // Usage errors name what is missing, and change nothing.
    const bad = hailong(['revoke', '--config', config, '--terminal', KIOSK.terminal, '--ids', 'kiosk-1:9']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"--reason" is required[\s\S]*"--by" is required/);
    expect(hailong(['revoke', '--config', config, '--terminal', 'nope', '--ids', 'nope:1', '--reason', 'r', '--by', 'b']).code).toBe(2);

    const r = hailong([
      'revoke',
      '--config',
      config,
      '--terminal',
      KIOSK.terminal,
      '--ids',
      'kiosk-1:8,kiosk-1:9,kiosk-1:10',
      '--reason',
      'Tài khoản kiosk bị lộ',
      '--by',
      'Nguyễn Văn A',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Đã thu hồi 3 phiếu của kiosk-1/);
    // The running bridge notices within a second and republishes the tally: newer, same seq, 7 votes.
    await sub.waitFor(() => total() === 7, 10_000, 'the republished tally without the revoked votes');
    expect(latest(pressed.months.at(-1)!)!.seq).toBe(10);

    const votesCsv = join(tmp.dir, 'votes.csv');
    expect(hailong(['export', '--config', config, '--from', pressed.from, '--to', pressed.to, '--out', votesCsv]).code).toBe(0);
    const rows = readFileSync(votesCsv, 'utf8').trim().split('\r\n').slice(1);
    expect(rows).toHaveLength(10);
    const revokedRows = rows.filter((row) => row.endsWith('thu hồi #1 (revoked)'));
    expect(revokedRows.map((row) => row.split(',')[0]).sort()).toEqual(['kiosk-1:10', 'kiosk-1:8', 'kiosk-1:9']);
    expect(revokedRows.every((row) => row.includes(',không,'))).toBe(true);
    const auditCsv = join(tmp.dir, 'revocations.csv');
    expect(hailong(['export', '--config', config, '--revocations', '--out', auditCsv]).code).toBe(0);
    const audit = readFileSync(auditCsv, 'utf8').trim().split('\r\n');
    expect(audit).toHaveLength(2);
    expect(audit[1]).toMatch(
      /^1,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},Nguyễn Văn A,Tài khoản kiosk bị lộ,kiosk-1,,,kiosk-1:8 kiosk-1:9 kiosk-1:10,3,kiosk-1:8 kiosk-1:9 kiosk-1:10$/,
    );
  });
});
