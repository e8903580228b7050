/** UI strings of the dashboard, Vietnamese first. */
export const MESSAGES = {
  vi: {
    title: 'Bảng theo dõi mức độ hài lòng',
    subtitle: 'Bộ phận tiếp nhận và trả kết quả',
    offline: 'Chưa kết nối tới máy chủ MQTT',
    target: 'Mục tiêu',
    scale: 'Thang đánh giá',
    satisfied: 'tính là hài lòng',
    points: 'điểm',
    language: 'English',
  },
  en: {
    title: 'Satisfaction dashboard',
    subtitle: 'One-stop service counters',
    offline: 'Not connected to the MQTT broker',
    target: 'Target',
    scale: 'Rating scale',
    satisfied: 'counts as satisfied',
    points: 'points',
    language: 'Tiếng Việt',
  },
} as const;

/** A supported UI language. */
export type Lang = keyof typeof MESSAGES;

/** Reads the language from `?lang=`, Vietnamese by default. */
export function langFromUrl(search: string): Lang {
  return new URLSearchParams(search).get('lang') === 'en' ? 'en' : 'vi';
}
