/**
 * The demo district's wards: real ward names of Quận Ba Đình, counter fields,
 * officer names, and the `_office` payload matching a simulated ward. Pure;
 * used by the demo (`npm start`), the dashboard's tests and benches.
 */
import { DEFAULT_OPENING_HOURS, DEFAULT_SCALE, DEFAULT_TARGET, requireId } from '../../core/index.ts';
import type { Office, OpeningHours, Scale } from '../../core/index.ts';
import type { HistoryWard } from './history.ts';

/** Real ward names (Quận Ba Đình, Hà Nội), used when a ward has no name. */
export const DEMO_WARD_NAMES: readonly string[] = Object.freeze([
  'Phường Phúc Xá',
  'Phường Trúc Bạch',
  'Phường Vĩnh Phúc',
  'Phường Cống Vị',
  'Phường Liễu Giai',
  'Phường Nguyễn Trung Trực',
  'Phường Quán Thánh',
  'Phường Ngọc Hà',
  'Phường Điện Biên',
  'Phường Đội Cấn',
  'Phường Ngọc Khánh',
  'Phường Kim Mã',
  'Phường Giảng Võ',
  'Phường Thành Công',
]);

/** Fields of one-stop counters, used for default counter names ("Quầy 1 – Tư pháp – Hộ tịch"). */
export const DEMO_COUNTER_FIELDS: readonly string[] = Object.freeze([
  'Tư pháp – Hộ tịch',
  'Địa chính – Xây dựng',
  'Lao động – Thương binh và Xã hội',
  'Chứng thực',
  'Văn hóa – Y tế',
  'Kinh tế – Hạ tầng',
  'Công an – Cư trú',
  'Tiếp nhận chung',
]);

/** Officer display names for demos, by officer index. */
export const DEMO_OFFICER_NAMES: readonly string[] = Object.freeze([
  'Nguyễn Thị Lan',
  'Trần Văn Hùng',
  'Lê Thị Hương',
  'Phạm Minh Tuấn',
  'Hoàng Thu Trang',
  'Vũ Đức Anh',
  'Đặng Thị Mai',
  'Bùi Quang Huy',
  'Đỗ Thị Ngọc',
  'Ngô Văn Long',
]);

/** The demo name of officer `cb-<n>`: the n-th demo name, so every part of the demo names an officer alike. */
export function demoOfficerName(officer: string): string {
  const n = Number(/^cb-(\d+)$/.exec(officer)?.[1] ?? 1);
  return DEMO_OFFICER_NAMES[(n - 1) % DEMO_OFFICER_NAMES.length] as string;
}

/** Options of `historyOffice`. */
export interface HistoryOfficeOptions {
  readonly district: string;
  /** @default "Quận Ba Đình" */
  readonly districtName?: string;
  /** Index of the ward in its district, for a default name. @default 0 */
  readonly index?: number;
  /** @default DEFAULT_TARGET (80) */
  readonly target?: number;
  /** @default DEFAULT_OPENING_HOURS */
  readonly openingHours?: OpeningHours;
  /** @default DEFAULT_SCALE */
  readonly scale?: Scale;
  /** @default 0 */
  readonly updatedAt?: number;
}

/** The `_office` payload matching a simulated ward (names, terminals, target, hours). */
export function historyOffice(ward: HistoryWard, options: HistoryOfficeOptions): Office {
  const index = options.index ?? 0;
  return {
    v: 1,
    district: requireId(options.district, 'options.district'),
    ward: requireId(ward.id, 'ward.id'),
    districtName: options.districtName ?? 'Quận Ba Đình',
    wardName: ward.name ?? DEMO_WARD_NAMES[index % DEMO_WARD_NAMES.length] ?? `Phường ${index + 1}`,
    scale: (options.scale ?? DEFAULT_SCALE).id,
    target: options.target ?? DEFAULT_TARGET,
    openingHours: options.openingHours ?? DEFAULT_OPENING_HOURS,
    counters: ward.counters.map((c, i) => ({
      id: c.id,
      name: c.name ?? `Quầy ${i + 1} – ${DEMO_COUNTER_FIELDS[i % DEMO_COUNTER_FIELDS.length]}`,
      terminals: c.terminals.map((id) => ({ id, kind: 'button' as const })),
    })),
    officers: [...new Set(ward.counters.flatMap((c) => c.officers ?? []))].map((id) => ({ id, name: demoOfficerName(id) })),
    updatedAt: options.updatedAt ?? 0,
  };
}

/** Options of `demoWards`. */
export interface DemoWardsOptions {
  /** How many wards. @default 5 */
  readonly wards?: number;
  /** Counters per ward. @default 4 */
  readonly counters?: number;
  /** Terminals per counter. @default 1 */
  readonly terminals?: number;
  /** Officers per counter (ids `cb-<ward>-<n>`). @default 2 */
  readonly officers?: number;
}

/** Slug of a demo ward name: "Phường Phúc Xá" → "phuc-xa". */
export function wardSlug(name: string): string {
  return name
    .replace(/^Phường\s+/u, '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * A district's worth of demo wards named after real wards ("Phường Phúc
 * Xá" → id `phuc-xa`), counters `quay-1…`, terminals `quay-1-t1…`, officers
 * `cb-1…` numbered within the ward (officer ids are unique per ward).
 */
export function demoWards(options: DemoWardsOptions = {}): HistoryWard[] {
  const wards = options.wards ?? 5;
  const counters = options.counters ?? 4;
  const terminals = options.terminals ?? 1;
  const officers = options.officers ?? 2;
  return Array.from({ length: wards }, (_, w) => {
    const name = DEMO_WARD_NAMES[w % DEMO_WARD_NAMES.length] as string;
    const suffix = w < DEMO_WARD_NAMES.length ? '' : `-${Math.floor(w / DEMO_WARD_NAMES.length) + 1}`;
    return {
      id: `${wardSlug(name)}${suffix}`,
      name: suffix === '' ? name : `${name} ${Math.floor(w / DEMO_WARD_NAMES.length) + 1}`,
      counters: Array.from({ length: counters }, (_, c) => ({
        id: `quay-${c + 1}`,
        terminals: Array.from({ length: terminals }, (_, t) => `quay-${c + 1}-t${t + 1}`),
        officers: Array.from({ length: officers }, (_, k) => `cb-${c * officers + k + 1}`),
      })),
    };
  });
}
