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
 *
 * This module owns the listeners and the Aedes lifecycle; the access hooks
 * are in aedes-hooks.ts, the sign-in check in broker-sign-in.ts and the
 * refusal counters and logging in broker-refusals.ts.
 */
// First: the packages below create their debug loggers as they load (debug-silencer.ts says why).
import '../debug-silencer.ts';
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { anonymousPrincipal, type Principal } from './access.ts';
import { aedesHooks } from './aedes-hooks.ts';
import { BrokerRefusals, type EmbeddedBrokerStats, type Refusal } from './broker-refusals.ts';
import { brokerAccounts, signIn, type BrokerAccount } from './broker-sign-in.ts';
import { ConnectionGate, type GateRefusal } from './connection-gate.ts';
import { MqttFrameGuard, type FrameRefusal } from './mqtt-frame-guard.ts';
import { resolveEmbeddedBrokerOptions, type EmbeddedBrokerOptions, type ResolvedEmbeddedBrokerOptions } from './embedded-broker-options.ts';
import { attachMqttWebSocket, type Detach } from './mqtt-websocket.ts';
import { IndexedMemoryPersistence } from './retained-index.ts';
import { SqlitePersistence } from './sqlite-persistence.ts';

export {
  resolveEmbeddedBrokerOptions,
  type EmbeddedBrokerOptions,
  type PublishDecision,
  type PublishInterceptor,
  type PublishVerdict,
  type ResolvedEmbeddedBrokerOptions,
} from './embedded-broker-options.ts';
export { MAX_LOGGED_REFUSALS, type EmbeddedBrokerStats, type Refusal, type RefusalKind } from './broker-refusals.ts';
export { CONNACK_IDENTIFIER_REJECTED, CONNACK_NOT_AUTHORIZED } from './broker-sign-in.ts';

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
  /** Remote address of each guarded connection (the stream Aedes sees as `client.conn`). */
  readonly #addresses = new WeakMap<object, string>();
  #gate: ConnectionGate | undefined;
  readonly #refusals: BrokerRefusals;
  #accounts: ReadonlyMap<string, BrokerAccount> = new Map();
  /** One principal object for every anonymous client, so its grants are computed once. */
  #anonymous: Principal | undefined;

  constructor(options: EmbeddedBrokerOptions = {}) {
    super();
    this.options = resolveEmbeddedBrokerOptions(options);
    this.#refusals = new BrokerRefusals(this.options.logger, (refusal) => this.emit('refused', refusal));
  }

  /** Ports as bound by `start()`, or undefined when stopped. */
  get ports(): EmbeddedBrokerPorts | undefined {
    return this.#ports;
  }

  /** Starts Aedes and the TCP (and standalone WebSocket) listeners; resolves with the bound ports. */
  async start(): Promise<EmbeddedBrokerPorts> {
    if (this.#aedes) throw new Error('EmbeddedBroker is already started');
    const { logger, users } = this.options;
    this.#refusals.reset();
    this.#accounts = brokerAccounts(users);
    this.#anonymous = this.options.anonymous === 'read' ? anonymousPrincipal('read') : undefined;
    this.#gate = new ConnectionGate(this.options);
    const path = this.options.persistencePath;
    let persistence = path === undefined ? undefined : new SqlitePersistence(path);
    if (path !== undefined) mkdirSync(dirname(path), { recursive: true });
    let aedes: Aedes;
    try {
      // Without a file, Aedes' in-memory persistence with indexed retained lookups (retained-index.ts).
      aedes = await Aedes.createBroker({
        ...this.#aedesOptions(),
        persistence: persistence ?? (new IndexedMemoryPersistence() as unknown as NonNullable<AedesOptions['persistence']>),
      });
    } catch (error) {
      if (path === undefined) throw error;
      // An unreadable broker.db (disk error, a foreign file) must not keep
      // the broker down: set it aside for inspection and start empty. Votes
      // are not in it (they are in the journal); retained state is
      // republished by the bridge.
      const aside = `${path}.unreadable-${Date.now()}`;
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
      logger.error(
        { err: (error as Error).message, file: path, movedTo: aside },
        `MQTT broker database ${path} could not be read (${(error as Error).message}): moved to ${aside}, starting with an empty one; durable subscribers' queued messages of before are lost, votes are not`,
      );
      persistence = new SqlitePersistence(path);
      aedes = await Aedes.createBroker({ ...this.#aedesOptions(), persistence });
    }
    this.#aedes = aedes;
    this.#persistence = persistence;
    // Aedes emits 'error' on persistence failures and on a refused stale
    // will; an unhandled 'error' event would kill the bridge.
    (aedes as EventEmitter).on('error', (error: Error) => logger.error({ err: error }, 'MQTT broker error'));
    aedes.on('clientError', (client, error) => this.#refusals.clientError(client?.id ?? '', error));
    aedes.on('connectionError', (client, error) => this.#refusals.clientError(client?.id ?? '', error));
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
      {
        port: this.#ports.port,
        wsPort: this.#ports.wsPort,
        host: this.options.host,
        users: roles,
        anonymous: this.options.anonymous,
        persistence: path ?? 'memory',
        loaded: persistence?.loaded,
      },
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
    this.options.logger.info(
      { path, port },
      `MQTT over WebSocket on ${path} of the web server${port === undefined ? '' : ` (port ${port})`}`,
    );
  }

  /**
   * Publishes on behalf of the broker itself at QoS 1, bypassing the access
   * rules (Aedes `publish`): the hub restores retained state from its archive
   * with it. Resolves when subscribers have it queued.
   */
  publish(topic: string, payload: string, retain: boolean): Promise<void> {
    const aedes = this.#aedes;
    if (!aedes) return Promise.reject(new Error('the broker is not started'));
    return new Promise((done, fail) =>
      aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain, dup: false }, (error?: Error) =>
        error ? fail(error) : done(),
      ),
    );
  }

  /** Counters since `start()`. */
  stats(): EmbeddedBrokerStats {
    return Object.freeze({
      clients: this.#aedes?.connectedClients ?? 0,
      ...this.#refusals.counters,
      queueDropped: this.#persistence?.dropped ?? 0,
    });
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
    if (aedes) this.options.logger.info({ stats: this.#refusals.counters }, 'MQTT broker stopped');
  }

  #aedesOptions(): AedesOptions {
    return {
      drainTimeout: this.options.drainTimeoutMs,
      connectTimeout: this.options.connectTimeoutMs,
      ...aedesHooks({
        options: this.options,
        refusals: this.#refusals,
        principals: this.#principals,
        usernames: this.#usernames,
        signIn: (username, password, clientId) => signIn(this.#accounts, this.#anonymous, username, password, clientId),
        authFailed: (conn) => {
          const address = conn === undefined ? undefined : this.#addresses.get(conn);
          if (address !== undefined) this.#gate?.authFailed(address);
        },
      }),
    };
  }

  #handleSocket(socket: Socket): void {
    const aedes = this.#aedes;
    if (!aedes) {
      socket.destroy();
      return;
    }
    const address = socket.remoteAddress ?? '';
    const guarded = this.#admit(socket, address);
    if (guarded === undefined) return;
    this.#sockets.add(socket);
    // Small QoS 1 packets and their PUBACKs must not wait for Nagle's
    // algorithm to meet the peer's delayed ACK (up to 40 ms per exchange).
    socket.setNoDelay?.(true);
    socket.once('close', () => this.#sockets.delete(socket));
    aedes.handle(guarded);
  }

  /**
   * The door: admits `stream` (cap, rate, penalty after failed sign-ins)
   * and wraps it in the packet-size guard, or destroys it and counts why.
   */
  #admit(stream: Duplex, address: string): MqttFrameGuard | undefined {
    const gate = this.#gate;
    const refusal: GateRefusal | undefined = gate === undefined ? 'too-many-connections' : gate.admit(address);
    if (refusal !== undefined) {
      this.#refusals.counters.connectsThrottled++;
      this.#refusals.refuse({ kind: 'door', clientId: '', username: undefined, reason: `${refusal} (${address})` });
      stream.destroy();
      return undefined;
    }
    stream.once('close', () => gate?.release());
    const guard = new MqttFrameGuard(
      stream,
      { connectBytes: this.options.maxConnectBytes, packetBytes: this.options.maxPacketBytes },
      (reason: FrameRefusal, announced: number) => {
        this.#refusals.counters.packetsRefused++;
        this.#refusals.refuse({
          kind: 'packet',
          clientId: '',
          username: undefined,
          reason: `${reason}: announced ${announced} bytes (${address})`,
        });
      },
    );
    // Aedes listens for 'error' itself; this one keeps a late error from being unhandled after it let go.
    guard.on('error', () => undefined);
    this.#addresses.set(guard, address);
    return guard;
  }

  #attach(server: HttpServer, path: string | undefined): void {
    const handle = (stream: Duplex, req: IncomingMessage): boolean => {
      const aedes = this.#aedes;
      if (aedes === undefined) return false;
      const guarded = this.#admit(stream, req.socket.remoteAddress ?? '');
      if (guarded !== undefined) aedes.handle(guarded, req);
      return true;
    };
    this.#detachers.push(attachMqttWebSocket(server, path, handle, this.options.logger));
  }
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
