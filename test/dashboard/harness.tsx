/**
 * The dashboard app mounted in the test page (vitest browser mode, real
 * Chromium) with a fake link at the MQTT seam: tests feed it real payloads
 * (core `publicationFor`, see fixtures.ts) and read the DOM.
 */
import { render } from 'preact';
import { afterEach } from 'vitest';
import type { Publication } from '../../core/index.ts';
import type { LinkHandlers, LinkOptions } from '../../dashboard/src/mqtt/link.ts';
import { createAppState } from '../../dashboard/src/state/app-state.ts';
import type { AppState } from '../../dashboard/src/state/app-state.ts';
import type { PasswordVault } from '../../dashboard/src/state/password-vault.ts';
import { DashboardStore } from '../../dashboard/src/store/store.ts';
import { applyPalette } from '../../dashboard/src/theme/palette.ts';
import { App } from '../../dashboard/src/views/shell.tsx';
import { afterFirstOpening, insideOneDay } from '../helpers/local-days.ts';
import { FakeBridge, officePub, sessionPub, statusPub } from './fixtures.ts';

const started = Date.now();
/**
 * The app's "now" when the test file started: live votes are placed up to a
 * minute before it, and a file runs for well under ten minutes. It is the
 * real time unless that would put a Hà Nội midnight among them (the votes
 * yesterday's, or a "today" changing under a test): then 00:01 of the next
 * day; and on a month's first morning, two hours after its first opening,
 * where "this month" holds generated history (test/helpers/local-days.ts).
 * Tests that compute periods themselves take their "today" from it.
 */
export const NOW = afterFirstOpening(insideOneDay(started, 60_000, 10 * 60_000));
/** The app's clock: the real clock moved as far as `NOW` is from the real start. */
export const testNow = (): number => Date.now() + (NOW - started);

/** A mounted app. */
export interface Harness {
  app: AppState;
  el: HTMLElement;
  connects: { options: LinkOptions; handlers: LinkHandlers }[];
  /** Filters added to the live link after connecting (a hub unit's tallies on drill-down). */
  subscribes: string[];
  /** The SUBACK callbacks of those subscriptions: a test calls them when the "broker" acknowledges. */
  subacks: (() => void)[];
  storage: Map<string, string>;
  publish(...pubs: Publication[]): Promise<void>;
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** Lets signals and renders settle. */
export const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

/** Mounts the app with a location and initial localStorage entries. */
export async function mount(search = '', hash = '', initial: Record<string, string> = {}, vault?: PasswordVault): Promise<Harness> {
  cleanup?.();
  const storage = new Map(Object.entries(initial));
  const connects: Harness['connects'] = [];
  const subscribes: string[] = [];
  const subacks: (() => void)[] = [];
  const app = createAppState({
    store: new DashboardStore({ now: testNow }),
    connect: (options, handlers) => {
      connects.push({ options, handlers });
      return {
        close() {},
        subscribe: (filter, onSubscribed) => {
          subscribes.push(...(typeof filter === 'string' ? [filter] : filter));
          if (onSubscribed !== undefined) subacks.push(onSubscribed);
        },
      };
    },
    storage: {
      getItem: (k) => storage.get(k) ?? null,
      setItem: (k, v) => void storage.set(k, v),
      removeItem: (k) => void storage.delete(k),
    },
    location: { protocol: 'http:', host: 'office.local:8080', search, hash },
    throttleMs: 5,
    now: testNow,
    ...(vault === undefined ? {} : { vault }),
  });
  const el = document.createElement('div');
  document.body.append(el);
  applyPalette(document.documentElement);
  render(<App app={app} />, el);
  await app.start();
  cleanup = () => {
    app.stop();
    render(null, el);
    el.remove();
    cleanup = undefined;
  };
  return {
    app,
    el,
    connects,
    subscribes,
    subacks,
    storage,
    async publish(...pubs) {
      const enc = new TextEncoder();
      for (const p of pubs) connects.at(-1)!.handlers.onMessage(p.topic, enc.encode(p.payload));
      await tick();
    },
  };
}

/** An element's text with whitespace collapsed. */
export const text = (el: Element | null | undefined) => el?.textContent?.replace(/\s+/g, ' ').trim();

/** The texts of a table row's cells. */
export const cells = (row: Element | null | undefined) => [...((row as HTMLTableRowElement | null)?.cells ?? [])].map((c) => text(c));

/** The demo ward online: office, one terminal, an officer, four votes at quay-1 and one filtered press. */
export async function liveWard(h: Harness): Promise<FakeBridge> {
  h.connects[0]!.handlers.onState('online');
  const bridge = new FakeBridge();
  await h.publish(
    officePub(),
    statusPub('quay-1', 'q1-a', 'online', NOW - 60_000),
    sessionPub('quay-1', 'cb-1', 'Nguyễn Thị Lan', NOW - 60_000),
  );
  for (const level of ['rat-hai-long', 'hai-long', 'khong-hai-long', 'rat-hai-long'] as const) {
    await h.publish(...bridge.vote('quay-1', 'q1-a', level, NOW - 30_000, { officer: 'cb-1' }).publications);
  }
  await h.publish(...bridge.vote('quay-1', 'q1-a', 'hai-long', NOW - 29_000, { filtered: 'cooldown' }).publications);
  return bridge;
}
