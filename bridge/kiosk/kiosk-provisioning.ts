/**
 * One-time provisioning codes for kiosks (issue 13, item 2): a kiosk's
 * password never travels in a URL. `hailong start` prints each kiosk's URL
 * with a `provision=` code instead; the kiosk trades it once, over
 * `POST /kiosk/provision` on the web port, for its broker account and the
 * staff PIN of its config entry, keeps them in its own storage and drops
 * the code from its address. A code works once and expires.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** What a kiosk gets for its code. */
export interface KioskProvision {
  readonly username: string;
  readonly password: string;
  /** Absent when the config sets no PIN: the staff page then stays locked. */
  readonly pin?: string;
}

/** The path the kiosk posts its code to. */
export const PROVISION_PATH = '/kiosk/provision';

/** How long a code stays valid (ms). */
export const CODE_LIFETIME_MS = 24 * 3_600_000;

/** Largest request body read (a code is 22 characters). */
const MAX_BODY_BYTES = 1024;

interface Issued {
  readonly code: Buffer;
  readonly provision: KioskProvision;
  readonly expiresAt: number;
}

/** Issues and redeems one-time codes; `handle` serves `POST /kiosk/provision`. */
export class KioskProvisioning {
  readonly #issued = new Map<string, Issued>();
  readonly #log: Logger;
  readonly #now: () => number;
  #redeemed = 0;
  #refused = 0;

  constructor(log: Logger, now: () => number = Date.now) {
    this.#log = log;
    this.#now = now;
  }

  /** A fresh code for `provision` (any older code of the same kiosk stops working). */
  issue(provision: KioskProvision): string {
    const code = randomBytes(16).toString('base64url');
    this.#issued.set(provision.username, { code: Buffer.from(code), provision, expiresAt: this.#now() + CODE_LIFETIME_MS });
    return code;
  }

  /** The provision for `code`, once; undefined for an unknown, used or expired code. */
  redeem(code: unknown): KioskProvision | undefined {
    if (typeof code !== 'string' || code.length === 0 || code.length > 64) return undefined;
    const given = Buffer.from(code);
    for (const [username, issued] of this.#issued) {
      if (issued.code.length !== given.length || !timingSafeEqual(issued.code, given)) continue;
      this.#issued.delete(username);
      return issued.expiresAt > this.#now() ? issued.provision : undefined;
    }
    return undefined;
  }

  /** Counters: codes redeemed and refused. */
  stats(): { readonly redeemed: number; readonly refused: number } {
    return { redeemed: this.#redeemed, refused: this.#refused };
  }

  /** Serves `POST /kiosk/provision` (body `{"code":"…"}`); false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if ((req.url ?? '').split('?')[0] !== PROVISION_PATH) return false;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return true;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        json(413, { error: 'too-large' });
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (res.headersSent) return;
      let code: unknown;
      try {
        code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: unknown }).code;
      } catch {
        code = undefined;
      }
      const provision = this.redeem(code);
      if (provision === undefined) {
        this.#refused++;
        this.#log.warn(
          { from: req.socket.remoteAddress, count: this.#refused },
          'kiosk provisioning refused: unknown, used or expired code',
        );
        json(403, { error: 'bad-code' });
        return;
      }
      this.#redeemed++;
      this.#log.info({ terminal: provision.username, from: req.socket.remoteAddress }, 'kiosk provisioned with its one-time code');
      json(200, provision);
    });
    return true;
  }
}
