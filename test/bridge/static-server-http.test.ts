/**
 * What serve-static brings to the bridge's web server (issue 16): conditional
 * requests (ETag/Last-Modified → 304), byte ranges (206, 416, If-Range), HEAD,
 * dotfiles, no folder listings, the `/kiosk` → `/kiosk/` redirect, and files
 * deleted, replaced or truncated by a rebuild while they are being sent.
 */
import { mkdir, mkdtemp, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticServer } from '../../bridge/static-server.ts';

let root: string;
let server: StaticServer;
let port: number;

const TEXT = 'abcdefghijklmnopqrstuvwxyz';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hailong-static-http-'));
  await mkdir(join(root, 'dashboard', 'assets'), { recursive: true });
  await mkdir(join(root, 'kiosk'), { recursive: true });
  await writeFile(join(root, 'dashboard', 'index.html'), '<h1>bảng</h1>');
  await writeFile(join(root, 'dashboard', 'sw.js'), 'self.skipWaiting()');
  await writeFile(join(root, 'dashboard', 'manifest.webmanifest'), '{}');
  await writeFile(join(root, 'dashboard', 'icon.svg'), '<svg/>');
  await writeFile(join(root, 'dashboard', 'assets', 'letters-1a2b.txt'), TEXT);
  await writeFile(join(root, 'dashboard', 'assets', 'app-1a2b.css'), 'body{}');
  await writeFile(join(root, 'dashboard', '.env'), 'not for the web');
  await writeFile(join(root, 'kiosk', 'index.html'), '<h1>kiosk</h1>');
  server = new StaticServer({ root, port: 0, host: '127.0.0.1', log: pino({ level: 'silent' }) });
  port = await server.start();
});

afterAll(async () => {
  await server.stop();
  await rm(root, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with exactly these headers; the body as bytes. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

describe('StaticServer conditional requests', () => {
  it('answers a matching If-None-Match with 304 and no body, keeping no-cache on index.html and sw.js', async () => {
    for (const path of ['/dashboard/', '/dashboard/sw.js']) {
      const first = await get(path);
      expect(first.status, path).toBe(200);
      const etag = first.headers.etag as string;
      expect(etag, path).toMatch(/^W\/"[0-9a-f]+-[^"]+"$/);
      const again = await get(path, { 'if-none-match': etag });
      expect(again.status, path).toBe(304);
      expect(again.body.length, path).toBe(0);
      expect(again.headers['cache-control'], path).toBe('no-cache');
      expect(again.headers.etag, path).toBe(etag);
    }
  });

  it('answers If-Modified-Since from Last-Modified with 304', async () => {
    const first = await get('/dashboard/assets/letters-1a2b.txt');
    const lastModified = first.headers['last-modified'] as string;
    expect(new Date(lastModified).getTime()).not.toBeNaN();
    expect((await get('/dashboard/assets/letters-1a2b.txt', { 'if-modified-since': lastModified })).status).toBe(304);
  });

  it('sends the new file, with a new ETag, once a rebuild changed it', async () => {
    const file = join(root, 'kiosk', 'index.html');
    const old = await get('/kiosk/');
    await writeFile(file, '<h1>kiosk v2, longer</h1>');
    const fresh = await get('/kiosk/', { 'if-none-match': old.headers.etag as string });
    expect(fresh.status).toBe(200);
    expect(fresh.body.toString()).toBe('<h1>kiosk v2, longer</h1>');
    expect(fresh.headers.etag).not.toBe(old.headers.etag);
    // A revalidated kiosk file still carries CORS: the embedding page's module fetch needs it.
    const revalidated = await get('/kiosk/', { 'if-none-match': fresh.headers.etag as string });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('StaticServer byte ranges', () => {
  const letters = '/dashboard/assets/letters-1a2b.txt';

  it('answers a Range with 206 and exactly those bytes', async () => {
    const res = await get(letters, { range: 'bytes=2-5' });
    expect(res.status).toBe(206);
    expect(res.body.toString()).toBe('cdef');
    expect(res.headers['content-range']).toBe(`bytes 2-5/${TEXT.length}`);
    expect(res.headers['content-length']).toBe('4');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const suffix = await get(letters, { range: 'bytes=-3' });
    expect(suffix.status).toBe(206);
    expect(suffix.body.toString()).toBe('xyz');
    const open = await get(letters, { range: 'bytes=20-' });
    expect(open.body.toString()).toBe('uvwxyz');
  });

  it('answers a range past the end with 416 and the size, without the file', async () => {
    const res = await get(letters, { range: `bytes=${TEXT.length}-` });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${TEXT.length}`);
    expect(res.headers.etag).toBeUndefined();
    expect(res.body.toString()).toBe('Khoảng byte nằm ngoài tệp / Range not satisfiable\n');
  });

  it('sends the whole file when If-Range names another version, or the Range is malformed', async () => {
    const stale = await get(letters, { range: 'bytes=0-1', 'if-range': 'W/"1a-old"' });
    expect(stale.status).toBe(200);
    expect(stale.body.toString()).toBe(TEXT);
    const malformed = await get(letters, { range: 'bytes=a-b' });
    expect(malformed.status).toBe(200);
    expect(malformed.body.toString()).toBe(TEXT);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const res = await get(letters, {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(TEXT.length));
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.body.length).toBe(0);
  });
});

describe('StaticServer files and folders', () => {
  it('types the files a Vite build writes', async () => {
    const types: Record<string, string> = {
      '/dashboard/manifest.webmanifest': 'application/manifest+json; charset=utf-8',
      '/dashboard/icon.svg': 'image/svg+xml',
      '/dashboard/assets/app-1a2b.css': 'text/css; charset=utf-8',
      '/dashboard/sw.js': 'text/javascript; charset=utf-8',
    };
    for (const [path, type] of Object.entries(types)) expect((await get(path)).headers['content-type'], path).toBe(type);
  });

  it('never serves a dotfile nor lists a folder', async () => {
    const dot = await get('/dashboard/.env');
    expect(dot.status).toBe(404);
    expect(dot.body.toString()).not.toContain('not for the web');
    const folder = await get('/dashboard/assets/');
    expect(folder.status).toBe(404);
    expect(folder.body.toString()).not.toContain('letters');
  });

  it('redirects an app without its slash to the app, keeping the query', async () => {
    const res = await get('/kiosk?district=ba-dinh&ward=phuc-xa');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/kiosk/?district=ba-dinh&ward=phuc-xa');
    expect((await get('/dashboard')).headers.location).toBe('/dashboard/');
  });
});

describe('StaticServer while a rebuild changes a file mid-response', () => {
  const SIZE = 16 << 20;

  /** Starts a download, runs `change` after the first chunk, then reads on; resolves with the bytes or 'aborted'. */
  function downloadAcross(path: string, change: () => Promise<void>): Promise<{ length: number; body: Buffer } | 'aborted'> {
    return new Promise((done) => {
      const req = request({ host: '127.0.0.1', port, path }, (res) => {
        const chunks: Buffer[] = [];
        let changed = false;
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          if (changed) return;
          changed = true;
          res.pause();
          void change().then(() => res.resume());
        });
        res.on('end', () => done({ length: Number(res.headers['content-length']), body: Buffer.concat(chunks) }));
        res.on('error', () => done('aborted'));
      });
      req.on('error', () => done('aborted'));
      req.end();
    });
  }

  it('finishes the old file when the rebuild deletes it and writes a new one, and serves the new one next', async () => {
    const file = join(root, 'dashboard', 'assets', 'big-1.bin');
    const old = Buffer.alloc(SIZE, 0x61);
    await writeFile(file, old);
    const before = server.stats().readErrors;
    const got = await downloadAcross('/dashboard/assets/big-1.bin', async () => {
      await unlink(file); // what Vite's emptyOutDir does
      await writeFile(file, 'new build');
    });
    expect(got).not.toBe('aborted');
    if (got === 'aborted') return;
    expect(got.body.length).toBe(SIZE);
    expect(got.body.equals(old)).toBe(true);
    expect((await get('/dashboard/assets/big-1.bin')).body.toString()).toBe('new build');
    expect(server.stats().readErrors).toBe(before);
  }, 30_000);

  it('closes the response at once when the file is truncated in place, counts it, and keeps serving', async () => {
    const file = join(root, 'dashboard', 'assets', 'big-2.bin');
    await writeFile(file, Buffer.alloc(SIZE, 0x62));
    const before = server.stats().readErrors;
    const started = Date.now();
    const got = await downloadAcross('/dashboard/assets/big-2.bin', () => truncate(file, 10));
    // The client learns the body is short: it is never handed a complete-looking file.
    expect(got).toBe('aborted');
    // At once, not after the 5 s keep-alive timeout a short body would otherwise wait for.
    expect(Date.now() - started).toBeLessThan(4000);
    expect(server.stats().readErrors).toBe(before + 1);
    expect((await get('/dashboard/')).body.toString()).toBe('<h1>bảng</h1>');
  }, 30_000);
});
