/**
 * What the hub does with one message a unit published: validate it with the
 * shared topic map (`parseMessage`), check it belongs to a configured unit
 * of this parent, and decide what to archive and whether the broker may
 * forward and retain it. Pure (no I/O): the embedded broker's publish hook
 * and the Mosquitto subscriber both call it, then commit the record.
 *
 * Bad input never crashes anything and is never lost: a refused message is
 * still acknowledged (so the sender's outbox moves on instead of resending it
 * forever), is not forwarded, and is kept in the archive's `refused` table
 * with its code, which is also counted per unit.
 */
import type { Predecessor } from '../../core/merger.ts';
import { localParts } from '../../core/time.ts';
import { RETAIN, parseTopic } from '../../core/topic.ts';
import { parseMessage } from '../../core/topic-payload.ts';
import type { ArchiveRecord } from './hub-archive.ts';

/** A unit as the hub names it. */
export interface IngestUnit {
  /** e.g. "Phường Phúc Xá", "Xã Ia Grai". */
  readonly name: string;
  readonly target: number;
  /** The units it absorbed (hub config `units[].mergedFrom`), passed on in its `_office`. */
  readonly mergedFrom?: readonly Predecessor[];
}

/** What the ingest needs to know about the hub. */
export interface IngestScope {
  /** The parent's id: the first topic level under hailong/v1. */
  readonly parent: string;
  /** The parent's name from the hub config ("Quận Ba Đình", "Tỉnh Gia Lai"). */
  readonly parentName: string;
  /** The configured units by id. */
  readonly units: ReadonlyMap<string, IngestUnit>;
  /** Months of tallies to keep retained on the broker, this month included. */
  readonly retainMonths: number;
}

/** The hub's decision about one message. */
export type IngestDecision =
  | {
      readonly accept: true;
      /** What to commit before acknowledging; undefined = nothing (e.g. `_served` events). */
      readonly record: ArchiveRecord | undefined;
      /** False for a tally of a month older than the retention window: delivered live, kept in the archive only. */
      readonly retain: boolean;
      /** The payload to forward (and archive) instead of the one received. */
      readonly payload?: string;
    }
  | { readonly accept: false; readonly record: ArchiveRecord & { type: 'refused' }; readonly code: string; readonly message: string };

/** The oldest month key (`YYYY-MM`) kept retained at `now`, with `retainMonths` months kept. */
export function oldestRetainedMonth(now: number, retainMonths: number): string {
  const { year, month } = localParts(now);
  const index = year * 12 + (month - 1) - (retainMonths - 1);
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

function refuse(unit: string, topic: string, payload: string, code: string, message: string): IngestDecision {
  return { accept: false, code, message, record: { type: 'refused', unit, topic, code, message, payload } };
}

/** The unit id in a topic `hailong/v1/{parent}/{unit}/…`, or '' when there is none. */
function unitOfTopic(topic: string): string {
  return topic.split('/', 4)[3] ?? '';
}

/**
 * Decides about one message published on `topic` with `payload` (UTF-8
 * text), at `now`. Never throws.
 */
export function ingest(scope: IngestScope, topic: string, payload: string, now: number): IngestDecision {
  const unit = unitOfTopic(topic);
  if (payload === '') {
    // MQTT's "clear this retained message" (a ward removed a terminal): passed on, nothing to archive.
    const t = parseTopic(topic);
    if (t.ok && RETAIN[t.value.kind] && t.value.params.district === scope.parent && scope.units.has(t.value.params.ward)) {
      return { accept: true, retain: true, record: undefined };
    }
  }
  const parsed = parseMessage(topic, payload);
  if (!parsed.ok) return refuse(unit, topic, payload, parsed.code, parsed.message);
  const m = parsed.value;
  if (m.params.district !== scope.parent) {
    return refuse(unit, topic, payload, 'foreign-parent', `topic names parent ${m.params.district}, this hub is ${scope.parent}`);
  }
  if (!scope.units.has(m.params.ward)) {
    return refuse(unit, topic, payload, 'unknown-unit', `unit ${m.params.ward} is not in this hub's units`);
  }
  switch (m.kind) {
    case 'vote':
      return {
        accept: true,
        retain: false,
        record: { type: 'vote', unit: m.params.ward, id: m.payload.id, pressedAt: m.payload.pressedAt, payload },
      };
    case 'tally':
      return {
        accept: true,
        retain: m.params.month >= oldestRetainedMonth(now, scope.retainMonths),
        record: { type: 'retained', topic, unit: m.params.ward, kind: m.kind, month: m.params.month, ord: m.payload.seq, payload },
      };
    case 'status':
    case 'bridge-status':
      return {
        accept: true,
        retain: true,
        record: { type: 'retained', topic, unit: m.params.ward, kind: m.kind, ord: m.payload.at, payload },
      };
    case 'office': {
      // The hub names the parent and its units as its own config does: a
      // ward's config may still say "Quận …" after the 2025 reform, and the
      // parent's targets are the parent's to set.
      const unit = scope.units.get(m.params.ward) as IngestUnit;
      // The mergers are the parent's to declare too: the parent dashboard folds predecessors with them.
      const named = JSON.stringify({
        ...m.payload,
        districtName: scope.parentName,
        wardName: unit.name,
        target: unit.target,
        ...(unit.mergedFrom === undefined ? {} : { mergedFrom: unit.mergedFrom }),
      });
      return {
        accept: true,
        retain: true,
        payload: named,
        record: { type: 'retained', topic, unit: m.params.ward, kind: m.kind, ord: 0, payload: named },
      };
    }
    case 'config':
    case 'session':
      return { accept: true, retain: true, record: { type: 'retained', topic, unit: m.params.ward, kind: m.kind, ord: 0, payload } };
    case 'served':
      return { accept: true, retain: false, record: undefined };
    case 'receipt':
      // A ward bridge's word to its own kiosks (never mirrored upstream): nothing for the hub to keep.
      return { accept: true, retain: false, record: undefined };
    case 'revocation':
      // The topic's unit is the payload's (parseMessage) and the broker lets a unit write only
      // under its own: a unit can revoke only its own votes, which the archive keys by (unit, vote id).
      return { accept: true, retain: false, record: { type: 'revocation', unit: m.params.ward, revocation: m.payload } };
    case 'archived':
    case 'unit-month':
      // Summaries are the hub's own derivation (hub-summaries.ts), receipts its own word on its
      // archive (hub-receipts.ts): a unit may not forge them (the broker ACLs refuse them too).
      return refuse(unit, topic, payload, 'hub-only', `${topic} is published by the hub itself, not by a unit`);
  }
}
