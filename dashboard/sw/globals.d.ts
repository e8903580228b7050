/** Injected at build time by dashboard/vite.config.ts: every file of the build with its revision. */
declare const __PRECACHE_MANIFEST__: Array<{ url: string; revision: string | null }>;
/** The cache version (bump `SW_CACHE_VERSION` in vite.config.ts to drop every old cache). */
declare const __CACHE_VERSION__: string;
