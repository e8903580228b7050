/**
 * Rating by QR code (issue 15). At the end of a service the desk asks for a
 * token — `POST /qr/token` with its desk account (HTTP Basic, the `desk`
 * users of `broker.users`), body `{"counter":"quay-1","dossier":"…",
 * "stage":"tra-ket-qua"}` — and shows or prints the QR code of the answer
 * (`svg`, made with qrcode-generator) holding `…/qr/?t=<token>`: an opaque
 * one-use token, never the dossier code. The citizen's phone opens that
 * page (qr-page.ts) and rates; `POST /qr/vote` journals the vote like any
 * other — the journal stores it before the answer, the outbox publishes it
 * on the vote topic, the tally follows — as terminal `qr-<counter>`,
 * source `touch`. A used, expired or unknown token is refused with its
 * reason, in words, on the page.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import qrcode from 'qrcode-generator';
import type { Logger } from 'pino';
import { cleanDossierCode, DOSSIER_STAGES, type DossierStage } from '../../core/dossier.ts';
import { isLevelKey, SCALE_3 } from '../../core/scale.ts';
import type { HailongConfig } from '../config/hailong-config.ts';
import type { Journal } from '../journal/journal.ts';
import { qrRatePage, qrRefusedPage } from './qr-page.ts';
import { QrTokens, type QrRefusal } from './qr-tokens.ts';

/** Where the phone page and its API live on the web port. */
export const QR_PATH = '/qr/';

/** Largest request body read. */
const MAX_BODY_BYTES = 2048;

/** Options of `QrRating`. */
export interface QrRatingOptions {
  readonly config: HailongConfig;
  /** The bridge's journal (open while the bridge runs). */
  readonly journal: () => Journal;
  readonly tokensPath: string;
  readonly log: Logger;
  /** How long a token may rate (ms). @default 1_800_000 (30 minutes; env HAILONG_QR_TTL_MS) */
  readonly ttlMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** A QR vote was committed: hand it to the outbox (publish it now, like a box vote). @default nothing (the outbox's pump finds it) */
  readonly onStored?: (rowid: number, topic: string, payload: string) => void;
}

/** The terminal id of a counter's QR votes. */
export function qrTerminal(counter: string): string {
  return `qr-${counter}`.slice(0, 32);
}

/** Issues tokens and takes QR votes over HTTP. */
export class QrRating {
  readonly tokens: QrTokens;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** QR votes are stored one at a time: each takes the next device seq of its counter. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly counts: Record<string, number> = {};

  constructor(readonly options: QrRatingOptions) {
    this.tokens = new QrTokens(options.tokensPath);
    this.ttlMs = options.ttlMs ?? 1_800_000;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.tokens.open();
  }

  stop(): void {
    this.tokens.close();
  }

  /** Counters: `qr-tokens-issued`, `qr-votes-stored`, `qr-refused-<reason>`. */
  stats(): Readonly<Record<string, number>> {
    return { ...this.counts };
  }

  /** Serves `/qr/…`; false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith(QR_PATH)) return false;
    const lang = url.searchParams.get('lang') === 'en' ? 'en' : 'vi';
    const rest = url.pathname.slice(QR_PATH.length);
    if (rest === '' && req.method === 'GET') {
      const checked = this.tokens.check(url.searchParams.get('t'), this.now());
      const html = checked.ok ? qrRatePage(checked.token.token, lang, checked.token.dossier) : qrRefusedPage(checked.reason, lang);
      if (!checked.ok) this.bump(`qr-refused-${checked.reason}`);
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' })
        .end(html);
      return true;
    }
    if (rest === 'token' && req.method === 'POST') {
      void this.body(req, res).then((body) => body !== undefined && this.issue(req, res, body));
      return true;
    }
    if (rest === 'vote' && req.method === 'POST') {
      void this.body(req, res).then((body) => body !== undefined && this.vote(res, body));
      return true;
    }
    json(res, 404, { error: 'not-found' });
    return true;
  }

  private issue(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): void {
    const desk = this.desk(req);
    if (desk === undefined) {
      res
        .writeHead(401, { 'www-authenticate': 'Basic realm="hailong desk"', 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    const { config } = this.options;
    const counter = typeof body.counter === 'string' ? config.counters.find((c) => c.id === body.counter) : undefined;
    if (counter === undefined)
      return json(res, 400, {
        error: 'bad-counter',
        message: `counter ${JSON.stringify(body.counter)} is not a counter of ${config.ward.id}`,
      });
    if (desk.counter !== undefined && desk.counter !== counter.id)
      return json(res, 403, { error: 'wrong-counter', message: `desk ${desk.username} may issue tokens for ${desk.counter} only` });
    const dossier = typeof body.dossier === 'string' ? cleanDossierCode(body.dossier) : undefined;
    if (body.dossier !== undefined && dossier === undefined)
      return json(res, 400, { error: 'bad-dossier', message: 'dossier is not a dossier code' });
    const stage = body.stage;
    if (stage !== undefined && !(DOSSIER_STAGES as readonly unknown[]).includes(stage))
      return json(res, 400, { error: 'bad-stage', message: `stage must be ${DOSSIER_STAGES.join(' or ')}` });
    // A desk may ask for a shorter life than the office's (a token printed for a citizen who leaves now).
    const ttlMs = Number.isInteger(body.ttlMs) && (body.ttlMs as number) >= 1000 ? Math.min(body.ttlMs as number, this.ttlMs) : this.ttlMs;
    const officer = typeof body.officer === 'string' && /^[a-z0-9-]{1,32}$/.test(body.officer) ? body.officer : undefined;
    const t = this.tokens.issue(
      {
        counter: counter.id,
        ...(officer === undefined ? {} : { officer }),
        ...(dossier === undefined ? {} : { dossier, stage: (stage as DossierStage | undefined) ?? 'tiep-nhan' }),
      },
      this.now(),
      ttlMs,
    );
    this.bump('qr-tokens-issued');
    const path = `${QR_PATH}?t=${t.token}`;
    const qr = qrcode(0, 'M');
    const host = req.headers.host ?? `${config.web.host}:${config.web.port}`;
    qr.addData(`http://${host}${path}`);
    qr.make();
    json(res, 200, {
      token: t.token,
      path,
      url: `http://${host}${path}`,
      expiresAt: t.expiresAt,
      svg: qr.createSvgTag({ cellSize: 6, margin: 4, scalable: true }),
    });
  }

  private vote(res: ServerResponse, body: Record<string, unknown>): void {
    const level = body.level;
    if (typeof level !== 'string' || !isLevelKey(level) || !SCALE_3.levels.some((l) => l.key === level)) {
      return json(res, 400, { error: 'bad-level', message: 'level is not a level of the scale' });
    }
    const run = this.chain.then(async () => {
      const now = this.now();
      this.recoverTaken(body.token, this.options.journal());
      const checked = this.tokens.check(body.token, now);
      if (!checked.ok) {
        this.bump(`qr-refused-${checked.reason}`);
        return json(res, checked.reason === 'unknown' ? 404 : 410, { error: checked.reason });
      }
      const t = checked.token;
      const terminal = qrTerminal(t.counter);
      const uid = `qr:${t.counter}`;
      const journal = this.options.journal();
      const deviceSeq = journal.highWaterMark(uid) + 1;
      const marker = `${uid}:${deviceSeq}`;
      // Taken before the store, given back if the store fails: two phones with one token cannot both vote.
      if (!this.tokens.use(t.token, marker)) return json(res, 410, { error: 'used' satisfies QrRefusal });
      const { config } = this.options;
      const outcome = await journal.append({
        uid,
        deviceSeq,
        path: { district: config.district.id, ward: config.ward.id, counter: t.counter, terminal },
        level,
        pressedAt: now,
        receivedAt: now,
        source: 'touch',
        ...(t.officer === undefined ? {} : { officer: t.officer }),
        ...(t.dossier === undefined ? {} : { dossier: t.dossier, ...(t.stage === undefined ? {} : { stage: t.stage }) }),
      });
      if (outcome.status !== 'stored') {
        this.tokens.release(t.token, marker);
        this.options.log.error({ outcome: outcome.status }, 'QR vote not stored: the citizen is asked to try again');
        return json(res, 503, { error: 'failed' });
      }
      this.tokens.use(t.token, outcome.vote.id);
      this.bump('qr-votes-stored');
      this.options.onStored?.(outcome.rowid, outcome.topic, outcome.payload);
      return json(res, 200, { vote: outcome.vote.id, ...(outcome.vote.filtered === undefined ? {} : { filtered: outcome.vote.filtered }) });
    });
    this.chain = run.catch((error: unknown) => {
      this.options.log.error({ error: (error as Error).message }, 'QR vote failed');
      if (!res.headersSent) json(res, 503, { error: 'failed' });
    });
  }

  /**
   * A token is taken (marked `uid:deviceSeq`) before its vote's journal
   * commit, so two phones cannot both vote with it. If the process died
   * between the two, the journal has no vote at that device seq: the token
   * is given back, or the citizen — who never saw a thank-you — could not
   * rate at all (invariant 1, README).
   */
  private recoverTaken(token: unknown, journal: Journal): void {
    if (typeof token !== 'string') return;
    const taken = this.tokens.usedBy(token);
    const m = typeof taken === 'string' ? /^(qr:.+):(\d+)$/.exec(taken) : null;
    if (m === null) return;
    if (journal.highWaterMark(m[1]!) < Number(m[2])) {
      this.tokens.release(token, taken as string);
      this.options.log.warn({ marker: taken }, 'QR token given back: its vote was never stored (the process stopped before the commit)');
    }
  }

  /** The desk user of an HTTP Basic header, if the password matches. */
  private desk(req: IncomingMessage) {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
    if (m === null) return undefined;
    const text = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    const [username, password] = [text.slice(0, colon), text.slice(colon + 1)];
    const user = this.options.config.broker.users.find((u) => u.role === 'desk' && u.username === username);
    if (user === undefined) return undefined;
    const a = Buffer.from(user.password);
    const b = Buffer.from(password);
    return a.length === b.length && timingSafeEqual(a, b) ? user : undefined;
  }

  private body(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | undefined> {
    return new Promise((resolve) => {
      let size = 0;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          json(res, 413, { error: 'too-large' });
          req.destroy();
          resolve(undefined);
          return;
        }
        chunks.push(chunk);
      });
      req.on('error', () => resolve(undefined));
      req.on('end', () => {
        if (res.headersSent) return resolve(undefined);
        try {
          const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
          if (typeof v === 'object' && v !== null && !Array.isArray(v)) return resolve(v as Record<string, unknown>);
        } catch {
          // fall through
        }
        json(res, 400, { error: 'bad-json', message: 'the body must be a JSON object' });
        resolve(undefined);
      });
    });
  }

  private bump(key: string): void {
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
