/** The sentence that describes an alert, in the current language, with place names. */
import { fill } from '../i18n/messages.ts';
import type { Messages } from '../i18n/messages.ts';
import { reasonLabel } from '../../../core/index.ts';
import type { Locale } from '../../../core/index.ts';
import { formatMoment } from '../i18n/format.ts';
import type { PlaceNames } from '../store/names.ts';
import type { Alert, AlertRules } from './rules.ts';

/** "Phường Phúc Xá · Quầy 1 – Tư pháp" for a counter, "… · quay-1-t1" for a terminal, the ward name for a bridge. */
export function alertPlace(alert: Alert, names: PlaceNames): string {
  const [d = '', w = '', c, term] = alert.place.split('/');
  const ward = names.ward(`${d}/${w}`);
  if (c === undefined) return ward;
  const counter = names.counter(`${d}/${w}/${c}`);
  return term === undefined ? `${ward} · ${counter}` : `${ward} · ${counter} · ${term}`;
}

/** "1 giờ", "2 giờ", "30 phút". */
function windowText(ms: number, t: Messages): string {
  const minutes = Math.round(ms / 60_000);
  return minutes % 60 === 0 ? fill(t.hours, { n: minutes / 60 }) : fill(t.minutesN, { n: minutes });
}

/** The alert's sentence. */
export function alertText(alert: Alert, t: Messages, names: PlaceNames, rules: AlertRules, now: number, locale: Locale): string {
  const place = alertPlace(alert, names);
  switch (alert.kind) {
    case 'low-satisfaction':
      return fill(t.alertLow, {
        place,
        unhappy: alert.unhappy ?? 0,
        votes: alert.votes ?? 0,
        minutes: Math.round(rules.windowMs / 60_000),
      });
    case 'reason-run': {
      const label = reasonLabel(alert.reason ?? '', locale);
      return fill(t.alertReason, {
        place,
        n: alert.unhappy ?? 0,
        reason: locale === 'vi' ? label.charAt(0).toLowerCase() + label.slice(1) : label.toLowerCase(),
        window: windowText(rules.reasonWindowMs, t),
      });
    }
    case 'stuffing':
      return fill(t.alertStuffing, { place, n: alert.filtered ?? 0, minutes: Math.round(rules.stuffingWindowMs / 60_000) });
    case 'terminal-offline':
      return fill(t.alertOffline, { place, time: formatMoment(alert.since, now, locale) });
    case 'bridge-offline':
      return fill(t.alertBridge, { place, time: formatMoment(alert.since, now, locale) });
  }
}
