/**
 * The dashboard's state: a PURE store fed with raw MQTT messages (topic +
 * payload bytes) by a thin adapter, so tests inject messages at the seam.
 * Every message goes through core `parseMessage`; a bad one is counted in
 * `rejects` and changes nothing. Tallies are merged with core `mergeTally`
 * (a max over a total order), votes deduped by `voteKey`, and the other
 * retained state kept as greatest-wins registers — so every figure is the
 * same however the messages were duplicated or reordered.
 */
import {
  DUPLICATE_DEVICE,
  checkTallyClaim,
  compareUnitMonths,
  counterKey,
  mergeTally,
  unitMonthKey,
  parseMessage,
  parsePayload,
  tallyKey,
  terminalKey,
  voteKey,
  wardKey,
} from '../../../core/index.ts';
import type { Office, Session, Status, Tally, TerminalConfig, TopicKind, TopicMessage, UnitMonth, Vote } from '../../../core/index.ts';
import { LatestMap, compareOffice, compareOfficerName, compareSession, compareStatus, type OfficerName } from './latest.ts';
import { RejectLog } from './rejects.ts';
import { VoteLog } from './vote-log.ts';

/** Online claims kept per terminal. */
const CLAIMS_KEPT = 8;

/** Window in which alternating devices on one terminal id count as a conflict (ms). */
export const DEVICE_CONFLICT_MS = 5 * 60_000;

/** Longest payload decoded at all, in bytes: above the largest core limit (tallies, 1,000,000 chars). */
export const MAX_PAYLOAD_BYTES = 4_000_000;

/** What one message did. `ward`/`counter` are place keys (`d/w`, `d/w/c`) of what changed. */
export type ApplyOutcome =
  | {
      readonly ok: true;
      readonly kind: TopicKind;
      /** False for duplicates and for messages older than what is held. */
      readonly changed: boolean;
      readonly ward: string;
      readonly counter?: string;
      /** Key of the item in its map (`tallyKey`, `voteKey`, `d/w/c/t`, `d/w/c`, `d/w`). */
      readonly key: string;
      /** The vote, when a NEW vote was added (drives the pulse). */
      readonly vote?: Vote;
    }
  | { readonly ok: false; readonly code: string; readonly message: string }
  | { readonly ok: 'cleared' };

/** Everything the cache persists; every field is re-validated on `hydrate`. */
export interface StoreSnapshot {
  readonly tallies: readonly unknown[];
  readonly statuses: readonly (readonly [string, unknown])[];
  readonly bridges: readonly (readonly [string, unknown])[];
  readonly sessions: readonly (readonly [string, unknown])[];
  readonly offices: readonly unknown[];
  readonly officerNames: readonly (readonly [string, unknown])[];
  readonly votes: readonly unknown[];
}

/** Message statistics shown in the diagnostics panel. */
export interface StoreStats {
  messages: number;
  applied: number;
  duplicates: number;
  cleared: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(payload: unknown): { ok: true; text: unknown } | { ok: false; code: string; message: string } {
  if (typeof payload === 'string') return { ok: true, text: payload };
  if (payload instanceof Uint8Array) {
    if (payload.byteLength > MAX_PAYLOAD_BYTES) {
      return { ok: false, code: 'too-large', message: `payload is ${payload.byteLength} bytes, at most ${MAX_PAYLOAD_BYTES}` };
    }
    try {
      return { ok: true, text: utf8.decode(payload) };
    } catch {
      return { ok: false, code: 'bad-utf8', message: 'payload is not valid UTF-8' };
    }
  }
  return { ok: false, code: 'bad-type', message: `payload must be text or bytes, got ${typeof payload}` };
}

/** The pure dashboard store. */
export class DashboardStore {
  /** One tally per terminal-month, keyed by `tallyKey`. */
  readonly tallies = new Map<string, Tally>();
  /** Tally keys per ward key, for the office view. */
  readonly #wardTallies = new Map<string, Set<string>>();
  /** Terminal ids seen per counter key (tallies and statuses), for tiles. */
  readonly #counterTerminals = new Map<string, Set<string>>();
  /** Terminal statuses by `d/w/c/t`. */
  readonly statuses = new LatestMap<Status>(compareStatus);
  /** The latest "online" claims (device uid, `at`) per `d/w/c/t`, to see two devices on one terminal id. */
  readonly #claims = new Map<string, { uid: string; at: number }[]>();
  /** Bridge statuses by `d/w`. */
  readonly bridges = new LatestMap<Status>(compareStatus);
  /** A hub's unit summaries by `d/w/YYYY-MM` (core/unit-month.ts): the parent view's figures. */
  readonly unitMonths = new LatestMap<UnitMonth>(compareUnitMonths);
  /** Officer sessions by `d/w/c`. */
  readonly sessions = new LatestMap<Session>(compareSession);
  /** Office metadata by `d/w`. */
  readonly offices = new LatestMap<Office>(compareOffice);
  /** Officer display names by `d/w/officer`. */
  readonly officerNames = new LatestMap<OfficerName>(compareOfficerName);
  /** Terminal configs by `d/w/c/t` (display only; the last received wins: configs carry no time). */
  readonly configs = new Map<string, TerminalConfig>();
  readonly votes: VoteLog;
  readonly rejects = new RejectLog();
  readonly stats: StoreStats = { messages: 0, applied: 0, duplicates: 0, cleared: 0 };
  /** Clock for rejection times (injected by tests). */
  readonly #now: () => number;

  constructor(options: { voteCapacity?: number; now?: () => number } = {}) {
    this.votes = new VoteLog(options.voteCapacity);
    this.#now = options.now ?? Date.now;
  }

  /**
   * Applies one MQTT message (payload as received: bytes or text). Never
   * throws: anything wrong is counted in `rejects` and returned as `ok: false`.
   * `live`: the message arrived as it was published (not from the broker's
   * retained store), so a last will without `since` went offline about now.
   */
  apply(topic: unknown, payload: unknown, options: { readonly live?: boolean } = {}): ApplyOutcome {
    this.stats.messages += 1;
    let outcome: ApplyOutcome;
    try {
      const body = decode(payload);
      if (!body.ok) outcome = body;
      else {
        const parsed = parseMessage(topic, body.text);
        if (parsed.ok) outcome = this.applyMessage(options.live === true ? this.#stampWill(parsed.value) : parsed.value);
        else if (parsed.code === 'empty-payload') {
          // A cleared retained message: keep what we know (never lose data).
          this.stats.cleared += 1;
          outcome = { ok: 'cleared' };
        } else outcome = { ok: false, code: parsed.code, message: parsed.message };
      }
    } catch (error) {
      // Defensive: core parsers never throw, but a bug here must not take the dashboard down.
      outcome = { ok: false, code: 'internal', message: String(error) };
    }
    if (outcome.ok === false) {
      this.rejects.record({
        at: this.#now(),
        topic: typeof topic === 'string' ? topic : String(typeof topic),
        code: outcome.code,
        message: outcome.message,
      });
    } else if (outcome.ok === true) {
      if (outcome.changed) this.stats.applied += 1;
      else this.stats.duplicates += 1;
    }
    return outcome;
  }

  /** Applies an already validated message (from `parseMessage`). */
  applyMessage(msg: TopicMessage): ApplyOutcome {
    const ward = wardKey(msg.params);
    const base = { ok: true as const, kind: msg.kind, ward };
    switch (msg.kind) {
      case 'tally': {
        // A tally may claim only what a terminal can have pressed, by this clock (issue 13).
        const claim = checkTallyClaim(this.tallies.get(tallyKey(msg.payload)), msg.payload, this.#now());
        if (!claim.ok) return { ok: false, code: claim.code, message: claim.message };
        return { ...base, counter: counterKey(msg.params), key: tallyKey(msg.payload), changed: this.#offerTally(msg.payload) };
      }
      case 'vote': {
        const added = this.votes.add(msg.payload) === 'added';
        const out = { ...base, counter: counterKey(msg.params), key: voteKey(msg.payload), changed: added };
        return added ? { ...out, vote: msg.payload } : out;
      }
      case 'status': {
        const key = terminalKey(msg.params);
        this.#noteTerminal(counterKey(msg.params), msg.params.terminal);
        const claimed = this.#noteClaim(key, msg.payload);
        return { ...base, counter: counterKey(msg.params), key, changed: this.statuses.offer(key, msg.payload) || claimed };
      }
      case 'bridge-status':
        return { ...base, key: ward, changed: this.bridges.offer(ward, msg.payload) };
      case 'session': {
        const s = msg.payload;
        const key = counterKey(msg.params);
        if (s.officer !== null && s.name !== undefined) {
          this.officerNames.offer(`${ward}/${s.officer}`, { name: s.name, at: s.at });
        }
        return { ...base, counter: key, key, changed: this.sessions.offer(key, s) };
      }
      case 'office':
        return { ...base, key: ward, changed: this.offices.offer(ward, msg.payload) };
      case 'config': {
        const key = terminalKey(msg.params);
        const changed = JSON.stringify(this.configs.get(key)) !== JSON.stringify(msg.payload);
        this.configs.set(key, msg.payload);
        return { ...base, counter: counterKey(msg.params), key, changed };
      }
      case 'served':
        return { ...base, counter: counterKey(msg.params), key: counterKey(msg.params), changed: false };
      case 'receipt':
        // The bridge's word to a kiosk on what it journaled: nothing a figure shows.
        return { ...base, counter: counterKey(msg.params), key: terminalKey(msg.params), changed: false };
      case 'unit-month': {
        const key = unitMonthKey(msg.payload);
        return { ...base, key, changed: this.unitMonths.offer(key, msg.payload) };
      }
      case 'revocation':
        // The ward folds its tallies again without the revoked votes (same seq, later updatedAt): figures follow those.
        return { ...base, key: ward, changed: false };
      case 'archived':
        // The hub's word to a ward on what it archived: nothing a figure shows.
        return { ...base, key: `${ward}/${msg.params.terminal}`, changed: false };
    }
  }

  /**
   * A last will carries its connection's `at` (core/status.ts), not when it
   * fired: seen live, it fired about now, so keep that as `since` for
   * "mất kết nối từ …" (issue 12, defect 4).
   */
  #stampWill(msg: TopicMessage): TopicMessage {
    if ((msg.kind !== 'status' && msg.kind !== 'bridge-status') || msg.payload.state !== 'offline' || msg.payload.since !== undefined)
      return msg;
    return { ...msg, payload: { ...msg.payload, since: this.#now() } } as TopicMessage;
  }

  #noteClaim(key: string, status: Status): boolean {
    if (status.state !== 'online' || status.uid === undefined) return false;
    const claims = this.#claims.get(key) ?? [];
    if (claims.some((c) => c.uid === status.uid && c.at === status.at)) return false;
    const next = [...claims, { uid: status.uid, at: status.at }].sort((a, b) => a.at - b.at).slice(-CLAIMS_KEPT);
    this.#claims.set(key, next);
    return true;
  }

  /**
   * Two devices use one terminal id (two tablets opened on one kiosk URL,
   * issue 12): its own status reports it (`duplicate-device`), or the
   * "online" claims seen here alternate between devices (A, B, A) within
   * `DEVICE_CONFLICT_MS`. A replaced tablet (A then B) is not a conflict.
   */
  deviceConflict(key: string): boolean {
    if ((this.statuses.get(key)?.errors?.[DUPLICATE_DEVICE] ?? 0) > 0) return true;
    const claims = this.#claims.get(key) ?? [];
    for (let i = 2; i < claims.length; i++) {
      const [a, b, c] = [claims[i - 2], claims[i - 1], claims[i]] as [
        { uid: string; at: number },
        { uid: string; at: number },
        { uid: string; at: number },
      ];
      if (a.uid !== b.uid && b.uid !== c.uid && c.at - a.at <= DEVICE_CONFLICT_MS) return true;
    }
    return false;
  }

  #noteTerminal(counter: string, terminal: string): void {
    let set = this.#counterTerminals.get(counter);
    if (set === undefined) this.#counterTerminals.set(counter, (set = new Set()));
    set.add(terminal);
  }

  /** Terminal ids seen at a counter (`d/w/c`) in tallies or statuses. */
  terminalsAt(counter: string): ReadonlySet<string> {
    return this.#counterTerminals.get(counter) ?? new Set();
  }

  #offerTally(tally: Tally): boolean {
    const key = tallyKey(tally);
    const seen = this.tallies.get(key);
    const merged = seen === undefined ? tally : mergeTally(seen, tally);
    if (merged === seen) return false;
    this.tallies.set(key, merged);
    this.#noteTerminal(counterKey(tally), tally.terminal);
    const ward = wardKey(tally);
    let keys = this.#wardTallies.get(ward);
    if (keys === undefined) this.#wardTallies.set(ward, (keys = new Set()));
    keys.add(key);
    return true;
  }

  /** The tallies of one counter (`d/w/c`) for one month: one lookup per terminal, no scan. */
  counterTallies(counter: string, month: string): Tally[] {
    const out: Tally[] = [];
    for (const terminal of this.terminalsAt(counter)) {
      const t = this.tallies.get(`${counter}/${terminal}/${month}`);
      if (t !== undefined) out.push(t);
    }
    return out;
  }

  /** The tallies of one ward (`d/w`). */
  wardTallies(ward: string): Tally[] {
    const keys = this.#wardTallies.get(ward);
    if (keys === undefined) return [];
    return [...keys].map((k) => this.tallies.get(k) as Tally);
  }

  /** Every ward key known from offices, tallies, bridges or statuses, sorted. */
  wards(): string[] {
    const out = new Set<string>([...this.#wardTallies.keys()]);
    for (const [key] of this.offices.entries()) out.add(key);
    for (const [key] of this.bridges.entries()) out.add(key);
    for (const [key] of this.statuses.entries()) out.add(key.split('/').slice(0, 2).join('/'));
    return [...out].sort();
  }

  /** What the cache keeps: all retained state and the newest `maxVotes` votes. */
  snapshot(maxVotes = 2000): StoreSnapshot {
    return {
      tallies: [...this.tallies.values()],
      statuses: [...this.statuses.entries()],
      bridges: [...this.bridges.entries()],
      sessions: [...this.sessions.entries()],
      offices: [...this.offices.values()],
      officerNames: [...this.officerNames.entries()],
      votes: this.votes.latest(maxVotes),
    };
  }

  /**
   * Merges a cached snapshot in, re-validating every item with the core
   * parsers (a cache can be stale or corrupted too). Returns how many items
   * were rejected. Merging is order-independent, so live messages that
   * arrived before the cache was read are never overwritten by older ones.
   */
  hydrate(snapshot: Partial<StoreSnapshot>): number {
    let bad = 0;
    const keyed = (entries: unknown, kind: 'status' | 'bridge-status' | 'session', target: LatestMap<Status> | LatestMap<Session>) => {
      if (!Array.isArray(entries)) return;
      for (const entry of entries) {
        const parsed = Array.isArray(entry) && typeof entry[0] === 'string' ? parsePayload(kind, entry[1]) : undefined;
        if (parsed?.ok) {
          (target as LatestMap<unknown>).offer(entry[0] as string, parsed.value);
          const parts = (entry[0] as string).split('/');
          if (kind === 'status' && parts.length === 4) this.#noteTerminal(parts.slice(0, 3).join('/'), parts[3] as string);
        } else bad += 1;
      }
    };
    try {
      for (const t of Array.isArray(snapshot.tallies) ? snapshot.tallies : []) {
        const parsed = parsePayload('tally', t);
        if (parsed.ok && checkTallyClaim(this.tallies.get(tallyKey(parsed.value)), parsed.value, this.#now()).ok)
          this.#offerTally(parsed.value);
        else bad += 1;
      }
      for (const o of Array.isArray(snapshot.offices) ? snapshot.offices : []) {
        const parsed = parsePayload('office', o);
        if (parsed.ok) this.offices.offer(wardKey(parsed.value), parsed.value);
        else bad += 1;
      }
      for (const v of Array.isArray(snapshot.votes) ? snapshot.votes : []) {
        const parsed = parsePayload('vote', v);
        if (parsed.ok) this.votes.add(parsed.value);
        else bad += 1;
      }
      keyed(snapshot.statuses, 'status', this.statuses);
      keyed(snapshot.bridges, 'bridge-status', this.bridges);
      keyed(snapshot.sessions, 'session', this.sessions);
      for (const entry of Array.isArray(snapshot.officerNames) ? snapshot.officerNames : []) {
        const value = Array.isArray(entry) ? (entry[1] as Partial<OfficerName> | undefined) : undefined;
        if (typeof entry?.[0] === 'string' && typeof value?.name === 'string' && Number.isSafeInteger(value.at)) {
          this.officerNames.offer(entry[0], { name: value.name.slice(0, 64), at: value.at as number });
        } else bad += 1;
      }
    } catch {
      bad += 1;
    }
    return bad;
  }

  /** Forgets everything (sign-out). */
  clear(): void {
    this.tallies.clear();
    this.unitMonths.clear();
    this.#wardTallies.clear();
    this.#counterTerminals.clear();
    this.statuses.clear();
    this.bridges.clear();
    this.sessions.clear();
    this.offices.clear();
    this.officerNames.clear();
    this.configs.clear();
    this.votes.clear();
  }
}
