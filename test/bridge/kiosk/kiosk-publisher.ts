/**
 * A test stand-in for the kiosk's MQTT side: it publishes votes on the
 * kiosk's own topic at QoS 1 the way the kiosk's outbox does (oldest first,
 * a vote is done only on its PUBACK, anything else is sent again), with
 * mqtt.js instead of the kiosk's browser client.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { clientIdSuffix, kioskClientId } from '../../../core/client-id.ts';
import { publicationFor } from '../../../core/topic-payload.ts';
import { voteId, type Vote } from '../../../core/vote.ts';

/** Where the rig's kiosk sits. */
export const KIOSK = { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'kiosk-1' } as const;

/** A valid kiosk vote with seq `seq`. */
export function kioskVote(seq: number, over: Partial<Vote> = {}): Vote {
  const pressedAt = Date.now();
  return {
    v: 1,
    id: voteId(KIOSK.terminal, seq),
    ...KIOSK,
    seq,
    level: seq % 4 === 0 ? 'khong-hai-long' : 'rat-hai-long',
    pressedAt,
    receivedAt: pressedAt,
    source: 'touch',
    ...over,
  };
}

/** Options of `KioskPublisher`. */
export interface KioskPublisherOptions {
  readonly username?: string;
  readonly password?: string;
  /**
   * Connect with the kiosk's own client id, as a real kiosk does (the
   * embedded broker accepts no other for a kiosk account).
   * @default true when a username is given
   */
  readonly ownClientId?: boolean;
  /** Wait for one PUBACK before sending the vote again. @default 2000 */
  readonly ackTimeoutMs?: number;
}

/** Publishes votes until each one is acknowledged, across broker and bridge restarts. */
export class KioskPublisher {
  readonly client: MqttClient;
  /** Publishes sent, resends included. */
  sent = 0;

  constructor(
    url: string,
    readonly options: KioskPublisherOptions = {},
  ) {
    this.client = mqtt.connect(url, {
      // Signed in as the kiosk, only its own client id is accepted (issue 13, item 7), as the real kiosk uses.
      clientId:
        (options.ownClientId ?? options.username !== undefined)
          ? kioskClientId(KIOSK, clientIdSuffix(options.password))
          : `kiosk-test-${Math.random().toString(16).slice(2)}`,
      clean: true,
      reconnectPeriod: 200,
      connectTimeout: 2000,
      ...(options.username === undefined ? {} : { username: options.username, password: options.password }),
    });
    this.client.on('error', () => undefined);
  }

  /** Resolves once `vote` is acknowledged (sending it again as often as needed). */
  async deliver(vote: Vote, deadlineMs = 60_000): Promise<void> {
    const p = publicationFor('vote', vote, vote);
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`vote ${vote.id} was never acknowledged`);
      if (!this.client.connected) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      this.sent += 1;
      const acked = await Promise.race([
        this.client.publishAsync(p.topic, p.payload, { qos: 1 }).then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((r) => setTimeout(() => r(false), this.options.ackTimeoutMs ?? 2000)),
      ]);
      if (acked) return;
    }
  }

  /** Publishes a raw payload once (hostile input); resolves when acknowledged or after `waitMs`. */
  async raw(topic: string, payload: string | Buffer, waitMs = 1000, retain = false): Promise<'puback' | 'no-ack'> {
    await until(() => this.client.connected, 5000);
    return Promise.race([
      this.client.publishAsync(topic, payload, { qos: 1, retain }).then(
        () => 'puback' as const,
        () => 'no-ack' as const,
      ),
      new Promise<'no-ack'>((r) => setTimeout(() => r('no-ack'), waitMs)),
    ]);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('not connected');
    await new Promise((r) => setTimeout(r, 20));
  }
}
