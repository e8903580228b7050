/**
 * Every text the kiosk shows or speaks, Vietnamese first (with the
 * diacritics of official reports), English second. Level and reason labels
 * come from the core catalogues (core/scale.ts, core/reason.ts).
 */
import { reasonLabel } from '../../../core/index.ts';
import type { Level } from '../../../core/index.ts';
import type { OptionName, OptionProblem } from '../identity/kiosk-options.ts';

/** Display languages. */
export type Lang = 'vi' | 'en';

/** The message catalogue of one language. */
export interface Messages {
  readonly question: string;
  readonly gatedWaiting: string;
  readonly gatedOpen: string;
  readonly ticket: (t: string) => string;
  readonly officer: (name: string) => string;
  /** A dossier code read from the receipt is waiting for the vote (issue 15). */
  readonly dossier: (code: string) => string;
  /** What was scanned is not a dossier code. */
  readonly scanRefused: string;
  /** Camera button: read the code on the receipt. */
  readonly scanCamera: string;
  readonly scanCancel: string;
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
  readonly link: { readonly online: string; readonly connecting: string; readonly offline: string; readonly refused: string };
  readonly pending: (n: number) => string;
  readonly notConfigured: string;
  readonly askStaff: string;
  /** A configuration problem in words, naming the parameter. */
  readonly problem: (p: OptionProblem) => string;
  readonly settings: {
    readonly place: string;
    readonly counterTerminal: string;
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
    /** Of those waiting: sent, the bridge's receipt not yet in (the broker has them, the journal may not). */
    readonly unconfirmed: string;
    readonly lastSent: string;
    readonly problems: string;
    readonly none: string;
    /** The staff page without a PIN set at provisioning. */
    readonly noPin: string;
    /** Locked after wrong PINs; `{s}` = seconds left. */
    readonly locked: string;
    /** Under the password field: it is never shown again. */
    readonly passwordKept: string;
    /** A new broker needs its password typed again. */
    readonly passwordForBroker: string;
  };
}

const vi: Messages = {
  question: 'Ông/Bà có hài lòng với sự phục vụ hôm nay không?',
  dossier: (code) => `Đánh giá cho hồ sơ ${code}`,
  scanRefused: 'Không đọc được mã hồ sơ. Vui lòng quét lại mã trên giấy hẹn trả kết quả.',
  scanCamera: 'Quét mã hồ sơ trên giấy hẹn',
  scanCancel: 'Đóng máy ảnh',
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
    `Một thiết bị khác đã mở địa chỉ của máy đánh giá ${t} trước thiết bị này. ` +
    'Để hai thiết bị không tranh nhau một kết nối và không trùng số phiếu, thiết bị này tạm dừng nhận đánh giá. Vui lòng báo cán bộ.',
  conflictRetry: 'Thử lại',
  levelsGroup: 'Mức độ hài lòng',
  reasonsGroup: 'Lý do chưa hài lòng',
  contrastToggle: 'Chữ lớn, tương phản cao',
  voiceToggle: 'Đọc câu hỏi',
  link: { online: 'Đã kết nối', connecting: 'Đang kết nối', offline: 'Mất kết nối', refused: 'Máy chủ từ chối tài khoản' },
  pending: (n) => `${new Intl.NumberFormat('vi-VN').format(n)} phiếu chờ gửi`,
  notConfigured: 'Thiết bị chưa được cấu hình.',
  askStaff: 'Vui lòng liên hệ cán bộ.',
  problem: (p) => {
    const what = VI_OPTION[p.option];
    switch (p.code) {
      case 'missing':
        return `Thiếu ${what} (tham số “${p.option}”)`;
      case 'not-id':
        return `${capital(what)} “${p.value ?? ''}” không hợp lệ: chỉ dùng chữ thường không dấu, số và dấu gạch ngang, tối đa 32 ký tự (tham số “${p.option}”)`;
      case 'not-url':
        return `Địa chỉ máy chủ “${p.value ?? ''}” phải bắt đầu bằng ws:// hoặc wss:// (tham số “${p.option}”)`;
      case 'bad-lang':
        return `Ngôn ngữ “${p.value ?? ''}” không hỗ trợ: chọn vi hoặc en (tham số “${p.option}”)`;
      case 'bad-pin':
        return `Mã PIN phải gồm 4–8 chữ số (tham số “${p.option}”)`;
      case 'secret-in-url':
        return `Không được ghi ${what} trong địa chỉ trang: hãy cài đặt thiết bị bằng mã cài đặt một lần (tham số “provision”) (tham số “${p.option}”)`;
      case 'bad-ms':
        return `${capital(what)} “${p.value ?? ''}” phải là số mili giây từ ${p.range?.[0] ?? ''} đến ${p.range?.[1] ?? ''} (tham số “${p.option}”)`;
      case 'bad-stage':
        return `Giai đoạn “${p.value ?? ''}” không hợp lệ: chọn tiep-nhan (tiếp nhận) hoặc tra-ket-qua (trả kết quả) (tham số “${p.option}”)`;
      case 'bad-seq-base':
        return `Cách đánh số phiếu “${p.value ?? ''}” không hợp lệ: chọn clock hoặc zero (tham số “${p.option}”)`;
    }
  },
  settings: {
    place: 'Đơn vị cấp trên / phường, xã',
    counterTerminal: 'Quầy / thiết bị',
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
    unconfirmed: 'Trong đó đã gửi, chờ máy chủ xác nhận',
    lastSent: 'Lần máy chủ xác nhận gần nhất',
    problems: 'Lỗi đã gặp',
    none: 'Không có',
    noPin:
      'Thiết bị chưa được đặt mã PIN nên không mở được trang cài đặt. Hãy cài đặt lại thiết bị bằng mã cài đặt một lần, với mã PIN ghi trong cấu hình (xem kiosk/README.md).',
    locked: 'Nhập sai mã PIN quá nhiều lần. Vui lòng thử lại sau {s} giây.',
    passwordKept: 'Để trống để giữ mật khẩu đã lưu (mật khẩu không bao giờ được hiển thị lại).',
    passwordForBroker: 'Đổi máy chủ thì phải nhập lại mật khẩu cho máy chủ mới.',
  },
};

const en: Messages = {
  question: 'Were you satisfied with our service today?',
  dossier: (code) => `Rating for dossier ${code}`,
  scanRefused: 'The dossier code could not be read. Please scan the code on your receipt again.',
  scanCamera: 'Scan the dossier code on your receipt',
  scanCancel: 'Close the camera',
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
  link: { online: 'Connected', connecting: 'Connecting', offline: 'Offline', refused: 'Account refused by the server' },
  pending: (n) => `${new Intl.NumberFormat('en-US').format(n)} waiting to be sent`,
  notConfigured: 'This device is not configured.',
  askStaff: 'Please ask a member of staff.',
  problem: (p) => {
    const what = EN_OPTION[p.option];
    switch (p.code) {
      case 'missing':
        return `The ${what} is missing (parameter “${p.option}”)`;
      case 'not-id':
        return `${capital(what)} “${p.value ?? ''}” is not valid: use lower-case letters without accents, digits and hyphens, at most 32 (parameter “${p.option}”)`;
      case 'not-url':
        return `The server address “${p.value ?? ''}” must start with ws:// or wss:// (parameter “${p.option}”)`;
      case 'bad-lang':
        return `Language “${p.value ?? ''}” is not supported: choose vi or en (parameter “${p.option}”)`;
      case 'bad-pin':
        return `The PIN must be 4–8 digits (parameter “${p.option}”)`;
      case 'secret-in-url':
        return `The ${what} must not be in the page address: set the device up with its one-time code (parameter “provision”) (parameter “${p.option}”)`;
      case 'bad-ms':
        return `${capital(what)} “${p.value ?? ''}” must be milliseconds from ${p.range?.[0] ?? ''} to ${p.range?.[1] ?? ''} (parameter “${p.option}”)`;
      case 'bad-stage':
        return `Stage “${p.value ?? ''}” is not valid: choose tiep-nhan (receiving) or tra-ket-qua (returning the result) (parameter “${p.option}”)`;
      case 'bad-seq-base':
        return `Vote numbering “${p.value ?? ''}” is not valid: choose clock or zero (parameter “${p.option}”)`;
    }
  },
  settings: {
    place: 'Parent unit / ward',
    counterTerminal: 'Counter / terminal',
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
    unconfirmed: 'Of which sent, awaiting the bridge’s receipt',
    lastSent: 'Last confirmed by the bridge',
    problems: 'Problems seen',
    none: 'None',
    noPin:
      'No PIN was set for this device, so its settings cannot be opened. Set the device up again with its one-time code and the PIN in the config (see kiosk/README.md).',
    locked: 'Too many wrong PINs. Please try again in {s} seconds.',
    passwordKept: 'Leave empty to keep the saved password (it is never shown again).',
    passwordForBroker: 'A new server needs its password typed again.',
  },
};

// What each parameter names, in words (parameter names stay as they are: staff type them in URLs).
const VI_OPTION: Readonly<Record<OptionName, string>> = {
  district: 'mã đơn vị cấp trên (quận/huyện hoặc tỉnh/thành phố)',
  ward: 'mã phường/xã',
  counter: 'mã quầy',
  terminal: 'mã thiết bị',
  broker: 'địa chỉ máy chủ',
  username: 'tên đăng nhập',
  password: 'mật khẩu',
  lang: 'ngôn ngữ',
  voice: 'giọng nói',
  contrast: 'chế độ tương phản',
  pin: 'mã PIN',
  provision: 'mã cài đặt',
  'thanks-ms': 'thời gian màn hình cảm ơn',
  'reason-timeout-ms': 'thời gian chờ chọn lý do',
  stage: 'giai đoạn hồ sơ',
  'seq-base': 'cách đánh số phiếu',
};

const EN_OPTION: Readonly<Record<OptionName, string>> = {
  district: 'parent unit id (district or province)',
  ward: 'ward id',
  counter: 'counter id',
  terminal: 'terminal id',
  broker: 'server address',
  username: 'user name',
  password: 'password',
  lang: 'language',
  voice: 'voice',
  contrast: 'contrast mode',
  pin: 'PIN',
  provision: 'set-up code',
  'thanks-ms': 'thank-you screen time',
  'reason-timeout-ms': 'reason choice timeout',
  stage: 'dossier stage',
  'seq-base': 'vote numbering',
};

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

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
