import { defineConfig, type UserConfig } from 'vite';
import dashboard from './dashboard/vite.config.ts';
import kiosk from './kiosk/vite.config.ts';

/**
 * Builds one web app per mode: `vite build --mode dashboard` → dist/dashboard,
 * `vite build --mode kiosk` → dist/kiosk (`npm run build` runs both). Each app
 * owns its settings in `<app>/vite.config.ts`; this file only picks one, so the
 * two apps never edit the same config.
 */
const APPS: Readonly<Record<string, UserConfig>> = { dashboard, kiosk };

export default defineConfig(({ mode }) => APPS[mode] ?? dashboard);
