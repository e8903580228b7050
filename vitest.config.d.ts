/**
 * Chromium flags for this machine: headless as root with no network beyond
 * loopback; the background-networking flags stop Chromium dialling out
 * (FIELD-NOTES, "Browsers").
 */
export declare const CHROMIUM_ARGS: string[];
/** Debian's Chromium: `npx playwright install` cannot download here. */
export declare const CHROMIUM_PATH: string;
/**
 * Test projects:
 * - core: the pure survey core and the protocol codec, under Node;
 * - node: the bridge and other Node-side code, with real brokers and ptys;
 * - browser: the web apps and the core, in real headless Chromium.
 */
declare const _default: import("vite").UserConfig;
export default _default;
