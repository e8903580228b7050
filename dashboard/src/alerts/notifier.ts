/**
 * The Notification API adapter: alerts reach a supervisor who is looking at
 * another window, when the browser allows it (the user grants permission
 * with a button; it is never requested unasked).
 */
import type { Notifier } from '../state/app-state.ts';

/** The browser's notifier, or one that reports 'unsupported'. */
export function browserNotifier(): Notifier {
  const supported = typeof Notification !== 'undefined';
  return {
    permission: () => (supported ? Notification.permission : 'unsupported'),
    request: async () => (supported ? Notification.requestPermission() : 'unsupported'),
    show(title, body, tag) {
      if (!supported || Notification.permission !== 'granted') return;
      try {
        new Notification(title, { body, tag, lang: document.documentElement.lang || 'vi' });
      } catch {
        // Some platforms only allow notifications from a service worker; the in-app list still shows it.
      }
    },
  };
}
