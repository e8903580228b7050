/**
 * Reasons a citizen may give after a low rating ("Chưa hài lòng về điều
 * gì?"). Votes and configs carry reason ids; this catalogue gives the
 * standard ones their Vietnamese and English labels, so the kiosk, the
 * dashboard and reports spell them the same way. Offices may configure
 * other ids; those show as the id itself.
 */
import type { LevelLabel } from './scale.ts';

/** A reason id with its labels. */
export interface Reason {
  readonly id: string;
  readonly label: LevelLabel;
}

/** The standard reasons, in the order a kiosk offers them. */
export const STANDARD_REASONS: readonly Reason[] = Object.freeze([
  { id: 'thai-do', label: { vi: 'Thái độ phục vụ', en: 'Staff attitude' } },
  { id: 'thoi-gian-cho', label: { vi: 'Thời gian chờ', en: 'Waiting time' } },
  { id: 'huong-dan', label: { vi: 'Hướng dẫn chưa rõ', en: 'Unclear guidance' } },
  { id: 'thu-tuc', label: { vi: 'Thủ tục phức tạp', en: 'Complicated procedure' } },
  { id: 'phi-le-phi', label: { vi: 'Phí, lệ phí', en: 'Fees and charges' } },
  { id: 'khac', label: { vi: 'Khác', en: 'Other' } },
]);

/** The standard reason ids, for configs that do not list their own. */
export const STANDARD_REASON_IDS: readonly string[] = Object.freeze(STANDARD_REASONS.map((r) => r.id));

/** The label of a reason id in `locale`; an unknown id is shown as itself. */
export function reasonLabel(id: string, locale: 'vi' | 'en' = 'vi'): string {
  return STANDARD_REASONS.find((r) => r.id === id)?.label[locale] ?? id;
}
