/**
 * The dashboard's colours, checked against WCAG 2.x contrast (AA: 4.5:1
 * for text, 3:1 for large text and graphics) by test/dashboard/palette
 * tests. They are set as CSS custom properties at start-up, so the CSS
 * and the test use the very same values.
 */

/** Named colours of the light (office PC) theme and the dark (wall TV) theme. */
export const PALETTE = {
  light: {
    bg: '#f3f5f8',
    surface: '#ffffff',
    text: '#161b22',
    muted: '#4a5563',
    line: '#c9d1db',
    primary: '#0b5cad',
    onPrimary: '#ffffff',
    good: '#146c2e',
    bad: '#b3261e',
    warn: '#8a4b00',
    badBg: '#fdecea',
    warnBg: '#fff4e0',
    focus: '#0b5cad',
  },
  dark: {
    bg: '#0b0f14',
    surface: '#161d26',
    text: '#f2f5f8',
    muted: '#b6c2cf',
    line: '#3a4656',
    primary: '#7cb7ff',
    onPrimary: '#0b0f14',
    good: '#5fd38a',
    bad: '#ff8f85',
    warn: '#ffc266',
    badBg: '#3a1614',
    warnBg: '#3a2a10',
    focus: '#7cb7ff',
  },
} as const;

/** Colours of the rating levels in distribution bars (graphics: ≥ 3:1 against the surface). */
export const LEVEL_COLORS: Readonly<Record<string, string>> = {
  'rat-hai-long': '#146c2e',
  'hai-long': '#3f8f52',
  'binh-thuong': '#6b7785',
  'khong-hai-long': '#c62828',
  'rat-khong-hai-long': '#7f1d1d',
};

/** Text / background pairs the UI uses, for the contrast test. */
export const TEXT_PAIRS: readonly (readonly [theme: 'light' | 'dark', fg: string, bg: string])[] = [
  ['light', 'text', 'bg'],
  ['light', 'text', 'surface'],
  ['light', 'muted', 'surface'],
  ['light', 'muted', 'bg'],
  ['light', 'primary', 'surface'],
  ['light', 'onPrimary', 'primary'],
  ['light', 'good', 'surface'],
  ['light', 'bad', 'surface'],
  ['light', 'bad', 'badBg'],
  ['light', 'warn', 'warnBg'],
  ['light', 'warn', 'surface'],
  ['dark', 'text', 'bg'],
  ['dark', 'text', 'surface'],
  ['dark', 'muted', 'surface'],
  ['dark', 'good', 'surface'],
  ['dark', 'bad', 'surface'],
  ['dark', 'warn', 'surface'],
  ['dark', 'primary', 'surface'],
  ['dark', 'bad', 'badBg'],
];

function channel(hex: string, i: number): number {
  const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Relative luminance of `#rrggbb` (WCAG 2.x definition). */
export function luminance(hex: string): number {
  return 0.2126 * channel(hex, 0) + 0.7152 * channel(hex, 1) + 0.0722 * channel(hex, 2);
}

/** Contrast ratio of two `#rrggbb` colours, 1..21. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Sets the palette as CSS custom properties (`--bg`, `--text`, … and `--tv-bg`, …). */
export function applyPalette(root: HTMLElement): void {
  for (const [name, value] of Object.entries(PALETTE.light)) root.style.setProperty(`--${name}`, value);
  for (const [name, value] of Object.entries(PALETTE.dark)) root.style.setProperty(`--tv-${name}`, value);
  for (const [name, value] of Object.entries(LEVEL_COLORS)) root.style.setProperty(`--lv-${name}`, value);
}
