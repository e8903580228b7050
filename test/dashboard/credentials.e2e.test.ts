/**
 * Issue 13, item 1 end to end: the BUILT dashboard in real Chromium, a real
 * broker it signed in to, and a second WebSocket server standing for an
 * attacker's broker that records every byte it receives. A crafted
 * `?broker=` link must not carry the saved credentials there.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { SESSION_LOGIN_KEY } from '../../dashboard/src/state/password-vault.ts';
import { SETTINGS_KEY } from '../../dashboard/src/state/settings.ts';
import { startRig, type DashboardRig } from './rig.ts';

const USERNAME = 'giam-sat-ba-dinh';
const PASSWORD = 'mat-khau-bi-mat-7f3a';

/** A WebSocket server that records every binary message (the MQTT bytes) and never answers. */
async function startRecorder(): Promise<{ url: string; received: Buffer[]; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const received: Buffer[] = [];
  wss.on('connection', (ws) => ws.on('message', (data: Buffer) => received.push(Buffer.from(data))));
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/mqtt`,
    received,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

/** The CONNECT packets among `chunks`, with their username/password flags (MQTT 3.1.1 §3.1.2.3). */
function connects(chunks: readonly Buffer[]): { username: boolean; password: boolean; bytes: Buffer }[] {
  return chunks
    .filter((b) => b[0] === 0x10)
    .map((b) => {
      let i = 1;
      while ((b[i]! & 0x80) !== 0) i++;
      const flags = b[i + 1 + 2 + 4 + 1]!; // after the length, "MQTT" (2 + 4 bytes) and the level
      return { username: (flags & 0x80) !== 0, password: (flags & 0x40) !== 0, bytes: b };
    });
}

let rig: DashboardRig;
let evil: Awaited<ReturnType<typeof startRecorder>>;

beforeAll(async () => {
  [rig, evil] = await Promise.all([startRig(), startRecorder()]);
}, 120_000);

afterAll(async () => {
  await evil?.close();
  await rig?.close();
});

/** Opens the dashboard with `query`, the account saved for `boundTo`; resolves once `evil` got a CONNECT. */
async function open(boundTo: string, query: string): Promise<void> {
  const context = await rig.browser.newContext();
  try {
    await context.addInitScript(
      ({ settingsKey, sessionKey, url, username, password }) => {
        localStorage.setItem(settingsKey, JSON.stringify({ brokerUrl: url, credentialsUrl: url, username }));
        sessionStorage.setItem(sessionKey, JSON.stringify({ brokerUrl: url, username, password }));
      },
      { settingsKey: SETTINGS_KEY, sessionKey: SESSION_LOGIN_KEY, url: boundTo, username: USERNAME, password: PASSWORD },
    );
    const page = await context.newPage();
    const before = connects(evil.received).length;
    await page.goto(`http://127.0.0.1:${rig.webPort}/dashboard/${query}`);
    const deadline = Date.now() + 20_000;
    while (connects(evil.received).length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Let it retry for a while: no attempt may carry the account either.
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    await context.close();
  }
}

describe('dashboard credentials end to end (issue 13, item 1)', () => {
  it('control: the account saved for a broker is sent to that broker', async () => {
    evil.received.length = 0;
    await open(evil.url, `?broker=${encodeURIComponent(evil.url)}`);
    const seen = connects(evil.received);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatchObject({ username: true, password: true });
    expect(seen[0]!.bytes.includes(Buffer.from(PASSWORD))).toBe(true);
  }, 60_000);

  it('a crafted ?broker= link to another broker connects there WITHOUT the saved username and password', async () => {
    evil.received.length = 0;
    await open(rig.wsUrl, `?broker=${encodeURIComponent(evil.url)}`);
    const seen = connects(evil.received);
    expect(seen.length).toBeGreaterThan(0); // it did connect there…
    for (const c of seen) expect(c).toMatchObject({ username: false, password: false }); // …anonymously
    const everything = Buffer.concat(evil.received);
    expect(everything.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(everything.includes(Buffer.from(USERNAME))).toBe(false);
  }, 60_000);
});
