/**
 * What the reports read (issue 15): the votes of a date range from an
 * office's journal or a hub's archive (every unit's votes), revoked votes
 * left out of both (a hub knows them once the wards forwarded them), the served dossiers (journals only: the hub does not get
 * the desks' `_served`), and the names and targets of the units. Opened
 * read-side while the bridge or hub runs (SQLite WAL readers do not block
 * the writer).
 */
import { parseOffice, type Office } from '../../core/office.ts';
import type { ServedEvent } from '../../core/reconciliation.ts';
import { parseVote, type Vote } from '../../core/vote.ts';
import type { HailongConfig } from '../config/hailong-config.ts';
import type { HubArchive } from '../hub/hub-archive.ts';
import type { HubConfig } from '../hub/hub-config.ts';
import type { Journal } from '../journal/journal.ts';
import type { CommandIo } from '../commands/command-io.ts';
import { openConfigStore } from './config-store.ts';

/** A unit a report covers, with its display names. */
export interface ReportUnit {
  readonly id: string;
  readonly name: string;
  /** Target "% hài lòng và rất hài lòng", 0..100. */
  readonly target: number;
  readonly counters: ReadonlyMap<string, string>;
  readonly officers: ReadonlyMap<string, string>;
}

/** The votes and names of one config's store. */
export interface ReportSource {
  /** 'office': one ward's journal; 'hub': a district's / province's archive. */
  readonly kind: 'office' | 'hub';
  /** The reporting body: the district (office) or the hub's parent. */
  readonly parent: { readonly id: string; readonly name: string };
  readonly units: readonly ReportUnit[];
  /** Fewest counted votes for a figure to be judged ("ít lượt" below). */
  readonly minVotes: number;
  /** Parsed votes pressed in [fromMs, toMs), revoked ones left out; `bad` counts unreadable rows. */
  votes(fromMs: number, toMs: number): { votes: Vote[]; bad: number };
  /** Served dossiers in [fromMs, toMs); undefined when the store does not keep them (a hub). */
  served(fromMs: number, toMs: number): ServedEvent[] | undefined;
  close(): void;
}

function officeSource(config: HailongConfig, journal: Journal): ReportSource {
  const unit: ReportUnit = {
    id: config.ward.id,
    name: config.ward.name,
    target: config.target,
    counters: new Map(config.counters.map((c) => [c.id, c.name])),
    officers: new Map(config.officers.map((o) => [o.id, o.name])),
  };
  return {
    kind: 'office',
    parent: config.district,
    units: [unit],
    minVotes: config.minVotes,
    votes(fromMs, toMs) {
      const votes: Vote[] = [];
      let bad = 0;
      for (const row of journal.rowsPressedBetween(fromMs, toMs)) {
        if (row.revocation !== null) continue;
        const v = parseVote(row.payload);
        if (v.ok) votes.push(v.value);
        else bad += 1;
      }
      return { votes, bad };
    },
    served(fromMs, toMs) {
      return journal.dossiers.served(fromMs, toMs).map((s) => ({ ...s, ward: config.ward.id }));
    },
    close: () => journal.close(),
  };
}

/** A hub's archive as a report source; `close` closes the archive (pass `keepOpen` when the hub owns it). */
export function hubSource(config: HubConfig, archive: HubArchive, keepOpen = false): ReportSource {
  // Counter and officer names come from each unit's retained `_office`, kept in the archive: reports name people, not ids.
  const offices = new Map<string, Office>();
  for (const row of archive.retained()) {
    if (row.kind !== 'office') continue;
    const o = parseOffice(row.payload);
    if (o.ok) offices.set(o.value.ward, o.value);
  }
  return {
    kind: 'hub',
    parent: config.parent,
    units: config.units.map((u) => {
      const o = offices.get(u.id);
      return {
        id: u.id,
        name: u.name,
        target: u.target,
        counters: new Map((o?.counters ?? []).map((c) => [c.id, c.name])),
        officers: new Map((o?.officers ?? []).map((p) => [p.id, p.name])),
      };
    }),
    minVotes: 30,
    votes(fromMs, toMs) {
      const votes: Vote[] = [];
      let bad = 0;
      for (const row of archive.rowsPressedBetween(fromMs, toMs)) {
        if (row.revocation !== null) continue;
        const v = parseVote(row.payload);
        if (v.ok) votes.push(v.value);
        else bad += 1;
      }
      return { votes, bad };
    },
    served: () => undefined,
    close: () => {
      if (!keepOpen) archive.close();
    },
  };
}

/** Opens the journal of an office config or the archive of a hub config; an exit code (reported on stderr) when it cannot. */
export async function openReportSource(file: string, io: CommandIo): Promise<ReportSource | number> {
  const store = await openConfigStore(file, io);
  if (typeof store === 'number') return store;
  return store.kind === 'hub' ? hubSource(store.config, store.archive) : officeSource(store.config, store.journal);
}
