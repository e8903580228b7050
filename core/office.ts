/**
 * What a ward office looks like to people: display names of the district,
 * ward and counters, which terminals sit at each counter, the scale, the
 * satisfaction target and the opening hours. The bridge publishes it
 * retained on `hailong/v1/{district}/{ward}/_office` from its config, so a
 * dashboard can label tiles ("Quầy 1 – Tư pháp") and judge figures against
 * the ward's target without a config of its own.
 */
import { idAt } from './ids.ts';
import {
  arrayAt,
  decodeWith,
  enumAt,
  fieldPath,
  intIn,
  itemPath,
  objectAt,
  optionalField,
  reject,
  show,
  typeName,
  requiredField,
  textAt,
  versionOne,
} from './json-input.ts';
import type { InputResult } from './json-input.ts';
import { readOpeningHours } from './opening-hours.ts';
import type { OpeningHours } from './opening-hours.ts';
import { readScale } from './scale.ts';
import type { Scale } from './scale.ts';
import { isDateString, MAX_EPOCH_MS } from './time.ts';
import type { Predecessor } from './merger.ts';
import { VOTE_SOURCES } from './vote.ts';
import type { VoteSource } from './vote.ts';

/** A terminal as the office lists it: id and kind (button box or touchscreen). */
export interface OfficeTerminal {
  readonly id: string;
  readonly kind: VoteSource;
}

/** A counter (quầy) with its display name and terminals. */
export interface OfficeCounter {
  readonly id: string;
  /** e.g. "Quầy 1 – Tư pháp – Hộ tịch" */
  readonly name: string;
  readonly terminals: readonly OfficeTerminal[];
}

/** An officer the office lists: id (unique in the ward) and display name. */
export interface OfficeOfficer {
  readonly id: string;
  readonly name: string;
}

/** Most predecessors one office may list (a 2025 merger joined at most a handful). */
export const MAX_PREDECESSORS = 64;

/** Most officers one office may list. */
export const MAX_OFFICERS = 256;

/** The office payload (v1), retained on `…/{district}/{ward}/_office`. */
export interface Office {
  readonly v: 1;
  readonly district: string;
  readonly ward: string;
  /** e.g. "Quận Ba Đình" */
  readonly districtName: string;
  /** e.g. "Phường Phúc Xá" */
  readonly wardName: string;
  /** A built-in scale id or a full scale. */
  readonly scale: string | Scale;
  /** Target "% hài lòng và rất hài lòng", 0..100 (80 by default, the national SIPAS target). */
  readonly target: number;
  /**
   * Fewer counted votes than this mark a figure "ít lượt" (few votes).
   * Optional: offices published before it existed use `DEFAULT_MIN_VOTES`.
   */
  readonly minVotes?: number;
  /**
   * The units this one absorbed in a merger (e.g. on 1/7/2025), each with the
   * last day it existed. Set by a hub from its config (`units[].mergedFrom`):
   * a parent dashboard folds their figures into this unit for periods past
   * that day (core/merger.ts). Absent on a ward's own office.
   */
  readonly mergedFrom?: readonly Predecessor[];
  /** Names of the ward's officers, so reports name officers not on duty now (optional, for older bridges). */
  readonly officers?: readonly OfficeOfficer[];
  readonly openingHours: OpeningHours;
  readonly counters: readonly OfficeCounter[];
  /** Epoch ms when the bridge last loaded its config. */
  readonly updatedAt: number;
}

/** Most counters one office may list. */
export const MAX_COUNTERS = 64;

/** Most terminals one counter may list. */
export const MAX_TERMINALS_PER_COUNTER = 8;

/** Longest display name, in characters. */
export const MAX_PLACE_NAME_CHARS = 80;

/** Longest office payload accepted as JSON text. */
export const OFFICE_MAX_CHARS = 65_536;

/**
 * The default target: 80% satisfied, the target offices report against
 * ("đạt 98,97% (chỉ tiêu đưa ra 80%)", Bình Tân district portal, 7 March 2020).
 */
export const DEFAULT_TARGET = 80;

function readCounter(value: unknown, field: string): OfficeCounter {
  const o = objectAt(value, field);
  const tf = fieldPath(field, 'terminals');
  const terminals: OfficeTerminal[] = [];
  arrayAt(requiredField(o, 'terminals', tf), tf, MAX_TERMINALS_PER_COUNTER).forEach((item, i) => {
    const f = itemPath(tf, i);
    const t = objectAt(item, f);
    const id = idAt(requiredField(t, 'id', fieldPath(f, 'id')), fieldPath(f, 'id'));
    if (terminals.some((x) => x.id === id)) reject('duplicate', `${f}.id ${id} is listed twice`, fieldPath(f, 'id'));
    terminals.push({ id, kind: enumAt(requiredField(t, 'kind', fieldPath(f, 'kind')), fieldPath(f, 'kind'), VOTE_SOURCES) });
  });
  return {
    id: idAt(requiredField(o, 'id', fieldPath(field, 'id')), fieldPath(field, 'id')),
    name: textAt(requiredField(o, 'name', fieldPath(field, 'name')), fieldPath(field, 'name'), MAX_PLACE_NAME_CHARS),
    terminals,
  };
}

function readOffice(root: unknown): Office {
  const o = objectAt(root, undefined);
  const v = versionOne(o);
  const counters: OfficeCounter[] = [];
  arrayAt(requiredField(o, 'counters', 'counters'), 'counters', MAX_COUNTERS).forEach((item, i) => {
    const f = itemPath('counters', i);
    const counter = readCounter(item, f);
    if (counters.some((c) => c.id === counter.id)) reject('duplicate', `${f}.id ${counter.id} is listed twice`, `${f}.id`);
    counters.push(counter);
  });
  const rawScale = requiredField(o, 'scale', 'scale');
  const scale = readScale(rawScale, 'scale');
  const rawMin = optionalField(o, 'minVotes');
  const rawOfficers = optionalField(o, 'officers');
  const rawMerged = optionalField(o, 'mergedFrom');
  const mergedFrom: Predecessor[] = [];
  if (rawMerged !== undefined) {
    arrayAt(rawMerged, 'mergedFrom', MAX_PREDECESSORS).forEach((item, i) => {
      const f = itemPath('mergedFrom', i);
      const x = objectAt(item, f);
      const id = idAt(requiredField(x, 'id', fieldPath(f, 'id')), fieldPath(f, 'id'));
      const until = requiredField(x, 'until', fieldPath(f, 'until'));
      if (!isDateString(until))
        reject(
          'bad-date',
          `${f}.until must be a date YYYY-MM-DD, got ${typeof until === 'string' ? show(until) : typeName(until)}`,
          fieldPath(f, 'until'),
        );
      const rawName = optionalField(x, 'name');
      mergedFrom.push(
        rawName === undefined ? { id, until } : { id, until, name: textAt(rawName, fieldPath(f, 'name'), MAX_PLACE_NAME_CHARS) },
      );
    });
  }
  const officers: OfficeOfficer[] = [];
  if (rawOfficers !== undefined) {
    arrayAt(rawOfficers, 'officers', MAX_OFFICERS).forEach((item, i) => {
      const f = itemPath('officers', i);
      const x = objectAt(item, f);
      const id = idAt(requiredField(x, 'id', fieldPath(f, 'id')), fieldPath(f, 'id'));
      if (officers.some((y) => y.id === id)) reject('duplicate', `${f}.id ${id} is listed twice`, fieldPath(f, 'id'));
      officers.push({ id, name: textAt(requiredField(x, 'name', fieldPath(f, 'name')), fieldPath(f, 'name'), MAX_PLACE_NAME_CHARS) });
    });
  }
  return {
    v,
    district: idAt(requiredField(o, 'district', 'district'), 'district'),
    ward: idAt(requiredField(o, 'ward', 'ward'), 'ward'),
    districtName: textAt(requiredField(o, 'districtName', 'districtName'), 'districtName', MAX_PLACE_NAME_CHARS),
    wardName: textAt(requiredField(o, 'wardName', 'wardName'), 'wardName', MAX_PLACE_NAME_CHARS),
    scale: typeof rawScale === 'object' ? scale : scale.id,
    target: intIn(requiredField(o, 'target', 'target'), 'target', 0, 100),
    ...(rawMin === undefined ? {} : { minVotes: intIn(rawMin, 'minVotes', 1, 100_000) }),
    ...(rawOfficers === undefined ? {} : { officers }),
    ...(rawMerged === undefined ? {} : { mergedFrom }),
    openingHours: readOpeningHours(requiredField(o, 'openingHours', 'openingHours'), 'openingHours'),
    counters,
    updatedAt: intIn(requiredField(o, 'updatedAt', 'updatedAt'), 'updatedAt', 0, MAX_EPOCH_MS),
  };
}

/** Validates an office payload (JSON text or value) into a fresh object; never throws. */
export function parseOffice(input: unknown): InputResult<Office> {
  return decodeWith(input, OFFICE_MAX_CHARS, readOffice);
}

/**
 * A place's name without its level word, for the place-and-date line of an
 * administrative document ("Quận Ba Đình" → "Ba Đình", "Phường Phúc Xá" →
 * "Phúc Xá"; Nghị định 30/2020/NĐ-CP, Phụ lục I: the place is the name of
 * the unit's locality). The level words are those of Vietnam's
 * administrative units; a name without one is kept whole.
 */
export function placeName(name: string): string {
  const level = /^(Thành phố|Thị xã|Thị trấn|Đặc khu|Phường|Quận|Huyện|Tỉnh|Xã|TP\.)\s+/u.exec(name);
  return level === null ? name : name.slice(level[0].length);
}
