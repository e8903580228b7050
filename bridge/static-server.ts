import { ReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import serveStatic, { type RequestHandler } from 'serve-static';
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
   * Requests handled before the files (kiosk provisioning): returns true
   * when it answered the request.
   * @default none
   */
  api?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /**
   * Where failed requests (a file that cannot be read) are logged.
   * @default createLogger('hailong-web')
   */
  log?: Logger;
}

/** `StaticServerOptions` with every default applied. */
export type ResolvedStaticServerOptions = Readonly<Required<Omit<StaticServerOptions, 'api'>> & Pick<StaticServerOptions, 'api'>>;

/** Counters of the static server (invariant 2: failures are visible). */
export interface StaticServerStats {
  /** Responses that failed while the file was read: answered 500, or the connection closed mid-body. */
  readonly readErrors: number;
}

/** Applies defaults and checks types once; throws naming the option on a programmer error. */
export function resolveStaticServerOptions(options: StaticServerOptions = {}): ResolvedStaticServerOptions {
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('"port" must be an integer 0..65535');
  return Object.freeze({
    root: resolve(options.root ?? 'dist'),
    port,
    host: options.host ?? '0.0.0.0',
    log: options.log ?? createLogger('hailong-web'),
    ...(options.api === undefined ? {} : { api: options.api }),
  });
}

/** The apps served, each under `/<app>/`. */
export const APPS = ['dashboard', 'kiosk'] as const;

/** The app a request is for. */
type App = (typeof APPS)[number];

/** Plain-text answers, Vietnamese first, by status (invariant 2: say what was wrong). */
const MESSAGES: Readonly<Record<number, string>> = {
  400: 'Đường dẫn không hợp lệ / Bad path\n',
  403: 'Đường dẫn bị từ chối / Forbidden path\n',
  404: 'Không tìm thấy / Not found\n',
  412: 'Điều kiện của yêu cầu không thỏa / Precondition failed\n',
  416: 'Khoảng byte nằm ngoài tệp / Range not satisfiable\n',
  500: 'Không đọc được tệp / Could not read the file\n',
};

/**
 * Serves the built web apps on one HTTP port: `/dashboard/…`, `/kiosk/…`, and
 * `/` redirecting to the dashboard. Read-only; paths never leave an app folder.
 *
 * The files themselves go through serve-static (expressjs/serve-static, over
 * pillarjs/send) rather than hand-written code: it answers conditional
 * requests (ETag/Last-Modified → 304), byte ranges (206, 416), HEAD, refuses
 * `..` after decoding (403), malformed %-escapes and NUL (400) and dotfiles
 * (404), redirects `/kiosk` to `/kiosk/` without an open redirect, and never
 * lists a folder. send handles its read stream's 'error' and hands it to us
 * (see #fail), so a file rebuilt under a request cannot crash the bridge
 * (issue 13). sirv 3 was not taken: it `.pipe`s its read stream with no
 * 'error' handler (lukeed/sirv build.mjs), the crash issue 13 removed.
 */
export class StaticServer {
  readonly options: ResolvedStaticServerOptions;
  #server: Server | undefined;
  #files: ReadonlyMap<App, RequestHandler<ServerResponse>> = new Map();
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
    this.#files = new Map(APPS.map((app) => [app, this.#fileHandler(app)]));
    const server = createServer((req, res) => {
      try {
        this.#handle(req, res);
      } catch (error) {
        this.#fail(req, res, error);
      }
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

  /** serve-static for one app folder, with the headers the apps rely on. */
  #fileHandler(app: App): RequestHandler<ServerResponse> {
    const appRoot = join(this.options.root, app);
    return serveStatic(appRoot, {
      index: ['index.html'],
      dotfiles: 'ignore',
      // Every error comes to #fail, which answers it: nothing falls through.
      fallthrough: false,
      redirect: true,
      etag: true,
      lastModified: true,
      acceptRanges: true,
      // Set per file below; send's own would be `public, max-age=0`.
      cacheControl: false,
      setHeaders: (res, path) => {
        // Hashed assets never change; HTML and the service worker must
        // revalidate (now a cheap 304 through the ETag).
        const hashed = relative(appRoot, path).startsWith(`assets${sep}`);
        res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
        // The one-stop software embeds <hailong-kiosk> from its own origin, and
        // module scripts are fetched with CORS: the kiosk's files must allow it.
        if (app === 'kiosk') res.setHeader('access-control-allow-origin', '*');
      },
    });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    // A failed write to this response must not become an unhandled 'error'.
    res.on('error', (error) => this.#failed(req, error));
    res.on('pipe', (file) => this.#endShort(req, res, file));
    if (this.options.api?.(req, res) === true) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    // The target as sent, without a fragment: `new URL` would read `//host/…`
    // as a host and throws on `//%/…` (a 500 found by the path fuzz).
    const target = (req.url ?? '/').split('#', 1)[0] ?? '/';
    const pathname = target.split('?', 1)[0] ?? '/';
    if (!pathname.startsWith('/')) {
      this.#answer(res, 400);
      return;
    }
    if (pathname === '/') {
      res.writeHead(302, { location: '/dashboard/' }).end();
      return;
    }
    const app = APPS.find((a) => pathname === `/${a}` || pathname.startsWith(`/${a}/`));
    const files = app === undefined ? undefined : this.#files.get(app);
    if (app === undefined || files === undefined) {
      this.#answer(res, 404);
      return;
    }
    // Express's mount convention, which serve-static reads: `url` relative to
    // the app folder, `originalUrl` for the `/kiosk` → `/kiosk/` redirect.
    Object.assign(req, { originalUrl: target, url: (pathname.slice(app.length + 1) || '/') + target.slice(pathname.length) });
    files(req, res, (error) => this.#fail(req, res, error));
  }

  /**
   * Answers an error from send: 4xx as a plain message, a read failure as 500,
   * counted and logged. A read that fails after the headers went out (a file
   * truncated by a rebuild) can only close the connection: the client then
   * sees a body shorter than its Content-Length, not a complete wrong file.
   */
  #fail(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    const raw = (error as { status?: unknown } | undefined)?.status;
    const status = typeof raw === 'number' && raw >= 400 && raw <= 599 ? raw : 500;
    if (status >= 500) this.#failed(req, error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Drop the file's headers (ETag, Content-Length, …) as send itself does before an error.
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    const headers = (error as { headers?: Record<string, string> } | undefined)?.headers ?? {};
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value); // 416: Content-Range: bytes */size
    this.#answer(res, status);
  }

  /**
   * A file truncated in place by a rebuild while it is sent ends before the
   * Content-Length that send took from its size: close the connection so the
   * client sees the failure at once (and caches nothing) instead of waiting
   * for bytes that never come until the keep-alive timeout.
   */
  #endShort(req: IncomingMessage, res: ServerResponse, file: Readable): void {
    if (!(file instanceof ReadStream)) return;
    file.once('end', () => {
      const expected = Number(res.getHeader('content-length'));
      if (file.bytesRead >= expected) return;
      this.#failed(req, new Error(`file ended after ${file.bytesRead} of ${expected} bytes (changed while sent)`));
      res.destroy();
    });
  }

  #answer(res: ServerResponse, status: number): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(MESSAGES[status] ?? MESSAGES[500]);
  }

  #failed(req: IncomingMessage, error: unknown): void {
    const n = ++this.#readErrors;
    // The first failures in full, then every 100th: a broken disk must not flood the log.
    if (n <= 10 || n % 100 === 0) {
      const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url;
      this.options.log.error({ url: url?.slice(0, 300), err: error, count: n }, 'web request failed while reading a file');
    }
  }
}
