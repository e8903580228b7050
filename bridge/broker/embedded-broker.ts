/**
 * The MQTT broker that the bridge embeds when the config names no external
 * broker: Aedes 1.x with hailong's access rules (access.ts) as its
 * authenticate/authorize hooks, on a TCP port, on `/mqtt` of the web apps'
 * HTTP port (MQTT over WebSocket), and optionally on a WebSocket port of
 * its own.
 *
 * With `persistencePath` (what the bridge passes: `broker.db` in its data
 * folder) retained messages and the sessions and QoS 1 queues of
 * `clean: false` subscribers survive a crash of the process
 * (sqlite-persistence.ts), so a durable subscriber misses nothing across a
 * `kill -9`, as with an external Mosquitto. Without it Aedes keeps them in
 * memory. Either way the bridge keeps votes durable in its own outbox until
 * PUBACK and republishes every retained state on each connect
 * (zigbee2mqtt#9629).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { anonymousPrincipal, canPublish, canRead, canSubscribe, filterProblem, publishTopicProblem, type Principal } from './access.ts';
import type { BrokerUser } from './broker-user.ts';
import { resolveEmbeddedBrokerOptions, type EmbeddedBrokerOptions, type ResolvedEmbeddedBrokerOptions } from './embedded-broker-options.ts';
import { attachMqttWebSocket, type Detach } from './mqtt-websocket.ts';
import { SqlitePersistence } from './sqlite-persistence.ts';

export { resolveEmbeddedBrokerOptions, type EmbeddedBrokerOptions, type ResolvedEmbeddedBrokerOptions };

/** Distinct refusals (kind, user, topic) logged before the broker only counts them. */
export const MAX_LOGGED_REFUSALS = 1000;

/** MQTT 3.1.1 CONNACK code 5, "not authorized": what Mosquitto 2.0 answers to a bad password too. */
export const CONNACK_NOT_AUTHORIZED = 5;

/** What was refused. `will`: a last-will message on a topic its client may not publish. */
export type RefusalKind = 'connect' | 'publish' | 'will' | 'subscribe';

/** One refused connect, publish, will or subscribe. */
export interface Refusal {
  readonly kind: RefusalKind;
  /** MQTT client id ('' before the client sent one). */
  readonly clientId: string;
  /** Username given by the client, if any. */
  readonly username: string | undefined;
  /** Topic or filter, for publish, will and subscribe. */
  readonly topic?: string;
  /** Why, in English, for logs. */
  readonly reason: string;
}

/** Counters of the broker since `start()` (invariant 2: visible counters). */
export interface EmbeddedBrokerStats {
  /** Clients connected now. */
  readonly clients: number;
  readonly connectsAccepted: number;
  /** Bad or missing credentials. */
  readonly connectsRefused: number;
  /** Publishes refused by the rules; Aedes then closes the connection (MQTT 3.1.1 has no negative PUBACK). */
  readonly publishesRefused: number;
  /** Last-will messages dropped because their client may not publish on the will topic. */
  readonly willsRefused: number;
  /** Subscriptions answered with SUBACK 0x80 (the filter can match nothing readable). */
  readonly subscribesRefused: number;
  /** Messages not delivered to an accepted subscription because the subscriber may not read that topic. */
  readonly deliveriesFiltered: number;
  /** Protocol errors, malformed packets and dropped sockets reported by Aedes. */
  readonly clientErrors: number;
}

/** Events of `EmbeddedBroker`. */
export interface EmbeddedBrokerEvents {
  /** A connect, publish, will or subscribe was refused (already counted and logged). */
  refused: [refusal: Refusal];
}

/** Ports the broker listens on, as bound (useful with port 0). */
export interface EmbeddedBrokerPorts {
  readonly port: number;
  readonly wsPort: number | undefined;
}

type Counters = { -readonly [K in Exclude<keyof EmbeddedBrokerStats, 'clients'>]: number };

/** An account with the SHA-256 of its password, compared in constant time. */
interface Account {
  readonly user: BrokerUser;
  readonly digest: Buffer;
}

function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

function zeroCounters(): Counters {
  return {
    connectsAccepted: 0,
    connectsRefused: 0,
    publishesRefused: 0,
    willsRefused: 0,
    subscribesRefused: 0,
    deliveriesFiltered: 0,
    clientErrors: 0,
  };
}

/**
 * hailong's embedded MQTT 3.1.1 broker (Aedes). `start()` opens the TCP
 * listener (and `wsPort`), `attachWebSocket(server)` serves MQTT over
 * WebSocket on `/mqtt` of an existing HTTP server, `stop()` closes all.
 *
 * A refused publish closes the client's connection (Aedes; MQTT 3.1.1 has no
 * negative PUBACK), whereas Mosquitto acknowledges and drops it; in both the
 * message reaches nobody. A refused subscription gets SUBACK 0x80 here,
 * whereas Mosquitto grants it and delivers nothing.
 */
export class EmbeddedBroker extends EventEmitter<EmbeddedBrokerEvents> {
  readonly options: ResolvedEmbeddedBrokerOptions;
  #aedes: Aedes | undefined;
  #persistence: SqlitePersistence | undefined;
  #tcp: TcpServer | undefined;
  #wsServer: HttpServer | undefined;
  #ports: EmbeddedBrokerPorts | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #detachers: Detach[] = [];
  readonly #principals = new WeakMap<Client, Principal>();
  readonly #usernames = new WeakMap<Client, string>();
  readonly #ownErrors = new WeakSet<Error>();
  readonly #logged = new Set<string>();
  #counters: Counters = zeroCounters();
  #accounts: ReadonlyMap<string, Account> = new Map();
  /** One principal object for every anonymous client, so its grants are computed once. */
  #anonymous: Principal | undefined;

  constructor(options: EmbeddedBrokerOptions = {}) {
    super();
    this.options = resolveEmbeddedBrokerOptions(options);
  }

  /** Ports as bound by `start()`, or undefined when stopped. */
  get ports(): EmbeddedBrokerPorts | undefined {
    return this.#ports;
  }

  /** Starts Aedes and the TCP (and standalone WebSocket) listeners; resolves with the bound ports. */
  async start(): Promise<EmbeddedBrokerPorts> {
    if (this.#aedes) throw new Error('EmbeddedBroker is already started');
    const { logger, users } = this.options;
    this.#counters = zeroCounters();
    this.#logged.clear();
    this.#accounts = new Map(users.map((user) => [user.username, { user, digest: sha256(user.password) }]));
    this.#anonymous = this.options.anonymous === 'read' ? anonymousPrincipal('read') : undefined;
    const path = this.options.persistencePath;
    const persistence = path === undefined ? undefined : new SqlitePersistence(path);
    if (path !== undefined) mkdirSync(dirname(path), { recursive: true });
    const aedes = await Aedes.createBroker({ ...this.#aedesOptions(), ...(persistence === undefined ? {} : { persistence }) });
    this.#aedes = aedes;
    this.#persistence = persistence;
    // Aedes emits 'error' on persistence failures and on a refused stale
    // will; an unhandled 'error' event would kill the bridge.
    (aedes as EventEmitter).on('error', (error: Error) => logger.error({ err: error }, 'MQTT broker error'));
    aedes.on('clientError', (client, error) => this.#onClientError(client, error));
    aedes.on('connectionError', (client, error) => this.#onClientError(client, error));
    try {
      const tcp = createTcpServer((socket) => this.#handleSocket(socket));
      this.#tcp = tcp;
      const port = await listen(tcp, this.options.port, this.options.host);
      let wsPort: number | undefined;
      if (this.options.wsPort !== undefined) {
        const http = createHttpServer((_req, res) => {
          res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
          res.end('MQTT over WebSocket only\n');
        });
        this.#wsServer = http;
        this.#attach(http, undefined);
        wsPort = await listen(http, this.options.wsPort, this.options.host);
      }
      this.#ports = Object.freeze({ port, wsPort });
    } catch (error) {
      await this.stop();
      throw error;
    }
    const roles: Record<string, number> = {};
    for (const u of users) roles[u.role] = (roles[u.role] ?? 0) + 1;
    const host = this.options.host === '0.0.0.0' ? 'localhost' : this.options.host;
    logger.info(
      { port: this.#ports.port, wsPort: this.#ports.wsPort, host: this.options.host, users: roles, anonymous: this.options.anonymous, persistence: path ?? 'memory', loaded: persistence?.loaded },
      `MQTT broker (Aedes) mqtt://${host}:${this.#ports.port}` +
        (this.#ports.wsPort === undefined ? '' : ` · ws://${host}:${this.#ports.wsPort}/mqtt`),
    );
    return this.#ports;
  }

  /**
   * Serves MQTT over WebSocket on `path` of `server` (the web apps' HTTP
   * server, so kiosks and dashboards need one port). Handles only upgrade
   * requests for `path`; other upgrades are left to other listeners, or
   * answered 404 when nobody else listens. Detached by `stop()`.
   */
  attachWebSocket(server: HttpServer, path = '/mqtt'): void {
    if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError('"path" must start with "/"');
    this.#attach(server, path);
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : undefined;
    this.options.logger.info({ path, port }, `MQTT over WebSocket on ${path} of the web server${port === undefined ? '' : ` (port ${port})`}`);
  }

  /** Counters since `start()`. */
  stats(): EmbeddedBrokerStats {
    return Object.freeze({ clients: this.#aedes?.connectedClients ?? 0, ...this.#counters });
  }

  /** Disconnects every client and closes every listener. Safe to call twice. */
  async stop(): Promise<void> {
    const aedes = this.#aedes;
    this.#aedes = undefined;
    this.#ports = undefined;
    for (const detach of this.#detachers.splice(0)) detach();
    if (aedes) await new Promise<void>((done) => aedes.close(() => done()));
    // Aedes never destroys its persistence: close the file here.
    const persistence = this.#persistence;
    this.#persistence = undefined;
    await persistence?.destroy();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    const closing: Promise<void>[] = [];
    const tcp = this.#tcp;
    this.#tcp = undefined;
    if (tcp?.listening) closing.push(new Promise((done) => tcp.close(() => done())));
    const ws = this.#wsServer;
    this.#wsServer = undefined;
    if (ws?.listening) {
      ws.closeAllConnections();
      closing.push(new Promise((done) => ws.close(() => done())));
    }
    await Promise.all(closing);
    if (aedes) this.options.logger.info({ stats: this.#counters }, 'MQTT broker stopped');
  }

  #aedesOptions(): AedesOptions {
    return {
      drainTimeout: this.options.drainTimeoutMs,
      authenticate: (client, username, password, done) => {
        const outcome = this.#authenticate(username, password);
        if (username !== undefined) this.#usernames.set(client, username);
        if ('principal' in outcome) {
          this.#principals.set(client, outcome.principal);
          this.#counters.connectsAccepted++;
          done(null, true);
          return;
        }
        this.#counters.connectsRefused++;
        this.#refuse({ kind: 'connect', clientId: client.id, username, reason: outcome.reason });
        const error = Object.assign(new Error(outcome.reason), { returnCode: CONNACK_NOT_AUTHORIZED });
        this.#ownErrors.add(error);
        done(error as Parameters<typeof done>[0], false);
      },
      authorizePublish: (client, packet, done) => {
        const principal = client ? this.#principals.get(client) : undefined;
        // Aedes asks here for the last will too, with the very packet it stored (lib/client.js).
        const isWill = client === null || (client as Client & { will?: unknown }).will === packet;
        if (principal !== undefined && canPublish(principal, packet.topic)) {
          const gated = isWill ? undefined : this.options.publishGate?.(principal, packet.topic, packet.payload as Buffer);
          if (gated === undefined) {
            done(null);
            return;
          }
          // Aedes sends the PUBACK only after done(null): the gate commits first.
          void gated.then(
            (refusal) => (refusal === undefined ? done(null) : this.#refusePublish(client, packet.topic, refusal, done)),
            (error: unknown) => this.#refusePublish(client, packet.topic, `the bridge could not take it: ${String(error)}`, done),
          );
          return;
        }
        const reason =
          principal === undefined
            ? 'the client is not signed in'
            : (publishTopicProblem(packet.topic) ?? `${describe(principal)} may not publish here`);
        if (isWill) this.#counters.willsRefused++;
        else this.#counters.publishesRefused++;
        this.#refuse({
          kind: isWill ? 'will' : 'publish',
          clientId: client?.id ?? '',
          username: client ? this.#usernames.get(client) : undefined,
          topic: packet.topic,
          reason,
        });
        const error = new Error(`publish on ${JSON.stringify(String(packet.topic).slice(0, 300))} refused: ${reason}`);
        this.#ownErrors.add(error);
        done(error);
      },
      authorizeSubscribe: (client, subscription, done) => {
        const principal = this.#principals.get(client);
        if (principal !== undefined && canSubscribe(principal, subscription.topic)) {
          done(null, subscription);
          return;
        }
        this.#counters.subscribesRefused++;
        this.#refuse({
          kind: 'subscribe',
          clientId: client.id,
          username: this.#usernames.get(client),
          topic: subscription.topic,
          reason:
            principal === undefined
              ? 'the client is not signed in'
              : (filterProblem(subscription.topic) ?? `the filter matches nothing ${describe(principal)} may read`),
        });
        // A null subscription is answered with SUBACK 0x80 and the client stays connected.
        done(null, null);
      },
      authorizeForward: (client, packet) => {
        const principal = this.#principals.get(client);
        if (principal !== undefined && canRead(principal, packet.topic)) return packet;
        this.#counters.deliveriesFiltered++;
        return null;
      },
    };
  }

  /** Refuses a publish the gate turned down: counted, then the client is disconnected (MQTT 3.1.1 has no PUBACK refusal). */
  #refusePublish(client: Client | null, topic: string, reason: string, done: (error: Error | null) => void): void {
    this.#counters.publishesRefused++;
    this.#refuse({ kind: 'publish', clientId: client?.id ?? '', username: client ? this.#usernames.get(client) : undefined, topic, reason });
    const error = new Error(`publish on ${JSON.stringify(topic.slice(0, 300))} refused: ${reason}`);
    this.#ownErrors.add(error);
    done(error);
  }

  #authenticate(username: string | undefined, password: Buffer | undefined): { principal: Principal } | { reason: string } {
    if (username === undefined) {
      if (password !== undefined) return { reason: 'a password without a username' };
      if (this.#anonymous === undefined) return { reason: 'anonymous clients are not allowed' };
      return { principal: this.#anonymous };
    }
    const account = this.#accounts.get(username);
    // Hash and compare even for an unknown user, so timing does not tell which usernames exist.
    const given = sha256(password ?? '');
    const expected = account?.digest ?? sha256('\u0000no such user');
    const same = timingSafeEqual(given, expected);
    if (account === undefined) return { reason: 'unknown username' };
    if (password === undefined || !same) return { reason: 'wrong password' };
    return { principal: account.user };
  }

  #handleSocket(socket: Socket): void {
    const aedes = this.#aedes;
    if (!aedes) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    // Small QoS 1 packets and their PUBACKs must not wait for Nagle's
    // algorithm to meet the peer's delayed ACK (up to 40 ms per exchange).
    socket.setNoDelay?.(true);
    socket.once('close', () => this.#sockets.delete(socket));
    aedes.handle(socket);
  }

  #attach(server: HttpServer, path: string | undefined): void {
    const handle = (stream: Duplex, req: IncomingMessage): boolean => {
      const aedes = this.#aedes;
      if (aedes) aedes.handle(stream, req);
      return aedes !== undefined;
    };
    this.#detachers.push(attachMqttWebSocket(server, path, handle, this.options.logger));
  }

  #onClientError(client: Client, error: Error): void {
    if (this.#ownErrors.has(error)) return; // a refusal, already counted and logged
    this.#counters.clientErrors++;
    const clientId = client?.id ?? '';
    this.#logOnce(`error\u0000${error.message}`, () =>
      this.options.logger.info({ clientId, err: error.message }, `MQTT client error: ${error.message}`),
    );
  }

  #refuse(refusal: Refusal): void {
    const key = `${refusal.kind}\u0000${refusal.username ?? ''}\u0000${refusal.topic ?? ''}\u0000${refusal.reason}`;
    this.#logOnce(key, () =>
      this.options.logger.warn(
        { refusal: { ...refusal, topic: refusal.topic?.slice(0, 300) } },
        `MQTT ${refusal.kind} refused for ${refusal.username === undefined ? 'an anonymous client' : `user ${refusal.username}`}` +
          `${refusal.topic === undefined ? '' : ` on ${JSON.stringify(refusal.topic.slice(0, 300))}`}: ${refusal.reason}`,
      ),
    );
    this.emit('refused', refusal);
  }

  /** Logs `key` the first time only, up to MAX_LOGGED_REFUSALS keys: a client retrying in a loop must not fill the disk. */
  #logOnce(key: string, log: () => void): void {
    if (this.#logged.has(key)) return;
    if (this.#logged.size >= MAX_LOGGED_REFUSALS) {
      if (this.#logged.size === MAX_LOGGED_REFUSALS) {
        this.#logged.add('\u0000full');
        this.options.logger.warn(`more than ${MAX_LOGGED_REFUSALS} distinct refusals and client errors: only counting them from now on`);
      }
      return;
    }
    this.#logged.add(key);
    log();
  }
}

function describe(principal: Principal): string {
  if (principal.role === 'anonymous') return 'an anonymous client';
  return `${principal.role} ${principal.username}`;
}

async function listen(server: TcpServer | HttpServer, port: number, host: string): Promise<number> {
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  return (server.address() as AddressInfo).port;
}
