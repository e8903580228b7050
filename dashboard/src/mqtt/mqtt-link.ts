/**
 * The real link: MQTT.js over WebSocket, loaded LAZILY (dynamic import) —
 * it is the heaviest chunk of the dashboard, and the first paint from the
 * cache must not wait for it. MQTT 3.1.1 (Aedes has no MQTT 5, NATS's
 * MQTT gateway speaks 3.1.1 only: docs/PROVINCE.md), QoS 1 subscription, clean session: the retained
 * tallies/statuses/office give the whole state on every (re)connect, and
 * the store dedupes whatever QoS 1 delivers twice.
 */
import { isCredentialRefusal, mqttJsOptions } from '../../../core/index.ts';
import type { ConnectLink, Link, LinkHandlers, LinkOptions } from './link.ts';

/** Seconds between reconnect attempts. */
const RECONNECT_MS = 2000;

/** Connects with MQTT.js; see `ConnectLink`. */
export const connectMqtt: ConnectLink = (options: LinkOptions, handlers: LinkHandlers): Link => {
  let closed = false;
  let client:
    | { end(force?: boolean): unknown; subscribe(filter: string[], options: { qos: 1 }, callback: () => void): unknown }
    | undefined;
  // Filters added before MQTT.js loaded; subscribed with the first ones.
  const later: string[] = [];
  // Their callbacks, run at the first SUBACK.
  let laterDone: (() => void)[] = [];
  handlers.onState('connecting');
  import('mqtt')
    .then(({ default: mqtt }) => {
      if (closed) return;
      const c = mqtt.connect(options.url, {
        // The connect options both browser apps build the same way (core/broker-link.ts).
        // A refused CONNACK (wrong password) will not pass by retrying: MQTT.js stays
        // down (its README, `reconnectOnConnackError`); the sign-in form takes over.
        ...mqttJsOptions({
          clientId: `hailong-dash-${Math.random().toString(36).slice(2, 10)}`,
          clean: true,
          ...(options.username === undefined ? {} : { username: options.username }),
          ...(options.password === undefined ? {} : { password: options.password }),
          keepaliveSec: 30,
          connectTimeoutMs: 8000,
          reconnectMs: RECONNECT_MS,
        }),
        // Rescheduling the ping timer on every packet sent costs a
        // clearTimeout + setTimeout per PUBACK; a fixed 30 s ping is enough.
        reschedulePings: false,
        resubscribe: true,
      });
      client = c;
      c.on('connect', () => {
        const filters = [...(typeof options.filter === 'string' ? [options.filter] : options.filter), ...later];
        c.subscribe(filters, { qos: 1 }, (error, granted) => {
          if (closed) return;
          // SUBACK 0x80: the account may not read this scope.
          if (error || granted?.some((g) => g.qos === 128)) handlers.onState('refused', 'subscribe');
          else handlers.onState('online');
          const done = laterDone;
          laterDone = [];
          for (const f of done) f();
        });
      });
      c.on('message', (topic, payload, packet) => {
        if (!closed) handlers.onMessage(topic, payload, packet.retain);
      });
      c.on('reconnect', () => !closed && handlers.onState('connecting'));
      c.on('offline', () => !closed && handlers.onState('offline'));
      c.on('close', () => !closed && handlers.onState('offline'));
      // MQTT.js emits 'error' for refused CONNACKs and socket errors; without a listener it would throw.
      c.on('error', (error: Error & { code?: number }) => {
        if (closed) return;
        if (typeof error.code === 'number' && isCredentialRefusal(error.code)) handlers.onState('refused', 'auth');
        else handlers.onState('offline', error.message);
      });
    })
    .catch((error: unknown) => {
      // The chunk itself could not load (offline on a first visit).
      if (!closed) handlers.onState('offline', String(error));
    });
  return {
    close() {
      closed = true;
      client?.end(true);
    },
    subscribe(filter, onSubscribed) {
      const filters = typeof filter === 'string' ? [filter] : [...filter];
      // MQTT.js re-subscribes it after a reconnect (`resubscribe: true`).
      if (client === undefined) {
        later.push(...filters);
        if (onSubscribed !== undefined) laterDone.push(onSubscribed);
      } else client.subscribe(filters, { qos: 1 }, () => !closed && onSubscribed?.());
    },
  };
};
