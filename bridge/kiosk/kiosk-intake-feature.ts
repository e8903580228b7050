/**
 * The ward bridge's `kiosk-intake` feature: how kiosk votes reach the
 * intake (a persistent-session subscription, or the embedded broker's gate
 * that needs none), what a counted kiosk vote does to the counter's gated
 * boxes, and the timer folding revocations written by `hailong revoke`.
 * Separate from ward-bridge.ts so the kiosk side's start/stop is one unit.
 */
import type { Logger } from 'pino';
import { bridgeClientId } from '../../core/client-id.ts';
import type { Vote } from '../../core/vote.ts';
import type { PlacedTerminal } from '../config/hailong-config.ts';
import type { Journal } from '../journal/journal.ts';
import { secretSuffix } from '../mqtt/client-secret.ts';
import type { BrokerConnection } from '../ward-bridge-options.ts';
import type { KioskIntake } from './kiosk-intake.ts';
import { KioskVoteSubscriber } from './kiosk-vote-subscriber.ts';

/** What `KioskIntakeFeature` wires together. */
export interface KioskIntakeFeatureOptions {
  readonly intake: KioskIntake;
  readonly journal: Journal;
  readonly broker: BrokerConnection;
  readonly ward: { readonly district: string; readonly ward: string };
  /** `broker-gate`: the embedded broker hands kiosk publishes to the intake, so no subscription. */
  readonly kioskVotes: 'subscribe' | 'broker-gate' | undefined;
  /** How often revocations from other processes are folded (ms). */
  readonly syncMs: number;
  /** Called for each stored kiosk vote (the bridge closes gated windows). */
  readonly onStored: (vote: Vote, terminal: PlacedTerminal) => void;
  readonly log: Logger;
}

/** Kiosk votes in, and revocations folded, while started. */
export class KioskIntakeFeature {
  private readonly subscriber: KioskVoteSubscriber | undefined;
  private revocationTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: KioskIntakeFeatureOptions) {
    const { broker, ward } = options;
    this.subscriber =
      options.kioskVotes === 'broker-gate'
        ? undefined
        : new KioskVoteSubscriber({
            intake: options.intake,
            get urls() {
              return typeof broker.urls === 'function' ? broker.urls() : broker.urls;
            },
            // Secret-derived like the link's id: a kiosk login must not be able to take this session over (issue 13, item 7).
            clientId: `${broker.clientId ?? bridgeClientId(ward, secretSuffix(broker.password))}-kiosk-votes`,
            ...(broker.username === undefined ? {} : { username: broker.username }),
            ...(broker.password === undefined ? {} : { password: broker.password }),
            ...(broker.ca === undefined ? {} : { ca: broker.ca }),
            log: options.log,
          });
  }

  /** True when kiosk votes are being taken in: always with the broker gate, once subscribed otherwise. */
  get ready(): boolean {
    return this.subscriber === undefined || this.subscriber.subscribed;
  }

  /** Listens to the intake, subscribes, and starts folding revocations. */
  start(): void {
    // Its tally is republished through the journal's 'tally-changed' (retained-state.ts).
    this.options.intake.on('stored', (vote, terminal) => this.options.onStored(vote, terminal));
    this.subscriber?.start();
    // `hailong revoke` writes to the journal from another process: fold again what it touched
    // (the journal's 'tally-changed' makes retained-state.ts republish those tallies).
    const journal = this.options.journal;
    this.revocationTimer = setInterval(() => {
      if (journal.isOpen) journal.syncRevocations();
    }, this.options.syncMs);
    this.revocationTimer.unref();
  }

  /** Stops the revocation timer and the subscription. */
  async stop(): Promise<void> {
    clearInterval(this.revocationTimer);
    await this.subscriber?.stop();
  }
}
