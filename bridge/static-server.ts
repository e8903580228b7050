import { open, stat, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { createLogger, type Logger } from './logger.ts';

/** Options of the static web server that serves the built kiosk and dashboard. */
export interface StaticServerOptions {
  /**
   * Folder that holds one sub-folder per app (`dashboard/`, `kiosk/`), as
   * written by `npm run build`.
   * @default "dist"
   */
  root?: string;
  /**
   * TCP port; 0 picks a free one.
   * @default 8080
   */
  port?: number;
  /**
   * Address to listen on. Offices open the kiosk on tablets on the LAN, so the
   * default listens on every interface.
   * @default "0.0.0.0"
   */
  host?: string;
  /**
   * Where failed requests (a file that cannot be read) are logged.
   * @default createLogger('hailong-web')
   */
  log?: Logger;
}

/** `StaticServerOptions` with every default applied. */
export type ResolvedStaticServerOptions = Readonly<Required<StaticServerOptions>>;

/** Counters of the static server (invariant 2: failures are visible). */
export interface StaticServerStats {
  /** Responses that failed while the file was read (the connection was closed). */
  readonly readErrors: number;
}

/** Applies defaults and checks types once; throws naming the option on a programmer error. */
export function resolveStaticServerOptions(options: StaticServerOptions = {}): ResolvedStaticServerOptions {
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('"port" must be an integer 0..65535');
  return Object.freeze({ root: resolve(options.root ?? 'dist'), port, host: options.host ?? '0.0.0.0', log: options.log ?? createLogger('hailong-web') });
}

/** Content types of the files a Vite build writes. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** The apps served, each under `/<app>/`. */
export const APPS = ['dashboard', 'kiosk'] as const;

/**
 * Serves the built web apps on one HTTP port: `/dashboard/…`, `/kiosk/…`, and
 * `/` redirecting to the dashboard. Read-only; paths never leave `root`.
 */
export class StaticServer {
  readonly options: ResolvedStaticServerOptions;
  #server: Server | undefined;
  #readErrors = 0;

  constructor(options: StaticServerOptions = {}) {
    this.options = resolveStaticServerOptions(options);
  }

  /** The HTTP server while started (the embedded broker serves MQTT over WebSocket on it). */
  get httpServer(): Server | undefined {
    return this.#server;
  }

  /** Counters since construction. */
  stats(): StaticServerStats {
    return { readErrors: this.#readErrors };
  }

  /** Starts listening; resolves with the bound port. */
  async start(): Promise<number> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#failed(req, error);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    this.#server = server;
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(this.options.port, this.options.host, () => ok());
    });
    return (server.address() as AddressInfo).port;
  }

  /** Stops listening and closes idle connections. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    // The path as sent, up to the query: `new URL` would read `//host/…`
    // as a host and throws on `//%/…` (a 500 found by the path fuzz).
    const url = { pathname: (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/' };
    if (!url.pathname.startsWith('/')) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Đường dẫn không hợp lệ / Bad path\n');
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/dashboard/' }).end();
      return;
    }
    const file = await this.#resolveFile(url.pathname);
    // Open before answering, and stream from the open file: a rebuild of
    // dist that deletes it mid-request can then neither turn a 200 into a
    // crash nor swap the file under the response.
    const handle = file === undefined ? undefined : await open(file, 'r').catch(() => undefined);
    if (file === undefined || handle === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Không tìm thấy / Not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      // Hashed assets never change; HTML and the service worker must revalidate.
      'cache-control': file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      // The one-stop software embeds <hailong-kiosk> from its own origin, and
      // module scripts are fetched with CORS: the kiosk's files must allow it.
      ...(url.pathname.startsWith('/kiosk/') ? { 'access-control-allow-origin': '*' } : {}),
    });
    if (req.method === 'HEAD') {
      await handle.close();
      res.end();
      return;
    }
    this.#stream(req, handle, res);
  }

  /**
   * Sends the file. `pipeline` rather than `.pipe`: a read error (an I/O
   * error, a file truncated by a rebuild) is an 'error' event that `.pipe`
   * leaves unhandled, and an unhandled 'error' kills the bridge and its
   * broker (issue 13). Here it closes this one response and is counted.
   */
  #stream(req: IncomingMessage, handle: FileHandle, res: ServerResponse): void {
    pipeline(handle.createReadStream(), res, (error) => {
      // A client that goes away mid-download is not a failure of ours.
      if (error === undefined || error === null || (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
      this.#failed(req, error);
    });
  }

  #failed(req: IncomingMessage, error: unknown): void {
    const n = ++this.#readErrors;
    // The first failures in full, then every 100th: a broken disk must not flood the log.
    if (n <= 10 || n % 100 === 0) {
      this.options.log.error({ url: req.url?.slice(0, 300), err: error, count: n }, 'web request failed while reading a file');
    }
  }

  /** Maps a URL path to a file inside an app folder, or undefined. */
  async #resolveFile(pathname: string): Promise<string | undefined> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined; // malformed %-escape: a hostile or broken URL, not a file
    }
    const [, app, ...rest] = decoded.split('/');
    if (!(APPS as readonly string[]).includes(app ?? '') || decoded.includes('\0')) return undefined;
    const appRoot = join(this.options.root, app!);
    const candidate = normalize(join(appRoot, ...rest));
    if (candidate !== appRoot && !candidate.startsWith(appRoot + sep)) return undefined;
    for (const path of [candidate, join(candidate, 'index.html')]) {
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile()) return path;
    }
    return undefined;
  }
}
