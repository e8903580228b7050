/**
 * The level word of a Vietnamese administrative unit's configured name:
 * "Tỉnh Gia Lai" → "Tỉnh", "Xã Ia Grai" → "Xã", "Quận Ba Đình" → "Quận".
 * Headings of reports and exports say what the config says, never a
 * hard-coded "quận" (issue 11: since 1/7/2025 there are no districts, and
 * a hub may be a province). Pure.
 */

/** The level words of Vietnam's administrative units, longest first so "Thành phố" wins over a bare word. */
export const ADMIN_LEVEL_WORDS: readonly string[] = [
  'Thành phố',
  'Thị xã',
  'Thị trấn',
  'Đặc khu',
  'Phường',
  'Quận',
  'Huyện',
  'Tỉnh',
  'Xã',
  'Cơ sở',
];

/** The level word a name starts with (as configured, any case), or undefined when it has none. */
export function adminLevelWord(name: string): string | undefined {
  const lower = name.trim().toLocaleLowerCase('vi-VN');
  const word = ADMIN_LEVEL_WORDS.find(
    (w) => lower === w.toLocaleLowerCase('vi-VN') || lower.startsWith(`${w.toLocaleLowerCase('vi-VN')} `),
  );
  return word;
}

/** "Tỉnh", "Phường" … of the distinct configured names, joined with "/" in first-seen order; `fallback` when none has one. */
export function adminLevelWords(names: Iterable<string>, fallback: string): string {
  const words: string[] = [];
  for (const n of names) {
    const w = adminLevelWord(n);
    if (w !== undefined && !words.includes(w)) words.push(w);
  }
  if (words.length === 0) return fallback;
  return words.map((w, i) => (i === 0 ? w : w.toLocaleLowerCase('vi-VN'))).join('/');
}
