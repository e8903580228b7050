/**
 * Real MQTT messages for dashboard tests, built with the core exactly as
 * the bridge builds them: a vote, then the terminal's monthly tally with
 * that vote folded in (core `applyVote`), both via `publicationFor`.
 * Runs in Node (e2e publisher) and in the browser project alike.
 */
import { applyVote, emptyTally, localMidnight, localParts, publicationFor, tallyKey } from '../../core/index.ts';
import type { LevelKey, Office, Publication, Session, Status, Tally, Vote } from '../../core/index.ts';
import { historyOffice } from '../../bridge/demo/demo-wards.ts';
import type { HistoryWard } from '../../bridge/demo/history.ts';

/** A demo ward with two counters (one with two terminals). */
export const WARD: HistoryWard = {
  id: 'phuc-xa',
  name: 'Phường Phúc Xá',
  counters: [
    { id: 'quay-1', terminals: ['q1-a'], officers: ['cb-1', 'cb-2'] },
    { id: 'quay-2', terminals: ['q2-a', 'q2-b'], officers: ['cb-3'] },
  ],
};

export const DISTRICT = 'ba-dinh';

/** The ward's `_office` payload. */
export function office(updatedAt = 1): Office {
  return historyOffice(WARD, { district: DISTRICT, index: 0, updatedAt });
}

/** Simulates a bridge: per-terminal seq numbers and tallies, producing the messages it would publish. */
export class FakeBridge {
  readonly #seq = new Map<string, number>();
  readonly #tallies = new Map<string, Tally>();
  readonly district: string;
  readonly ward: string;

  constructor(district = DISTRICT, ward = WARD.id) {
    this.district = district;
    this.ward = ward;
  }

  /** The vote message and the updated retained tally message, as the bridge publishes them. */
  vote(
    counter: string,
    terminal: string,
    level: LevelKey,
    pressedAt: number,
    extra: { officer?: string; filtered?: 'cooldown' | 'gated'; reasons?: string[] } = {},
  ): { vote: Vote; publications: [Publication<'vote'>, Publication<'tally'>] } {
    const key = `${counter}/${terminal}`;
    const seq = (this.#seq.get(key) ?? 0) + 1;
    this.#seq.set(key, seq);
    const vote: Vote = {
      v: 1,
      id: `${terminal}:${seq}`,
      district: this.district,
      ward: this.ward,
      counter,
      terminal,
      seq,
      level,
      pressedAt,
      receivedAt: pressedAt + 40,
      source: 'button',
      ...(extra.officer !== undefined ? { officer: extra.officer } : {}),
      ...(extra.filtered !== undefined ? { filtered: extra.filtered } : {}),
      ...(extra.reasons !== undefined ? { reasons: extra.reasons } : {}),
    };
    const month = localParts(pressedAt).monthKey;
    const path = { district: this.district, ward: this.ward, counter, terminal };
    const tKey = tallyKey({ ...path, month } as Tally);
    const tally = applyVote(this.#tallies.get(tKey) ?? emptyTally(path, month), vote);
    this.#tallies.set(tKey, tally);
    return {
      vote,
      publications: [publicationFor('vote', path, vote), publicationFor('tally', { ...path, month }, tally)],
    };
  }

  /** Continues from existing tallies (a year of history): seqs go on from them, as a real bridge's do. */
  seed(tallies: Iterable<Tally>): void {
    for (const t of tallies) {
      if (t.district !== this.district || t.ward !== this.ward) continue;
      this.#tallies.set(tallyKey(t), t);
      const key = `${t.counter}/${t.terminal}`;
      this.#seq.set(key, Math.max(this.#seq.get(key) ?? 0, t.seq));
    }
  }

  /** The current tallies. */
  tallies(): Tally[] {
    return [...this.#tallies.values()];
  }
}

/** A status publication. */
export function statusPub(counter: string, terminal: string, state: 'online' | 'offline', at: number): Publication<'status'> {
  const status: Status = { v: 1, state, at, kind: 'button' };
  return publicationFor('status', { district: DISTRICT, ward: WARD.id, counter, terminal }, status);
}

/** A session publication. */
export function sessionPub(counter: string, officer: string | null, name: string | undefined, at: number): Publication<'session'> {
  const session: Session = { v: 1, officer, at, ...(name !== undefined ? { name } : {}) };
  return publicationFor('session', { district: DISTRICT, ward: WARD.id, counter }, session);
}

/** The office publication. */
export function officePub(updatedAt = 1): Publication<'office'> {
  return publicationFor('office', { district: DISTRICT, ward: WARD.id }, office(updatedAt));
}

/** 10:00 local time on a weekday (Monday 3 March 2025) — inside opening hours. */
export const MORNING = localMidnight('2025-03-03') + 10 * 3_600_000;
