/**
 * The embedded broker's Aedes hooks: `authenticate`, `authorizePublish`
 * (with the publish gate, the interceptor and the per-topic payload limit),
 * `authorizeSubscribe` and `authorizeForward`, applying hailong's access
 * rules (access.ts) and reporting every refusal (broker-refusals.ts).
 *
 * Separate from embedded-broker.ts because these decide what each client
 * may do, whereas the broker only owns listeners and the Aedes lifecycle.
 */
// First: the packages below create their debug loggers as they load (debug-silencer.ts says why).
import '../debug-silencer.ts';
import type { AedesOptions, Client } from 'aedes';
import { payloadLimitOf } from '../../core/payload-limit.ts';
import { canPublish, canRead, canSubscribe, filterProblem, publishTopicProblem, type Principal } from './access.ts';
import type { BrokerRefusals } from './broker-refusals.ts';
import { CONNACK_IDENTIFIER_REJECTED, type SignInOutcome } from './broker-sign-in.ts';
import type { ResolvedEmbeddedBrokerOptions } from './embedded-broker-options.ts';
import { MqttFrameGuard } from './mqtt-frame-guard.ts';

/** What the hooks need from their broker. */
export interface AedesHookContext {
  readonly options: ResolvedEmbeddedBrokerOptions;
  readonly refusals: BrokerRefusals;
  /** Principal of each signed-in client. */
  readonly principals: WeakMap<Client, Principal>;
  /** Username each client gave, for refusal logs. */
  readonly usernames: WeakMap<Client, string>;
  /** Checks a CONNECT's credentials and client id (broker-sign-in.ts). */
  signIn(username: string | undefined, password: Buffer | undefined, clientId: string): SignInOutcome;
  /** A sign-in failed on connection `conn` (the stream Aedes sees as `client.conn`): penalise its address. */
  authFailed(conn: object | undefined): void;
}

/** The access hooks of the Aedes options, bound to `ctx`. */
export type AedesHooks = Required<Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>>;

/** Builds the Aedes access hooks of one broker. */
export function aedesHooks(ctx: AedesHookContext): AedesHooks {
  const { options, refusals, principals, usernames } = ctx;

  /** Refuses a publish the gate turned down: counted, then the client is disconnected (MQTT 3.1.1 has no PUBACK refusal). */
  const refusePublish = (client: Client | null, topic: string, reason: string, done: (error: Error | null) => void): void => {
    refusals.counters.publishesRefused++;
    refusals.refuse({ kind: 'publish', clientId: client?.id ?? '', username: client ? usernames.get(client) : undefined, topic, reason });
    done(refusals.own(new Error(`publish on ${JSON.stringify(topic.slice(0, 300))} refused: ${reason}`)));
  };

  return {
    authenticate: (client, username, password, done) => {
      const outcome = ctx.signIn(username, password, client.id);
      if (username !== undefined) usernames.set(client, username);
      const conn = (client as Client & { conn?: object }).conn;
      if ('principal' in outcome) {
        principals.set(client, outcome.principal);
        refusals.counters.connectsAccepted++;
        if (conn instanceof MqttFrameGuard) conn.authenticated();
        done(null, true);
        return;
      }
      refusals.counters.connectsRefused++;
      if (outcome.code === CONNACK_IDENTIFIER_REJECTED) refusals.counters.clientIdsRefused++;
      ctx.authFailed(conn);
      refusals.refuse({ kind: 'connect', clientId: client.id, username, reason: outcome.reason });
      const error = refusals.own(Object.assign(new Error(outcome.reason), { returnCode: outcome.code }));
      done(error as Parameters<typeof done>[0], false);
    },
    authorizePublish: (client, packet, done) => {
      const principal = client ? principals.get(client) : undefined;
      // Aedes asks here for the last will too, with the very packet it stored (lib/client.js).
      const isWill = client === null || (client as Client & { will?: unknown }).will === packet;
      const allowed = principal !== undefined && canPublish(principal, packet.topic);
      // Item 8 of issue 13: a payload larger than its topic allows is never relayed to subscribers.
      const limit = allowed ? payloadLimitOf(packet.topic) : undefined;
      const size = packet.payload?.length ?? 0;
      const tooLarge = limit !== undefined && size > limit.maxBytes;
      if (principal !== undefined && allowed && !tooLarge) {
        // Aedes sends the PUBACK only after done(null): the gate (a ward's kiosk
        // intake) and the interceptor (a hub's archive) commit first.
        const intercept = isWill ? undefined : options.interceptPublish;
        const forward = (): void => {
          if (intercept === undefined) {
            done(null);
            return;
          }
          intercept(principal, packet.topic, packet.payload as Buffer).then(
            ({ verdict, payload }) => {
              if (verdict !== 'forward') packet.retain = false;
              // A `$` topic matches no subscription and no grant: acknowledged, delivered to nobody.
              if (verdict === 'drop') packet.topic = '$hailong/dropped';
              if (payload !== undefined) packet.payload = Buffer.from(payload);
              done(null);
            },
            (error: Error) => done(error),
          );
        };
        const gated = isWill ? undefined : options.publishGate?.(principal, packet.topic, packet.payload as Buffer);
        if (gated === undefined) {
          forward();
          return;
        }
        void gated.then(
          (refusal) => (refusal === undefined ? forward() : refusePublish(client, packet.topic, refusal, done)),
          (error: unknown) => refusePublish(client, packet.topic, `the bridge could not take it: ${String(error)}`, done),
        );
        return;
      }
      if (tooLarge) refusals.counters.payloadsTooLarge++;
      const reason = tooLarge
        ? `a ${limit.kind} payload of ${size} bytes is larger than the ${limit.maxBytes} bytes allowed`
        : principal === undefined
          ? 'the client is not signed in'
          : (publishTopicProblem(packet.topic) ?? `${describe(principal)} may not publish here`);
      if (isWill) refusals.counters.willsRefused++;
      else refusals.counters.publishesRefused++;
      refusals.refuse({
        kind: isWill ? 'will' : 'publish',
        clientId: client?.id ?? '',
        username: client ? usernames.get(client) : undefined,
        topic: packet.topic,
        reason,
      });
      done(refusals.own(new Error(`publish on ${JSON.stringify(String(packet.topic).slice(0, 300))} refused: ${reason}`)));
    },
    authorizeSubscribe: (client, subscription, done) => {
      const principal = principals.get(client);
      if (principal !== undefined && canSubscribe(principal, subscription.topic)) {
        done(null, subscription);
        return;
      }
      refusals.counters.subscribesRefused++;
      refusals.refuse({
        kind: 'subscribe',
        clientId: client.id,
        username: usernames.get(client),
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
      const principal = principals.get(client);
      if (principal !== undefined && canRead(principal, packet.topic)) return packet;
      refusals.counters.deliveriesFiltered++;
      return null;
    },
  };
}

function describe(principal: Principal): string {
  if (principal.role === 'anonymous') return 'an anonymous client';
  return `${principal.role} ${principal.username}`;
}
