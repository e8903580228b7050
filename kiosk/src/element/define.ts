/**
 * Entry of `hailong-kiosk.js`, the embeddable build: defines
 * `<hailong-kiosk>` (once, even if a host page includes the script twice).
 */
import { HailongKioskElement, KIOSK_TAG } from './hailong-kiosk-element.tsx';

if (customElements.get(KIOSK_TAG) === undefined) customElements.define(KIOSK_TAG, HailongKioskElement);

export { HailongKioskElement, KIOSK_TAG };
