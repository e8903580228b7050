/**
 * The one way both web apps build their service worker: vite-plugin-pwa's
 * `injectManifest` strategy (https://vite-pwa-org.netlify.app/guide/inject-manifest.html).
 * Once the app is written, it builds `<app>/sw/sw.ts` with Vite into a classic
 * `sw.js` next to the page and replaces `self.__WB_MANIFEST` in it with the
 * precache list Workbox computes from the output folder (`[{url, revision}]`;
 * files under `assets/` carry Vite's content hash in their name and get no
 * revision). Each worker keeps its own cache version constant in its source.
 */
import type { LogLevel, PluginOption } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/** Options of {@link serviceWorkerPlugin}. */
export interface ServiceWorkerPluginOptions {
  /**
   * Globs (relative to the output folder) of written files left out of the
   * precache, besides source maps and the worker itself.
   * @default []
   */
  readonly ignore?: readonly string[];
}

/**
 * A plugin that defines `__SERVICE_WORKER__` for the page: true in builds (a
 * worker exists), false on the dev server. Not `import.meta.env.PROD`, which
 * follows NODE_ENV (vitest sets it to "test", and a build made inside a test
 * would then skip the worker).
 */
function serviceWorkerFlag(onLogLevel: (level: LogLevel) => void): PluginOption {
  return {
    name: 'hailong-service-worker-flag',
    config(_, { command }) {
      return { define: { __SERVICE_WORKER__: JSON.stringify(command === 'build') } };
    },
    configResolved(config) {
      onLogLevel(config.logLevel ?? 'info');
    },
  };
}

/**
 * Workbox keeps its development logging and assertions unless
 * `process.env.NODE_ENV` is "production"; vite-plugin-pwa takes the build's
 * NODE_ENV, which vitest sets to "test", so a worker built inside a test
 * would otherwise be the larger development one.
 */
function productionWorkbox(): PluginOption {
  return {
    name: 'hailong-service-worker-production',
    config() {
      return { define: { 'process.env.NODE_ENV': JSON.stringify('production') } };
    },
  };
}

/**
 * The service-worker plugins of a web app whose Vite `root` holds `sw/sw.ts`.
 * The page registers `./sw.js` itself with workbox-window (so no
 * registration script is injected) and ships its own web manifest, if any.
 */
export function serviceWorkerPlugin(options: ServiceWorkerPluginOptions = {}): PluginOption[] {
  // The worker's own Vite build logs as the app's does (quiet in tests).
  let logLevel: LogLevel = 'info';
  return [
    serviceWorkerFlag((level) => {
      logLevel = level;
    }),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'sw.ts',
      injectRegister: false,
      manifest: false,
      integration: {
        configureCustomSWViteBuild(inlineConfig) {
          inlineConfig.logLevel = logLevel;
        },
      },
      injectManifest: {
        // A classic script runs wherever service workers do; a module one needs
        // `type: 'module'` support (MDN, ServiceWorkerContainer.register(), browser compatibility).
        rollupFormat: 'iife',
        minify: true,
        sourcemap: false,
        buildPlugins: { vite: [productionWorkbox()] },
        // Workbox's default takes only js/css/html; the apps' icons, web
        // manifest and HTML shells must open offline too.
        globPatterns: ['**/*'],
        globIgnores: ['**/*.map', 'sw.js', ...(options.ignore ?? [])],
      },
    }),
  ];
}
