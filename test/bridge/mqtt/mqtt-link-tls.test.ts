/**
 * The bridge against an external Mosquitto as an office would run it:
 * TLS (mqtts) with the office's own CA file, a password file, and a list of
 * broker URLs whose first one is dead (failover).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Vote } from '../../../core/vote.ts';
import { readCa } from '../../../bridge/hailong-app.ts';
import type { HailongConfig } from '../../../bridge/config/hailong-config.ts';
import { createPtyFleet } from '../../../bridge/simulator/fleet.ts';
import { startMosquitto } from '../../helpers/mosquitto.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { freePort } from '../../helpers/ports.ts';
import { rigConfig, startApp, tempDir, until } from '../bridge-rig.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A CA and a server certificate for 127.0.0.1 / localhost in `dir`, made with the openssl binary. */
function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.pem');
  const ext = join(dir, 'san.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=hailong test CA', '-keyout', caKey, '-out', ca);
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', csr);
  openssl('x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', cert);
  return { ca, cert, key };
}

const tlsListener = (port: number, c: { ca: string; cert: string; key: string }) =>
  [`listener ${port} 127.0.0.1`, 'protocol mqtt', `cafile ${c.ca}`, `certfile ${c.cert}`, `keyfile ${c.key}`].join('\n');

function withCaFile(config: HailongConfig, caFile: string): HailongConfig {
  return { ...config, mqtt: { ...config.mqtt, caFile } };
}

describe('the bridge on an external Mosquitto with TLS, a password and failover', () => {
  it('skips a dead broker URL, verifies the CA, signs in, and delivers votes', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const certs = makeCerts(tmp.dir);
    const passwd = join(tmp.dir, 'passwd');
    writeFileSync(passwd, '');
    const password = 'm@t khẩu "quầy"';
    const made = spawnSync('mosquitto_passwd', ['-b', passwd, 'phuc-xa', password], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const tlsPort = await freePort();
    const broker = await startMosquitto({ allowAnonymous: false, extraConfig: `password_file ${passwd}\n${tlsListener(tlsPort, certs)}` });
    cleanups.push(() => broker.dispose());
    const dead = await freePort();
    const fleet = await createPtyFleet(1, { dir: tmp.dir, terminal: { helloIntervalMs: 300, ackTimeoutMs: 300 } });
    cleanups.push(() => fleet.close());
    const config = withCaFile(
      rigConfig({
        boxes: 1,
        ports: fleet.hostPaths,
        dataDir: tmp.dir,
        mqttUrls: [`mqtts://127.0.0.1:${dead}`, `mqtts://127.0.0.1:${tlsPort}`],
        mqttUsername: 'phuc-xa',
        mqttPassword: password,
      }),
      certs.ca,
    );
    const ca = (await readCa(config)) as string;
    const { app } = await startApp(config, { ca });
    cleanups.push(() => app.stop());
    await until(() => app.bridge.link.connected, 20_000, 'the TLS connection through the second URL');
    const sub = await collect(`mqtts://127.0.0.1:${tlsPort}`, 'hailong/v1/#', { ca: [ca], username: 'phuc-xa', password });
    cleanups.push(() => sub.close());
    fleet.start();
    await until(() => fleet.terminals[0]?.phase === 'session', 10_000, 'session');
    fleet.terminals[0]?.press(2);
    await sub.waitFor((m) => m.some((x) => x.topic.endsWith('/vote')), 10_000, 'the vote over TLS');
    expect(sub.json<Vote>('vote')[0]).toMatchObject({ id: 'hop-1:1', level: 'hai-long' });
  });

  it('refuses a broker whose certificate is not signed by the configured CA', async () => {
    const tmp = tempDir();
    const elsewhere = tempDir();
    cleanups.push(tmp.remove, elsewhere.remove);
    const certs = makeCerts(tmp.dir);
    const foreign = makeCerts(elsewhere.dir);
    const tlsPort = await freePort();
    const broker = await startMosquitto({ extraConfig: tlsListener(tlsPort, certs) });
    cleanups.push(() => broker.dispose());
    const config = withCaFile(rigConfig({ boxes: 1, ports: [], dataDir: tmp.dir, mqttUrls: [`mqtts://127.0.0.1:${tlsPort}`] }), foreign.ca);
    const { app } = await startApp(config, { ca: (await readCa(config)) as string });
    cleanups.push(() => app.stop());
    await new Promise((r) => setTimeout(r, 2000));
    expect(app.bridge.link.connected).toBe(false);
  });
});
