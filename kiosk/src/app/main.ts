/**
 * The kiosk app (index.html, also the iframe URL): one full-screen
 * `<hailong-kiosk>` whose attributes are the page's URL parameters, e.g.
 * `/kiosk/?district=ba-dinh&ward=phuc-xa&counter=quay-1&terminal=kiosk-1`.
 */
import { KIOSK_TAG } from '../element/define.ts';
import { OPTION_NAMES } from '../identity/kiosk-options.ts';
import { registerServiceWorker } from './register-sw.ts';

const params = new URLSearchParams(location.search);
const element = document.createElement(KIOSK_TAG);
element.classList.add('fill');
for (const name of OPTION_NAMES) {
  const value = params.get(name);
  if (value !== null) element.setAttribute(name, value);
}
document.documentElement.lang = params.get('lang') === 'en' ? 'en' : 'vi';
document.body.append(element);
// Not on the Vite dev server (hot reload and a precache fight); every build registers it,
// whatever NODE_ENV the build ran with.
if (import.meta.hot === undefined) registerServiceWorker(element);
