/**
 * Rating scales. A scale is an ordered list of levels, best first: button 1
 * (the leftmost) is the first level. Levels come from one fixed catalogue
 * with ASCII keys so that votes, tallies and reports agree on spelling no
 * matter which scale a terminal was configured with.
 */
import { err, ok } from './result.ts';
import type { Result } from './result.ts';
import { idAt, isId } from './ids.ts';
import {
  arrayAt,
  itemPath,
  booleanAt,
  decodeWith,
  enumAt,
  intIn,
  objectAt,
  optionalField,
  fieldPath,
  reject,
  requiredField,
  show,
  textAt,
  typeName,
} from './json-input.ts';
import type { InputResult } from './json-input.ts';

/** The catalogue of level keys, best first. */
export const LEVEL_KEYS = ['rat-hai-long', 'hai-long', 'binh-thuong', 'khong-hai-long', 'rat-khong-hai-long'] as const;

/** A level key from the catalogue. */
export type LevelKey = (typeof LEVEL_KEYS)[number];

/** A level's display name in Vietnamese and English. */
export interface LevelLabel {
  readonly vi: string;
  readonly en: string;
}

/** One level of a scale: `satisfied` feeds "% hài lòng", `points` the points index. */
export interface Level {
  readonly key: LevelKey;
  readonly label: LevelLabel;
  readonly satisfied: boolean;
  readonly points: number;
}

/** A rating scale: `levels` ordered best first (button 1 = `levels[0]`). */
export interface Scale {
  readonly id: string;
  readonly levels: readonly Level[];
}

/** Catalogue labels, with the diacritics used in official reports. */
export const LEVEL_LABELS: Readonly<Record<LevelKey, LevelLabel>> = Object.freeze({
  'rat-hai-long': Object.freeze({ vi: 'Rất hài lòng', en: 'Very satisfied' }),
  'hai-long': Object.freeze({ vi: 'Hài lòng', en: 'Satisfied' }),
  'binh-thuong': Object.freeze({ vi: 'Bình thường', en: 'Neutral' }),
  'khong-hai-long': Object.freeze({ vi: 'Không hài lòng', en: 'Dissatisfied' }),
  'rat-khong-hai-long': Object.freeze({ vi: 'Rất không hài lòng', en: 'Very dissatisfied' }),
});

/** True when `value` is a catalogue level key. */
export function isLevelKey(value: unknown): value is LevelKey {
  return typeof value === 'string' && (LEVEL_KEYS as readonly string[]).includes(value);
}

// Reports count "hài lòng và rất hài lòng" as satisfied; everything else is not.
function defaultSatisfied(key: LevelKey): boolean {
  return key === 'rat-hai-long' || key === 'hai-long';
}

function builtin(id: string, levels: ReadonlyArray<readonly [LevelKey, number]>): Scale {
  const frozen = levels.map(([key, points]) => Object.freeze({ key, label: LEVEL_LABELS[key], satisfied: defaultSatisfied(key), points }));
  return Object.freeze({ id, levels: Object.freeze(frozen) });
}

/** The official 3-level scale (TT 01/2018/TT-VPCP-style 2/1/0 points); the default. */
export const SCALE_3: Scale = builtin('scale-3', [
  ['rat-hai-long', 2],
  ['hai-long', 1],
  ['khong-hai-long', 0],
]);

/** 4 levels with a neutral middle: 3/2/1/0 points; satisfied = RHL, HL. */
export const SCALE_4: Scale = builtin('scale-4', [
  ['rat-hai-long', 3],
  ['hai-long', 2],
  ['binh-thuong', 1],
  ['khong-hai-long', 0],
]);

/** The 5-level Likert scale: 4..0 points; satisfied = RHL, HL. */
export const SCALE_5: Scale = builtin('scale-5', [
  ['rat-hai-long', 4],
  ['hai-long', 3],
  ['binh-thuong', 2],
  ['khong-hai-long', 1],
  ['rat-khong-hai-long', 0],
]);

/** The scale used when none is configured. */
export const DEFAULT_SCALE: Scale = SCALE_3;

/** The built-in scales by id. */
export const BUILTIN_SCALES: readonly Scale[] = Object.freeze([SCALE_3, SCALE_4, SCALE_5]);

/** Largest number of levels (= buttons on a box). */
export const MAX_LEVELS = 9;

/** Largest points value a level may carry. */
export const MAX_POINTS = 1000;

/** The built-in scale with this id, or undefined. */
export function builtinScale(id: string): Scale | undefined {
  return BUILTIN_SCALES.find((s) => s.id === id);
}

/** Position of `key` in `scale.levels`, or -1 when the scale has no such level. */
export function levelIndex(scale: Scale, key: string): number {
  return scale.levels.findIndex((l) => l.key === key);
}

/** Highest points of any level (the denominator unit of the points index). */
export function maxPoints(scale: Scale): number {
  return scale.levels.reduce((m, l) => Math.max(m, l.points), 0);
}

/** The keys of a scale's levels, in order. */
export function scaleKeys(scale: Scale): LevelKey[] {
  return scale.levels.map((l) => l.key);
}

function sameLevels(a: Scale, b: Scale): boolean {
  return (
    a.levels.length === b.levels.length &&
    a.levels.every((l, i) => {
      const m = b.levels[i];
      return (
        m !== undefined &&
        l.key === m.key &&
        l.points === m.points &&
        l.satisfied === m.satisfied &&
        l.label.vi === m.label.vi &&
        l.label.en === m.label.en
      );
    })
  );
}

function readLevel(value: unknown, field: string): Level {
  const o = objectAt(value, field);
  const key = enumAt(requiredField(o, 'key', fieldPath(field, 'key')), fieldPath(field, 'key'), LEVEL_KEYS);
  const pointsField = fieldPath(field, 'points');
  const points = intIn(requiredField(o, 'points', pointsField), pointsField, 0, MAX_POINTS);
  const rawSatisfied = optionalField(o, 'satisfied');
  const satisfied = rawSatisfied === undefined ? defaultSatisfied(key) : booleanAt(rawSatisfied, fieldPath(field, 'satisfied'));
  const rawLabel = optionalField(o, 'label');
  let label = LEVEL_LABELS[key];
  if (rawLabel !== undefined) {
    const lf = fieldPath(field, 'label');
    const lo = objectAt(rawLabel, lf);
    label = {
      vi: textAt(requiredField(lo, 'vi', fieldPath(lf, 'vi')), fieldPath(lf, 'vi'), 64),
      en: textAt(requiredField(lo, 'en', fieldPath(lf, 'en')), fieldPath(lf, 'en'), 64),
    };
  }
  return { key, label, satisfied, points };
}

/**
 * Reads a scale at `field` ('' for a payload root): a built-in id
 * (`scale-3`), a bare level count (3, 4, 5) or `{ id, levels }`.
 * Used by `parseScale` and by payloads that embed a scale.
 */
export function readScale(value: unknown, field: string): Scale {
  const name = field === '' ? 'scale' : field;
  const where = field === '' ? undefined : field;
  if (typeof value === 'number' || typeof value === 'string') {
    const found = builtinScale(typeof value === 'number' ? `scale-${value}` : value);
    if (found === undefined) {
      reject('bad-enum', `${name} ${show(String(value))} is not a built-in scale (3, 4, 5 or scale-3/4/5)`, where);
    }
    return found;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    reject('not-object', `${name} must be a scale object, id or level count, got ${typeName(value)}`, where);
  }
  const idField = fieldPath(field, 'id');
  const id = idAt(requiredField(value, 'id', idField), idField);
  const levelsField = fieldPath(field, 'levels');
  const raw = arrayAt(requiredField(value, 'levels', levelsField), levelsField, MAX_LEVELS);
  if (raw.length < 2) {
    reject('out-of-range', `${levelsField} has ${raw.length} levels, a scale needs 2–9`, levelsField);
  }
  const levels: Level[] = [];
  raw.forEach((item, i) => {
    const f = itemPath(levelsField, i);
    const level = readLevel(item, f);
    const prev = levels[i - 1];
    if (levels.some((l) => l.key === level.key)) reject('duplicate', `${f}.key ${level.key} appears twice`, `${f}.key`);
    // Best first, so that button 1 is always the best level: keys follow the
    // catalogue order, points never rise, satisfied levels come first.
    if (prev !== undefined && LEVEL_KEYS.indexOf(prev.key) > LEVEL_KEYS.indexOf(level.key)) {
      reject('bad-order', `${f}.key ${level.key} is better than the level before it (order is best first)`, `${f}.key`);
    }
    if (prev !== undefined && level.points > prev.points) {
      reject('bad-order', `${f}.points ${level.points} exceeds the level before it (best first)`, `${f}.points`);
    }
    if (prev !== undefined && level.satisfied && !prev.satisfied) {
      reject('bad-order', `${f}.satisfied follows an unsatisfied level (satisfied first)`, `${f}.satisfied`);
    }
    levels.push(level);
  });
  if (!levels.some((l) => l.satisfied) || levels.every((l) => l.satisfied)) {
    reject('inconsistent', `${levelsField} needs at least one satisfied and one unsatisfied level`, levelsField);
  }
  const scale: Scale = { id, levels };
  const same = builtinScale(id);
  if (same !== undefined) {
    // A built-in id always means the built-in scale, so reports stay comparable.
    if (!sameLevels(same, scale)) reject('bad-id', `${idField} ${id} is reserved for the built-in scale`, idField);
    return same;
  }
  return scale;
}

/** Validates a configured scale (JSON text or value); the first problem is reported with its field path. */
export function parseScale(input: unknown): InputResult<Scale> {
  if (typeof input === 'string' && isId(input)) {
    // Config files and CLI flags may hold a bare id (`scale-4`, `4`) rather than JSON text.
    const id = input;
    return decodeWith(null, 0, () => readScale(/^[0-9]+$/.test(id) ? Number(id) : id, ''));
  }
  return decodeWith(input, 16384, (root) => readScale(root, ''));
}

/** The level for a 1-based button number; `out-of-range` when the scale has fewer levels. */
export function levelOfButton(scale: Scale, button: number): Result<Level, 'bad-type' | 'out-of-range'> {
  if (typeof button !== 'number' || !Number.isInteger(button)) {
    return err('bad-type', `button must be an integer, got ${String(button)}`, 'button');
  }
  const level = scale.levels[button - 1];
  return level === undefined
    ? err('out-of-range', `button ${button} is outside 1..${scale.levels.length} for ${scale.id}`, 'button')
    : ok(level);
}
