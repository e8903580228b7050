import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CODE_LIFETIME_MS, KioskProvisioning, PROVISION_PATH } from '../../../bridge/kiosk/kiosk-provisioning.ts';
import { StaticServer } from '../../../bridge/static-server.ts';
import { tempDir } from '../bridge-rig.ts';

const log = pino({ level: 'silent' });
const PROVISION = { username: 'kiosk-1', password: 'kiosk secret', pin: '135790' };
let server: StaticServer | undefined;
const tmp = tempDir();
afterEach(async () => {
  await server?.stop();
  server = undefined;
  tmp.remove();
});

describe('KioskProvisioning (issue 13, item 2)', () => {
  it('a code is good once, for the account and PIN of its kiosk, then refused', async () => {
    const p = new KioskProvisioning(log);
    server = new StaticServer({ root: tmp.dir, port: 0, host: '127.0.0.1', log, api: (req, res) => p.handle(req, res) });
    const base = `http://127.0.0.1:${await server.start()}`;
    const code = p.issue(PROVISION);
    expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const post = (body: string) =>
      fetch(`${base}${PROVISION_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const first = await post(JSON.stringify({ code }));
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(await first.json()).toEqual(PROVISION);
    const again = await post(JSON.stringify({ code }));
    expect(again.status).toBe(403);
    for (const body of ['{"code":"guess"}', 'not json', '{}', JSON.stringify({ code: 'x'.repeat(5000) })]) {
      expect([403, 413]).toContain((await post(body)).status);
    }
    expect((await fetch(`${base}${PROVISION_PATH}`)).status).toBe(405);
    expect(p.stats()).toMatchObject({ redeemed: 1 });
  });

  it('an expired code, or one replaced by a newer code, is refused', () => {
    let now = 1_000_000;
    const p = new KioskProvisioning(log, () => now);
    const old = p.issue(PROVISION);
    const fresh = p.issue(PROVISION);
    expect(p.redeem(old)).toBeUndefined();
    now += CODE_LIFETIME_MS + 1;
    expect(p.redeem(fresh)).toBeUndefined();
    const third = p.issue(PROVISION);
    expect(p.redeem(third)).toEqual(PROVISION);
  });
});
