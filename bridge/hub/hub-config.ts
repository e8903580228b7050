/**
 * The validated configuration of a hub: the parent unit (a district, or since
 * the 2025 two-level reform a province) that receives every ward office's
 * votes over the WAN, archives them and serves the parent dashboard. Read
 * from one YAML file (see hub.example.yaml) by `loadHubConfig`, validated
 * once. The level's name comes from here, never from code: "Quận Ba Đình"
 * and "Tỉnh Gia Lai" are both just configured names.
 */
import type { ReportScheduleConfig } from './report-schedule-config.ts';
import type { AnonymousAccess, BrokerUser } from '../broker/broker-user.ts';
import type { MqttConfig, WebConfig } from '../config/hailong-config.ts';
import { lineageOf, type Lineage, type Predecessor } from '../../core/merger.ts';

/** The parent tiers a hub can be; the top-level key of hub.yaml names it. */
export type HubLevel = 'district' | 'province';

/**
 * What a unit under the hub is (NQ 202/2025/QH15: xã, phường, đặc khu; a
 * provincial one-stop center's sites are "cơ sở"). Written as in Vietnamese.
 */
export type UnitKind = 'phường' | 'xã' | 'đặc khu' | 'cơ sở';

/** Every unit kind, as written in the config (schema/hub.schema.json `units[].kind`, kept equal by a test). */
export const UNIT_KINDS: readonly UnitKind[] = ['phường', 'xã', 'đặc khu', 'cơ sở'];

/** The parent unit: its tier, id (the first topic level under hailong/v1) and display name. */
export interface HubParent {
  readonly level: HubLevel;
  readonly id: string;
  /** e.g. "Quận Ba Đình" or "Tỉnh Gia Lai". */
  readonly name: string;
}

/** One unit (a ward office) under the hub, with the broker account its bridge forwards with. */
export interface HubUnit {
  /** The second topic level: `hailong/v1/{parent}/{unit}/…`. */
  readonly id: string;
  /** e.g. "Phường Phúc Xá". */
  readonly name: string;
  readonly kind: UnitKind;
  /** Target "% hài lòng và rất hài lòng", 0..100. */
  readonly target: number;
  /** The unit bridge's account on the hub broker; may write only under its own unit. */
  readonly username: string;
  readonly password: string;
  /**
   * The units this one absorbed in a merger (e.g. on 1/7/2025), each with
   * the last day it existed: their history folds into this unit in reports
   * over a period that reaches past that day (core/merger.ts).
   */
  readonly mergedFrom?: readonly Predecessor[];
}

/** The hub's embedded broker (Aedes) and who else may use it. */
export interface HubBrokerConfig {
  readonly port: number;
  readonly host: string;
  readonly anonymous: AnonymousAccess;
  /** Dashboard accounts (read-only, the whole parent or one unit). */
  readonly users: readonly BrokerUser[];
}

/** The whole validated hub config. */
export interface HubConfig {
  readonly parent: HubParent;
  /** Default target of the units, 0..100. */
  readonly target: number;
  readonly units: readonly HubUnit[];
  readonly broker: HubBrokerConfig;
  /**
   * External broker (Mosquitto): the hub subscribes there with a persistent
   * session instead of embedding Aedes. No urls = embedded broker.
   */
  readonly mqtt: MqttConfig;
  readonly web: WebConfig;
  /**
   * Months of tallies kept retained on the hub broker (the current month
   * and the months before it); older months stay in the archive only.
   */
  readonly retainMonths: number;
  /** Folder of the archive database. */
  readonly dataDir: string;
  /**
   * Month- and quarter-end report packs, and whom to e-mail them (issue 15).
   * @default { dir: 'reports' } (packs in <dataDir>/reports, no e-mail)
   */
  readonly reports?: ReportScheduleConfig;
}

/** The broker account of each unit: role `bridge` scoped to `hailong/v1/{parent}/{unit}/#`. */
export function unitAccountsOf(config: Pick<HubConfig, 'parent' | 'units'>): BrokerUser[] {
  return config.units.map((u) => ({ username: u.username, password: u.password, role: 'bridge', district: config.parent.id, ward: u.id }));
}

/** Vietnamese display word of a unit kind, capitalised: "Phường", "Xã", "Đặc khu", "Cơ sở". */
export function unitKindLabel(kind: UnitKind): string {
  return kind.charAt(0).toLocaleUpperCase('vi-VN') + kind.slice(1);
}

/** The distinct kinds of a hub's units as one heading word, in first-seen order: "Phường/xã/cơ sở". */
export function unitKindsLabel(kinds: Iterable<UnitKind>): string {
  const distinct = [...new Set(kinds)];
  return distinct.length === 0 ? 'Đơn vị' : distinct.map((k, i) => (i === 0 ? unitKindLabel(k) : k)).join('/');
}

/** Vietnamese display word of a tier: "Quận/huyện" is gone since 7/2025, so both are plain words. */
export function levelLabel(level: HubLevel): { readonly vi: string; readonly en: string } {
  return level === 'province' ? { vi: 'Tỉnh/thành phố', en: 'Province' } : { vi: 'Quận/huyện', en: 'District' };
}

/** The units' mergers as a lineage (core/merger.ts); the config was validated, so it is consistent. */
export function lineageOfHub(config: Pick<HubConfig, 'units'>): Lineage {
  const r = lineageOf(config.units);
  if (!r.ok)
    throw new Error(`lineageOfHub: config.units has inconsistent mergedFrom (${r.problems[0]?.message}); validate the config first`);
  return r.lineage;
}

/** Unit id → name, for the configured units and the predecessors they name. */
export function unitNamesOf(config: Pick<HubConfig, 'units'>): Map<string, string> {
  const names = new Map<string, string>(config.units.map((u) => [u.id, u.name]));
  for (const u of config.units) for (const p of u.mergedFrom ?? []) if (p.name !== undefined && !names.has(p.id)) names.set(p.id, p.name);
  return names;
}
