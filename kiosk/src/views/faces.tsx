/**
 * Inline SVG faces for the level buttons, one per catalogue level (no
 * image requests, crisp at any size, work offline). Decorative: the button
 * carries the accessible name (the level label).
 */
import type { LevelKey } from '../../../core/index.ts';

/** Tone of each level (WCAG AA on white for the label text). */
export const LEVEL_TONES: Readonly<Record<LevelKey, string>> = {
  'rat-hai-long': '#116329',
  'hai-long': '#2f7d1f',
  'binh-thuong': '#8a5a00',
  'khong-hai-long': '#b42318',
  'rat-khong-hai-long': '#8c0e22',
};

const FILL: Readonly<Record<LevelKey, string>> = {
  'rat-hai-long': '#2da44e',
  'hai-long': '#8cc63f',
  'binh-thuong': '#f2c94c',
  'khong-hai-long': '#f08a5d',
  'rat-khong-hai-long': '#e5484d',
};

const MOUTHS: Readonly<Record<LevelKey, string>> = {
  'rat-hai-long': 'M27 57 Q50 88 73 57 Z',
  'hai-long': 'M31 61 Q50 78 69 61',
  'binh-thuong': 'M33 66 L67 66',
  'khong-hai-long': 'M32 72 Q50 57 68 72',
  'rat-khong-hai-long': 'M29 76 Q50 52 71 76',
};

/** A face for `level`. */
export function Face({ level }: { level: LevelKey }) {
  const closed = level === 'rat-hai-long';
  const sad = level === 'rat-khong-hai-long';
  return (
    <svg viewBox="0 0 100 100" aria-hidden="true" focusable="false">
      <circle cx="50" cy="50" r="46" fill={FILL[level]} stroke="#1f2937" stroke-opacity="0.18" stroke-width="2" />
      {closed ? (
        <g fill="none" stroke="#1f2937" stroke-width="5" stroke-linecap="round">
          <path d="M29 41 Q36 33 43 41" />
          <path d="M57 41 Q64 33 71 41" />
        </g>
      ) : (
        <g fill="#1f2937">
          <circle cx="36" cy="40" r="6" />
          <circle cx="64" cy="40" r="6" />
        </g>
      )}
      {sad ? (
        <g fill="none" stroke="#1f2937" stroke-width="4" stroke-linecap="round">
          <path d="M26 28 L42 33" />
          <path d="M74 28 L58 33" />
        </g>
      ) : null}
      <path
        d={MOUTHS[level]}
        fill={closed ? '#1f2937' : 'none'}
        stroke="#1f2937"
        stroke-width="5"
        stroke-linecap="round"
        stroke-linejoin="round"
      />
    </svg>
  );
}

/** The thank-you check mark. */
export function Check() {
  return (
    <svg viewBox="0 0 100 100" aria-hidden="true" focusable="false">
      <circle cx="50" cy="50" r="46" fill="#1a7f37" />
      <path d="M28 52 L44 67 L73 36" fill="none" stroke="#ffffff" stroke-width="9" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}
