/**
 * The kiosk runtime: ties the pure terminal machine to the durable outbox,
 * the MQTT link and the views. Every adapter is passed in (`KioskDeps`), so
 * tests inject fakes at the seams.
 *
 * The promise to the citizen: a tap is committed to the outbox (IndexedDB)
 * BEFORE the thank-you screen appears; taps are processed one at a time in
 * order, so seqs follow taps.
 *
 * This module sequences; the vote's fields (vote-record.ts), the spoken
 * prompts (kiosk-speech.ts), the duplicate-device decision (device-claim.ts),
 * the problem counters (kiosk-problems.ts), what is kept across reloads
 * (kiosk-memory.ts), what a heard config, `_served`, session or office does
 * to the screen (heard-messages.ts) and the after-paint scheduling
 * (after-paint.ts) are in their own modules.
 */
import { cleanDossierCode, DEFAULT_STAGE, DUPLICATE_DEVICE, scaleKeys } from '../../../core/index.ts';
import type { LevelKey, Session, Status, TerminalConfig, TopicMessage } from '../../../core/index.ts';
import type { KioskOptions } from '../identity/kiosk-options.ts';
import type { Outbox } from '../outbox/outbox.ts';
import * as machine from '../terminal/terminal-machine.ts';
import type { TerminalState } from '../terminal/terminal-machine.ts';
import type { Leadership, TabMessage } from './leadership.ts';
import { BrokerLink, parseIncoming } from './broker-link.ts';
import { afterPaint } from './after-paint.ts';
import { claimOutcome, claimProblem } from './device-claim.ts';
import { problemPatch } from './kiosk-problems.ts';
import { recall, remember } from './kiosk-memory.ts';
import { snapshotAfter } from './heard-messages.ts';
import { initialSnapshot, officeNames, type KioskDeps, type KioskSnapshot } from './kiosk-snapshot.ts';
import { settingsFrom } from './kiosk-settings.ts';
import { announcement, questionSpeech } from './kiosk-speech.ts';
import { storeEffect } from './vote-record.ts';

export type { LinkClient } from './broker-link.ts';
export type { KioskDeps, KioskSnapshot } from './kiosk-snapshot.ts';

/** How often the leader sweeps (expired drafts, flush, stats) without being asked. */
const SWEEP_MS = 5000;
/** Acknowledged votes are kept this long for the staff page, then pruned. */
const KEEP_DONE_MS = 7 * 86_400_000;

/** One kiosk terminal. `start()` once, `stop()` when the element leaves the page. */
export class KioskRuntime {
  readonly options: KioskOptions;
  readonly #deps: KioskDeps;
  #snapshot: KioskSnapshot;
  #listeners = new Set<(s: KioskSnapshot) => void>();
  #outbox: Outbox | undefined;
  #link: BrokerLink | undefined;
  #tabs: Leadership | undefined;
  #config: TerminalConfig | undefined;
  #session: Session | undefined;
  #installId = '';
  /** When this device (this browser's storage) first took this terminal id. */
  #claimedAt: number | undefined;
  #queue: Promise<void> = Promise.resolve();
  #tickTimer: ReturnType<typeof setTimeout> | undefined;
  #sweepTimer: ReturnType<typeof setInterval> | undefined;
  #faultTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(options: KioskOptions, deps: KioskDeps) {
    this.options = options;
    this.#deps = deps;
    this.#snapshot = initialSnapshot(options);
  }

  /** The current snapshot. */
  get snapshot(): KioskSnapshot {
    return this.#snapshot;
  }

  /** Subscribes to snapshots; returns the unsubscribe function. */
  subscribe(listener: (s: KioskSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Opens the outbox, restores config and session, joins the other tabs and (as leader) connects. */
  async start(): Promise<void> {
    const o = this.options;
    void globalThis.navigator?.storage?.persist?.().catch(() => false);
    let outbox: Outbox;
    try {
      outbox = await this.#deps.openOutbox(o);
    } catch (error) {
      this.#problem('storage', `IndexedDB cannot be opened: ${String(error)}`);
      return;
    }
    if (this.#stopped) {
      outbox.close();
      return;
    }
    this.#outbox = outbox;
    const kept = await recall(outbox, this.#deps.now());
    this.#config = kept.config;
    this.#session = kept.session;
    this.#installId = kept.installId;
    this.#claimedAt = kept.claimedAt;
    const office = kept.office;
    await this.#sweep();
    await outbox.prune(this.#deps.now() - KEEP_DONE_MS);
    this.#update({
      ready: true,
      terminal: machine.configure(this.#snapshot.terminal, settingsFrom(this.#config, o)),
      ...(office === undefined ? {} : officeNames(office, o.counter)),
      ...(this.#session?.name === undefined ? {} : { officerName: this.#session.name }),
    });
    this.#tabs = this.#deps.joinTabs(
      `hailong-kiosk/${o.district}/${o.ward}/${o.terminal}`,
      () => this.#lead(),
      (m) => this.#onTab(m),
    );
    this.#sweepTimer = setInterval(() => void this.#sweep(), SWEEP_MS);
  }

  /** Stops timers, publishes "offline" and disconnects, closes the outbox. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#tickTimer);
    clearInterval(this.#sweepTimer);
    clearTimeout(this.#faultTimer);
    this.#deps.voice.cancel();
    await this.#queue.catch(() => undefined);
    await this.#link?.stop();
    this.#tabs?.close();
    this.#outbox?.close();
  }

  /** A citizen tapped a level. Stored before anything else is shown. */
  tap(level: LevelKey): Promise<void> {
    // Yielded to another device: its votes would share this terminal's ids.
    if (this.#snapshot.conflict !== undefined) return Promise.resolve();
    const now = this.#deps.now();
    globalThis.performance?.mark?.('hailong:tap');
    if (this.#snapshot.scanRefused !== undefined) {
      const { scanRefused: _shown, ...rest } = this.#snapshot;
      this.#snapshot = rest;
    }
    return this.#enqueue(async () => {
      const step = machine.tap(this.#snapshot.terminal, level, now);
      await this.#apply(step);
    });
  }

  /**
   * A dossier code read from the receipt (USB scanner or camera). Returns
   * false, changing nothing, when the text is not a dossier code (the
   * screen says so); the code then waits for the citizen's next vote.
   */
  scan(raw: string): boolean {
    const code = cleanDossierCode(raw);
    if (code === undefined) {
      this.#update({ scanRefused: raw.slice(0, 48) });
      return false;
    }
    const { scanRefused: _old, ...rest } = this.#snapshot;
    this.#snapshot = rest;
    this.#update({ terminal: machine.scan(this.#snapshot.terminal, this.#deps.now(), code, this.options.stage ?? DEFAULT_STAGE) });
    return true;
  }

  /** Toggles a reason on the follow-up screen. */
  toggleReason(reason: string): void {
    const step = machine.toggleReason(this.#snapshot.terminal, reason, this.#deps.now());
    if (step.state !== this.#snapshot.terminal) this.#update({ terminal: step.state });
  }

  /** Sends (or skips) the follow-up. */
  finishReasons(skip: boolean): Promise<void> {
    return this.#enqueue(() => this.#apply(machine.finishReasons(this.#snapshot.terminal, this.#deps.now(), skip)));
  }

  /** Citizen toggle: large text and high contrast. */
  toggleContrast(): void {
    this.#update({ contrast: !this.#snapshot.contrast });
  }

  /** Citizen toggle: spoken prompts; turning it on reads the question at once. */
  toggleVoice(): void {
    const voice = !this.#snapshot.voice;
    this.#update({ voice });
    if (voice) this.speakQuestion();
    else this.#deps.voice.cancel();
  }

  /** Reads the question and the choices aloud (when voice is on). */
  speakQuestion(): void {
    this.#say(questionSpeech(this.#snapshot.terminal, this.options.lang, this.#deps.now()));
  }

  /** Staff: reconnect now (skips the backoff wait); after giving way to another device, try again. */
  reconnect(): void {
    if (this.#snapshot.conflict !== undefined && this.#snapshot.leader && !this.#stopped) {
      const { conflict: _gone, ...rest } = this.#snapshot;
      this.#snapshot = rest;
      this.#emit();
      this.#lead();
      return;
    }
    this.#link?.reconnect();
  }

  #say(text: string): void {
    if (this.#snapshot.voice) this.#deps.voice.speak(text, this.options.lang);
  }

  #enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(job, job);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #emit(): void {
    for (const l of this.#listeners) l(this.#snapshot);
  }

  #update(patch: Partial<KioskSnapshot>): void {
    this.#set({ ...this.#snapshot, ...patch });
  }

  /** Shows `next`: a new terminal state is announced and its deadline scheduled. */
  #set(next: KioskSnapshot): void {
    const before = this.#snapshot.terminal;
    this.#snapshot = next;
    if (next.terminal !== before) {
      this.#announce(before, next.terminal);
      this.#schedule();
    }
    this.#emit();
  }

  // Spoken prompts on screen changes (only when voice is on).
  #announce(before: TerminalState, after: TerminalState): void {
    const text = announcement(before, after, this.options.lang);
    if (text !== undefined) this.#say(text);
    if (after.screen.kind === 'rate' && before.screen.kind === 'thanks') {
      // Idle reset: the next citizen starts with the configured display.
      this.#snapshot = { ...this.#snapshot, contrast: this.options.contrast, voice: this.options.voice };
    }
  }

  #schedule(): void {
    clearTimeout(this.#tickTimer);
    const due = machine.nextDeadline(this.#snapshot.terminal);
    if (due === undefined || this.#stopped) return;
    this.#tickTimer = setTimeout(
      () => {
        void this.#enqueue(() => this.#apply(machine.tick(this.#snapshot.terminal, this.#deps.now())));
      },
      Math.max(0, due - this.#deps.now()),
    );
  }

  // Performs a step's effects durably, then shows its state. A failed store
  // shows a fault instead: a citizen is never thanked for a vote not stored.
  async #apply(step: machine.Step): Promise<void> {
    let state = step.state;
    try {
      for (const effect of step.effects) {
        const seq = await this.#perform(effect);
        if (effect.type === 'record' && effect.record.draft && seq !== undefined) state = machine.draftStored(state, seq);
      }
    } catch (error) {
      this.#problem('store-failed', String(error));
      clearTimeout(this.#faultTimer);
      this.#faultTimer = setTimeout(() => this.#update({ fault: false }), state.settings.noticeMs);
      this.#update({ fault: true });
      return;
    }
    this.#update({ terminal: state, fault: false });
    if (step.effects.length > 0) this.#afterStore();
  }

  #perform(effect: machine.Effect): Promise<number | undefined> {
    const outbox = this.#outbox;
    if (outbox === undefined) throw new Error('the outbox is not open yet');
    return storeEffect(outbox, this.options, this.#session, effect, this.#deps.now());
  }

  // After the thank-you is shown: tell the other tabs; once it is painted,
  // fold the tally and flush. The flush runs MQTT.js on this thread (packet
  // encoding, the WebSocket send, the PUBACK): it must not delay the frame
  // that thanks the citizen (tap → thank-you painted ≤ 100 ms, bench/kiosk-tap.bench.ts).
  #afterStore(): void {
    this.#tabs?.post({ type: 'recorded' });
    afterPaint(() => void this.#foldAndFlush());
  }

  async #foldAndFlush(): Promise<void> {
    const outbox = this.#outbox;
    if (outbox === undefined || this.#stopped) return;
    try {
      await outbox.fold(scaleKeys(this.#snapshot.terminal.settings.scale));
    } catch (error) {
      this.#problem('fold-failed', String(error)); // retried by the next sweep; the votes are safe
    }
    void this.#link?.kick();
    await this.#refreshStats();
  }

  async #refreshStats(): Promise<void> {
    const stats = await this.#outbox?.stats().catch(() => undefined);
    if (stats !== undefined && !this.#stopped) this.#update({ stats });
  }

  // Periodic work: drafts of killed tabs are finalised (the vote counts
  // either way), sent votes no receipt confirmed in time are sent again,
  // the outbox is flushed, the stats refreshed.
  async #sweep(): Promise<void> {
    const outbox = this.#outbox;
    if (outbox === undefined || this.#stopped) return;
    const current = this.#snapshot.terminal.screen;
    // Never finalise the draft this tab is still showing; its own timer does that.
    const mine = current.kind === 'reasons' ? current.draft : 0;
    await outbox.finalizeExpired(this.#deps.now() - (mine > 0 ? this.options.reasonTimeoutMs : 0)).catch(() => 0);
    // Only the leader sends: another tab's requeue would wait for its flush anyway.
    if (this.#snapshot.leader) await outbox.requeueUnconfirmed(this.#deps.now()).catch(() => 0);
    await this.#foldAndFlush();
  }

  #lead(): void {
    const outbox = this.#outbox;
    if (this.#stopped || outbox === undefined) return;
    const link = new BrokerLink(
      this.options,
      (o) => this.#deps.createClient(o),
      outbox,
      this.#installId,
      {
        now: () => this.#deps.now(),
        problems: () => this.#snapshot.problems,
        onState: (state) => this.#update({ link: state }),
        onMessage: (topic, payload) => {
          this.#tabs?.post({ type: 'mqtt', topic, payload });
          void this.#onMqtt(topic, payload, true);
        },
        onProblem: (code, detail) => this.#problem(code, detail),
        onFlushed: () => void this.#refreshStats(),
      },
      this.#claimedAt,
    );
    this.#link = link;
    this.#update({ leader: true });
    link.start();
  }

  #onTab(m: TabMessage): void {
    if (m.type === 'recorded') void this.#foldAndFlush();
    else if (!this.#snapshot.leader) void this.#onMqtt(m.topic, m.payload, false);
  }

  async #onMqtt(topic: string, payload: string, leader: boolean): Promise<void> {
    const incoming = parseIncoming(topic, payload);
    if (!incoming.ok) this.#problem(incoming.code, incoming.detail);
    else if (incoming.message !== undefined) await this.#onMessage(incoming.message, leader);
  }

  async #onMessage(m: TopicMessage, leader: boolean): Promise<void> {
    const outbox = this.#outbox;
    const now = this.#deps.now();
    switch (m.kind) {
      case 'config':
      case 'served':
      case 'session':
      case 'office': {
        if (m.kind === 'config') this.#config = m.payload;
        if (m.kind === 'session') this.#session = m.payload;
        // The leader keeps what it heard for the next start (only it writes the outbox's meta).
        if (leader && outbox !== undefined && m.kind !== 'served') await remember(outbox, m.kind, m.payload);
        const next = snapshotAfter(this.#snapshot, m, now, this.options);
        if (next !== undefined) this.#set(next);
        return;
      }
      case 'tally': {
        if (leader) await this.#link?.mergeTally(m.payload);
        return;
      }
      case 'receipt': {
        if (leader) await this.#link?.applyReceipt(m.payload);
        return;
      }
      case 'status': {
        if (leader) await this.#onClaim(m.payload, now);
        return;
      }
      default:
        return; // not subscribed
    }
  }

  /**
   * Our own status topic: an "online" of another device means two devices
   * were opened on this kiosk's URL. They share the MQTT client id, so the
   * broker keeps knocking one off for the other (issue 12: 46 flips in 20 s).
   * The earlier claim keeps the terminal (core keepsTerminal); the later one
   * disconnects and shows why, until staff retry.
   */
  async #onClaim(status: Status, now: number): Promise<void> {
    if (this.#snapshot.conflict !== undefined) return;
    const outcome = claimOutcome(status, now, this.#installId, this.#claimedAt);
    if (outcome.action === 'ignore') return;
    this.#problem(DUPLICATE_DEVICE, claimProblem(outcome, this.options.terminal));
    if (outcome.action === 'keep') {
      this.#link?.announce(); // the dashboard sees the conflict in our status
      return;
    }
    const link = this.#link;
    this.#link = undefined;
    this.#update({ conflict: { otherUid: outcome.other, at: now }, link: 'offline' });
    await link?.yieldTerminal();
    this.#update({ link: 'offline' });
  }

  #problem(code: string, detail: string): void {
    this.#update(problemPatch(this.#snapshot, code, detail, this.#deps.now()));
  }
}
