import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStaticServerOptions, StaticServer } from '../../bridge/static-server.ts';

let root: string;
let server: StaticServer;
let base: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hailong-static-'));
  await mkdir(join(root, 'dashboard', 'assets'), { recursive: true });
  await mkdir(join(root, 'kiosk'), { recursive: true });
  await writeFile(join(root, 'dashboard', 'index.html'), '<h1>bảng</h1>');
  await writeFile(join(root, 'dashboard', 'assets', 'app-1234.js'), 'export {}');
  await writeFile(join(root, 'kiosk', 'index.html'), '<h1>kiosk</h1>');
  await writeFile(join(root, 'secret.txt'), 'not for the web');
  server = new StaticServer({ root, port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${await server.start()}`;
});

afterAll(async () => {
  await server.stop();
  await rm(root, { recursive: true, force: true });
});

describe('StaticServer', () => {
  it('serves each app index and its hashed assets with the right headers', async () => {
    const page = await fetch(`${base}/dashboard/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).toBe('<h1>bảng</h1>');
    const asset = await fetch(`${base}/dashboard/assets/app-1234.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await (await fetch(`${base}/kiosk/`)).text()).toBe('<h1>kiosk</h1>');
  });

  it('lets other origins load the kiosk (module scripts use CORS), and only the kiosk', async () => {
    expect((await fetch(`${base}/kiosk/`)).headers.get('access-control-allow-origin')).toBe('*');
    expect((await fetch(`${base}/dashboard/`)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('redirects / to the dashboard', async () => {
    const res = await fetch(`${base}/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/dashboard/');
  });

  it('never serves a file outside the app folders', async () => {
    for (const path of ['/secret.txt', '/dashboard/../secret.txt', '/dashboard/%2e%2e/secret.txt', '/kiosk/%2e%2e%2fsecret.txt', '/dashboard/%E0%A4%A', '/dashboard/%00']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await fetch(`${base}/dashboard/`, { method: 'POST' })).status).toBe(405);
  });

  it('rejects a bad port option by name', () => {
    expect(() => resolveStaticServerOptions({ port: 70000 })).toThrow('"port" must be an integer 0..65535');
  });
});
