/**
 * The leader tab's side of MQTT: one client with the kiosk's fixed id,
 * `clean: false` and its last will; on every (re)connect the retained
 * status is published again (a broker may have lost it,
 * Koenkk/zigbee2mqtt#9629) and the outbox is flushed. Tallies are the bridge's (it
 * journals the kiosk's votes): the retained ones are only read, so a kiosk
 * whose storage was wiped never reuses a seq the bridge has seen.
 */
import { checkTallyClaim, parseMessage, parseTopic } from '../../../core/index.ts';
import type { KioskReceipt, LinkState, Publication, Tally, TopicMessage } from '../../../core/index.ts';
import type { KioskOptions } from '../identity/kiosk-options.ts';
import { clientIdOf } from '../identity/kiosk-options.ts';
import type { MqttClientEvents, MqttClientOptions } from '../mqtt/lazy-mqtt-client.ts';
import type { Outbox, ReceiptOutcome } from '../outbox/outbox.ts';
import { Publisher } from './publisher.ts';
import { kioskStatus, kioskSubscriptions, statusPublication } from './terminal-topics.ts';

/** The MQTT client as the kiosk uses it (LazyMqttClient, or a fake in tests). */
export interface LinkClient {
  readonly state: LinkState;
  start(): void;
  stop(beforeDisconnect?: Publication): Promise<void>;
  reconnectNow(): void;
  connectionLost(reason: string): void;
  publish(p: Publication): Promise<void>;
  on<K extends keyof MqttClientEvents>(event: K, listener: MqttClientEvents[K]): () => void;
}

/** What the link reports to the runtime. */
export interface BrokerLinkHooks {
  now(): number;
  /** Problem counters for the status payload. */
  problems(): Readonly<Record<string, number>>;
  onState(state: LinkState): void;
  /** Every received message, raw (the runtime parses it and relays it to other tabs). */
  onMessage(topic: string, payload: string): void;
  onProblem(code: string, detail: string): void;
  /** After a flush round (for the pending count). */
  onFlushed(): void;
}

/** A received message after validation: a typed message, nothing (cleared retained), or a problem. */
export type Incoming =
  | { readonly ok: true; readonly message: TopicMessage }
  | { readonly ok: true; readonly message: undefined }
  | { readonly ok: false; readonly code: string; readonly detail: string };

/** Validates a received message with core parseMessage; never throws. */
export function parseIncoming(topic: string, payload: string): Incoming {
  const parsed = parseMessage(topic, payload);
  if (parsed.ok) return { ok: true, message: parsed.value };
  // An empty payload clears a retained message: keep what we have.
  if (parsed.code === 'empty-payload') return { ok: true, message: undefined };
  const t = parseTopic(topic);
  return { ok: false, code: t.ok ? `bad-${t.value.kind}` : 'bad-topic', detail: `${topic}: ${parsed.message}` };
}

/** The connection of one kiosk. */
export class BrokerLink {
  readonly #options: KioskOptions;
  readonly #outbox: Outbox;
  readonly #installId: string;
  readonly #claimedAt: number | undefined;
  readonly #hooks: BrokerLinkHooks;
  readonly #client: LinkClient;
  readonly #publisher: Publisher;
  readonly #onBrowserOnline = (): void => this.#client.reconnectNow();
  readonly #onBrowserOffline = (): void => this.#client.connectionLost('the browser reports no network');
  /** The `at` of the current connection's will. */
  #connectionAt = 0;
  /** The re-check of the last accepted receipt (`#armRecheck`), if one is due. */
  #recheckTimer: ReturnType<typeof setTimeout> | undefined;
  /** Receipts accepted so far: a re-check that a newer receipt overtook leaves that one's timer alone. */
  #accepted = 0;
  #stopped = false;

  constructor(
    options: KioskOptions,
    createClient: (o: MqttClientOptions) => LinkClient,
    outbox: Outbox,
    installId: string,
    hooks: BrokerLinkHooks,
    claimedAt?: number,
  ) {
    this.#options = options;
    this.#outbox = outbox;
    this.#installId = installId;
    this.#claimedAt = claimedAt;
    this.#hooks = hooks;
    const client = createClient({
      url: options.broker,
      clientId: clientIdOf(options),
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      clean: false,
      // Each connection's will and its "online" share one `at`, so the will
      // ends exactly that online (core mergeStatus: same `at`, offline wins).
      will: () => {
        this.#connectionAt = this.#hooks.now();
        return this.#status('offline', this.#connectionAt);
      },
      subscriptions: kioskSubscriptions(options),
    });
    this.#client = client;
    this.#publisher = new Publisher(
      outbox,
      {
        get online() {
          return client.state === 'online';
        },
        publish: (p: Publication) => client.publish(p),
      },
      { onFlushed: () => hooks.onFlushed(), onError: (error) => hooks.onProblem('publish', String(error)), now: () => hooks.now() },
    );
    client.on('state', (state) => {
      hooks.onState(state);
      if (state === 'online') void this.#online();
    });
    client.on('message', (m) => hooks.onMessage(m.topic, m.payload));
    client.on('problem', (code, detail) => hooks.onProblem(code, detail));
  }

  /** Starts connecting; reconnects at once when the browser reports the network back. */
  start(): void {
    this.#client.start();
    globalThis.addEventListener?.('online', this.#onBrowserOnline);
    globalThis.addEventListener?.('offline', this.#onBrowserOffline);
  }

  /** Flushes the outbox if connected. */
  kick(): Promise<void> {
    return this.#publisher.kick();
  }

  /** Skips the reconnect backoff (staff button). */
  reconnect(): void {
    this.#client.reconnectNow();
  }

  /** Publishes "online" again (e.g. with a new problem counter), for this connection. */
  announce(): void {
    void this.#client
      .publish(this.#status('online', this.#connectionAt))
      .catch((error: unknown) => this.#hooks.onProblem('publish', String(error)));
  }

  /**
   * Merges a retained tally of the bridge into the local one (which raises
   * the seq high-water mark), unless it claims more than a terminal can
   * have pressed: a forged seq must not exhaust the kiosk's seqs (issue 13).
   */
  async mergeTally(remote: Tally): Promise<void> {
    const claim = checkTallyClaim(await this.#outbox.tally(remote.counter, remote.month), remote, this.#hooks.now());
    if (!claim.ok) {
      this.#hooks.onProblem(claim.code, claim.message);
      return;
    }
    await this.#outbox.mergeRemoteTally(remote);
  }

  /**
   * Applies the bridge's receipt (outbox.ts `applyReceipt`): the votes it
   * names leave the outbox; the ones it leaves out are sent again, at once,
   * or, for one PUBACKed within `GAP_GRACE_MS` before it, when that grace
   * has passed and no newer receipt named it (`recheckReceipt`). One for
   * another terminal, or naming a seq above the highest this kiosk sent,
   * changes nothing and is counted.
   */
  async applyReceipt(receipt: KioskReceipt): Promise<void> {
    const o = this.#options;
    if (receipt.district !== o.district || receipt.ward !== o.ward || receipt.counter !== o.counter || receipt.terminal !== o.terminal) {
      this.#hooks.onProblem('receipt-foreign', `a receipt for ${receipt.counter}/${receipt.terminal} is not this kiosk's`);
      return;
    }
    const outcome = await this.#outbox.applyReceipt(receipt.journaled, this.#hooks.now());
    if (!outcome.ok) {
      // An early one is a race (the next receipt, or the resend, settles it), not a problem for staff.
      if (outcome.code === 'receipt-ahead') this.#hooks.onProblem(outcome.code, outcome.message);
      return;
    }
    this.#accepted++;
    this.#settled(outcome, true);
  }

  /** Publishes "offline" (retained) and disconnects cleanly. */
  async stop(): Promise<void> {
    this.#halt();
    globalThis.removeEventListener?.('online', this.#onBrowserOnline);
    globalThis.removeEventListener?.('offline', this.#onBrowserOffline);
    // A clean stop knows when it goes offline: `since` says so (a will cannot).
    const at = this.#hooks.now();
    await this.#client.stop(
      statusPublication(this.#options, {
        ...kioskStatus('offline', at, this.#installId, this.#hooks.problems(), this.#claimedAt),
        since: at,
      }),
    );
  }

  /**
   * Gives the terminal id up to another device (two devices on one kiosk
   * URL): disconnects cleanly WITHOUT publishing "offline", which would
   * overwrite the other device's "online", and without its will.
   */
  async yieldTerminal(): Promise<void> {
    this.#halt();
    globalThis.removeEventListener?.('online', this.#onBrowserOnline);
    globalThis.removeEventListener?.('offline', this.#onBrowserOffline);
    await this.#client.stop();
  }

  // After an accepted receipt (or its re-check): send again what it left out, refresh the counts, arm the re-check.
  #settled(outcome: Extract<ReceiptOutcome, { ok: true }>, arm: boolean): void {
    if (outcome.resend > 0) void this.#publisher.kick();
    if (outcome.done > 0 || outcome.resend > 0) this.#hooks.onFlushed();
    if (arm) this.#armRecheck(outcome.recheckAt);
  }

  // One timer, for the latest accepted receipt only: a newer receipt
  // replaces it (and a newer one naming the votes leaves nothing to re-check).
  // Without it a vote PUBACKed just before the bridge's on-connect receipt
  // (Mosquitto acknowledged it for no one) would wait for the 30 s resend:
  // no later receipt comes for a vote the bridge never received.
  #armRecheck(at: number | undefined): void {
    clearTimeout(this.#recheckTimer);
    this.#recheckTimer = undefined;
    if (at === undefined || this.#stopped) return;
    this.#recheckTimer = setTimeout(
      () => {
        this.#recheckTimer = undefined;
        void this.#recheck();
      },
      Math.max(0, at - this.#hooks.now()),
    );
  }

  async #recheck(): Promise<void> {
    const accepted = this.#accepted;
    // A failed read is left to the sweep's timed resend (kiosk-runtime.ts), as there.
    const outcome = await this.#outbox.recheckReceipt(this.#hooks.now()).catch(() => undefined);
    // A receipt accepted meanwhile armed its own re-check: keep it.
    if (outcome?.ok === true && !this.#stopped) this.#settled(outcome, accepted === this.#accepted);
  }

  #halt(): void {
    this.#stopped = true;
    clearTimeout(this.#recheckTimer);
    this.#recheckTimer = undefined;
  }

  #status(state: 'online' | 'offline', at: number = this.#hooks.now()): Publication<'status'> {
    return statusPublication(this.#options, kioskStatus(state, at, this.#installId, this.#hooks.problems(), this.#claimedAt));
  }

  // After every (re)connect: retained status again, then the outbox.
  async #online(): Promise<void> {
    await this.#client
      .publish(this.#status('online', this.#connectionAt))
      .catch((error: unknown) => this.#hooks.onProblem('publish', String(error)));
    await this.#publisher.kick();
  }
}
