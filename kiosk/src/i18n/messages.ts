/**
 * Every text the kiosk shows or speaks, Vietnamese first (with the
 * diacritics of official reports), English second. Level and reason labels
 * come from the core catalogues (core/scale.ts, core/reason.ts).
 */
import { reasonLabel } from '../../../core/index.ts';
import type { Level } from '../../../core/index.ts';

/** Display languages. */
export type Lang = 'vi' | 'en';

/** The message catalogue of one language. */
export interface Messages {
  readonly question: string;
  readonly gatedWaiting: string;
  readonly gatedOpen: string;
  readonly ticket: (t: string) => string;
  readonly officer: (name: string) => string;
  readonly reasonsQuestion: string;
  readonly reasonsHint: string;
  readonly send: string;
  readonly skip: string;
  readonly thanks: string;
  readonly thanksDetail: string;
  readonly recorded: string;
  readonly notOpen: string;
  readonly storeFailed: string;
  /** Two devices on one kiosk address: this one gave way (issue 12). */
  readonly conflictTitle: string;
  readonly conflictDetail: (terminal: string) => string;
  readonly conflictRetry: string;
  readonly levelsGroup: string;
  readonly reasonsGroup: string;
  readonly contrastToggle: string;
  readonly voiceToggle: string;
  readonly link: { readonly online: string; readonly connecting: string; readonly offline: string };
  readonly pending: (n: number) => string;
  readonly notConfigured: string;
  readonly askStaff: string;
  readonly settings: {
    readonly title: string;
    readonly open: string;
    readonly pin: string;
    readonly unlock: string;
    readonly wrongPin: string;
    readonly identity: string;
    readonly broker: string;
    readonly username: string;
    readonly password: string;
    readonly newPin: string;
    readonly language: string;
    readonly voice: string;
    readonly contrast: string;
    readonly save: string;
    readonly saved: string;
    readonly reset: string;
    readonly reconnect: string;
    readonly close: string;
    readonly outbox: string;
    readonly highWater: string;
    readonly lastSent: string;
    readonly problems: string;
    readonly none: string;
  };
}

const vi: Messages = {
  question: 'Ông/Bà có hài lòng với sự phục vụ hôm nay không?',
  gatedWaiting: 'Mời Ông/Bà đánh giá sau khi cán bộ hoàn tất hồ sơ',
  gatedOpen: 'Mời Ông/Bà đánh giá sự phục vụ vừa rồi',
  ticket: (t) => `Số thứ tự ${t}`,
  officer: (name) => `Cán bộ: ${name}`,
  reasonsQuestion: 'Chưa hài lòng về điều gì?',
  reasonsHint: 'Có thể chọn nhiều ý (không bắt buộc)',
  send: 'Gửi đánh giá',
  skip: 'Bỏ qua',
  thanks: 'Cảm ơn Ông/Bà đã đánh giá!',
  thanksDetail: 'Ý kiến của Ông/Bà giúp chúng tôi phục vụ tốt hơn.',
  recorded: 'Đã ghi nhận',
  notOpen: 'Chưa đến lượt đánh giá: vui lòng chờ cán bộ hoàn tất hồ sơ.',
  storeFailed: 'Không lưu được đánh giá. Vui lòng báo cán bộ.',
  conflictTitle: 'Máy đánh giá này đang được dùng trên một thiết bị khác',
  conflictDetail: (t) =>
    `Một thiết bị khác đã mở địa chỉ của máy đánh giá ${t} trước thiết bị này. Để hai thiết bị không tranh nhau một kết nối và không trùng số phiếu, thiết bị này tạm dừng nhận đánh giá. Vui lòng báo cán bộ.`,
  conflictRetry: 'Thử lại',
  levelsGroup: 'Mức độ hài lòng',
  reasonsGroup: 'Lý do chưa hài lòng',
  contrastToggle: 'Chữ lớn, tương phản cao',
  voiceToggle: 'Đọc câu hỏi',
  link: { online: 'Đã kết nối', connecting: 'Đang kết nối', offline: 'Mất kết nối' },
  pending: (n) => `${new Intl.NumberFormat('vi-VN').format(n)} phiếu chờ gửi`,
  notConfigured: 'Thiết bị chưa được cấu hình.',
  askStaff: 'Vui lòng liên hệ cán bộ.',
  settings: {
    title: 'Cài đặt thiết bị',
    open: 'Mở cài đặt',
    pin: 'Mã PIN',
    unlock: 'Mở khóa',
    wrongPin: 'Sai mã PIN',
    identity: 'Thiết bị',
    broker: 'Máy chủ MQTT (ws:// hoặc wss://)',
    username: 'Tên đăng nhập',
    password: 'Mật khẩu',
    newPin: 'Mã PIN mới (4–8 chữ số)',
    language: 'Ngôn ngữ',
    voice: 'Đọc câu hỏi bằng giọng nói',
    contrast: 'Chữ lớn, tương phản cao',
    save: 'Lưu',
    saved: 'Đã lưu',
    reset: 'Khôi phục mặc định',
    reconnect: 'Kết nối lại',
    close: 'Đóng',
    outbox: 'Phiếu chờ gửi',
    highWater: 'Số thứ tự phiếu cao nhất',
    lastSent: 'Lần gửi gần nhất',
    problems: 'Lỗi đã gặp',
    none: 'Không có',
  },
};

const en: Messages = {
  question: 'Were you satisfied with our service today?',
  gatedWaiting: 'Please rate once the officer has finished your service',
  gatedOpen: 'Please rate the service you just received',
  ticket: (t) => `Ticket ${t}`,
  officer: (name) => `Officer: ${name}`,
  reasonsQuestion: 'What were you not satisfied with?',
  reasonsHint: 'Choose any that apply (optional)',
  send: 'Send',
  skip: 'Skip',
  thanks: 'Thank you for your feedback!',
  thanksDetail: 'Your opinion helps us serve you better.',
  recorded: 'Recorded',
  notOpen: 'Rating is not open yet: please wait until the officer has finished.',
  storeFailed: 'Your rating could not be saved. Please tell the staff.',
  conflictTitle: 'This rating terminal is in use on another device',
  conflictDetail: (t) =>
    `Another device opened the address of terminal ${t} before this one. So that the two do not fight over one connection or reuse vote numbers, this device has stopped taking ratings. Please tell the staff.`,
  conflictRetry: 'Try again',
  levelsGroup: 'Satisfaction',
  reasonsGroup: 'Reasons',
  contrastToggle: 'Large text, high contrast',
  voiceToggle: 'Read the question aloud',
  link: { online: 'Connected', connecting: 'Connecting', offline: 'Offline' },
  pending: (n) => `${new Intl.NumberFormat('en-US').format(n)} waiting to be sent`,
  notConfigured: 'This device is not configured.',
  askStaff: 'Please ask a member of staff.',
  settings: {
    title: 'Device settings',
    open: 'Open settings',
    pin: 'PIN',
    unlock: 'Unlock',
    wrongPin: 'Wrong PIN',
    identity: 'Device',
    broker: 'MQTT broker (ws:// or wss://)',
    username: 'User name',
    password: 'Password',
    newPin: 'New PIN (4–8 digits)',
    language: 'Language',
    voice: 'Read questions aloud',
    contrast: 'Large text, high contrast',
    save: 'Save',
    saved: 'Saved',
    reset: 'Restore defaults',
    reconnect: 'Reconnect',
    close: 'Close',
    outbox: 'Waiting to be sent',
    highWater: 'Highest vote number',
    lastSent: 'Last sent',
    problems: 'Problems seen',
    none: 'None',
  },
};

/** The catalogue of a language. */
export function messages(lang: Lang): Messages {
  return lang === 'en' ? en : vi;
}

/** A level's label in a language. */
export function levelLabel(level: Level, lang: Lang): string {
  return level.label[lang];
}

/** A reason's label in a language (unknown ids show as themselves). */
export function reasonText(id: string, lang: Lang): string {
  return reasonLabel(id, lang);
}
