import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { pino } from 'pino';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
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
  await writeFile(join(root, 'dashboard', '.env'), 'not for the web'); // dotfiles are never served
  // A file that stats as a regular file but whose read fails (EIO): a real
  // read error, as a disk fault or a rebuild truncating a file gives.
  await symlink('/proc/self/mem', join(root, 'dashboard', 'unreadable.js'));
  server = new StaticServer({ root, port: 0, host: '127.0.0.1', log: pino({ level: 'silent' }) });
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

  it('never serves a file outside the app folders, and says why', async () => {
    // fetch normalises `..` and `%2e%2e` segments itself; `raw` below sends them as is.
    const cases: [string, number, string][] = [
      ['/secret.txt', 404, 'Không tìm thấy / Not found\n'],
      ['/dashboard/../secret.txt', 404, 'Không tìm thấy / Not found\n'],
      ['/dashboard/%2e%2e/secret.txt', 404, 'Không tìm thấy / Not found\n'],
      ['/kiosk/%2e%2e%2fsecret.txt', 403, 'Đường dẫn bị từ chối / Forbidden path\n'],
      ['/dashboard/%E0%A4%A', 400, 'Đường dẫn không hợp lệ / Bad path\n'],
      ['/dashboard/%00', 400, 'Đường dẫn không hợp lệ / Bad path\n'],
    ];
    for (const [path, status, text] of cases) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(status);
      expect(await res.text(), path).toBe(text);
    }
  });

  it('survives a file whose read fails: the request gets a 500, counted, and the server keeps serving', async () => {
    // Before issue 13, createReadStream(...).pipe(res) left the stream's
    // 'error' unhandled: this request killed the whole bridge process.
    // send reports the error before a byte is sent, so it is a clean 500.
    const res = await fetch(`${base}/dashboard/unreadable.js`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('Không đọc được tệp / Could not read the file\n');
    expect(server.stats().readErrors).toBe(1);
    expect(await (await fetch(`${base}/dashboard/`)).text()).toBe('<h1>bảng</h1>');
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await fetch(`${base}/dashboard/`, { method: 'POST' })).status).toBe(405);
  });

  it('rejects a bad port option by name', () => {
    expect(() => resolveStaticServerOptions({ port: 70000 })).toThrow('"port" must be an integer 0..65535');
  });
});

/** One raw request: `path` goes on the request line as is (fetch would normalise `..` away). */
function raw(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(`${base}/`, { method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

describe('StaticServer path fuzz (issue 13)', () => {
  const segment = fc.oneof(
    fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      '%2E%2e',
      '.%2e',
      '%2e.',
      '%252e%252e',
      '%2f',
      '%2F',
      '%5c',
      '\\',
      '..\\..',
      '%00',
      '%c0%ae%c0%ae',
      '%',
      '%zz',
      '.env',
      '%2eenv',
      '/a@b:99999',
      '#',
      '?x=1',
    ),
    fc.constantFrom('dashboard', 'kiosk', 'secret.txt', 'assets', 'index.html', 'app-1234.js', ''),
    fc.stringMatching(/^[A-Za-z0-9._~%-]{0,12}$/),
    fc.string({ minLength: 200, maxLength: 5000, unit: fc.constantFrom('a', '.', '/', '%2e') }),
  );
  const path = fc.array(segment, { minLength: 1, maxLength: 8 }).map((parts) => `/${parts.join('/')}`);
  const range = fc.option(
    fc.constantFrom('bytes=0-0', 'bytes=-1', 'bytes=5-2', 'bytes=0-', 'bytes=999999-', 'bytes=a-b', 'bytes=0-1,2-3'),
    { nil: undefined },
  );

  it('never serves a byte from outside the app folders, answers every path with a 2xx/3xx/4xx, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'HEAD'), path, range, async (method, p, r) => {
        const res = await raw(method, p, r === undefined ? {} : { range: r });
        expect(res.status, p).toBeGreaterThanOrEqual(200);
        expect(res.status, p).toBeLessThan(500);
        expect(res.body, p).not.toContain('not for the web');
        if (method === 'HEAD') expect(res.body).toBe('');
      }),
      { numRuns: 400 },
    );
    expect(server.stats().readErrors).toBeLessThanOrEqual(1); // only the deliberately unreadable file
    expect((await raw('GET', '/dashboard/')).body).toBe('<h1>bảng</h1>'.replace(/[^\x00-\x7f]/g, (c) => Buffer.from(c).toString('latin1')));
  });
});
