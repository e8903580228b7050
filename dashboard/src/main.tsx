/**
 * Start-up: render at once (the shell is precached, figures come from
 * IndexedDB in a few ms), then connect to the broker — MQTT.js is loaded
 * lazily, so the first paint never waits for it.
 */
import { render } from 'preact';
import { browserNotifier } from './alerts/notifier.ts';
import { openCache } from './cache/idb-cache.ts';
import { connectMqtt } from './mqtt/mqtt-link.ts';
import { registerServiceWorker } from './pwa/register-sw.ts';
import { parseRoute } from './router/route.ts';
import { createAppState } from './state/app-state.ts';
import { browserVault } from './state/password-vault.ts';
import { DashboardStore } from './store/store.ts';
import { applyPalette } from './theme/palette.ts';
import { App } from './views/shell.tsx';
import './styles.css';

applyPalette(document.documentElement);
const app = createAppState({
  store: new DashboardStore(),
  connect: connectMqtt,
  openCache: () => openCache(),
  storage: window.localStorage,
  vault: browserVault(),
  location: window.location,
  notifier: browserNotifier(),
});
addEventListener('hashchange', () => app.navigate(parseRoute(location.hash)));
// Persist pending cache writes when the tab is hidden or closed.
addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && void app.flush());
render(<App app={app} />, document.getElementById('app')!);
void app.start();
registerServiceWorker((apply) => (app.update.value = apply));
