/**
 * One MQTT connection per kiosk, even with the kiosk open in two tabs: the
 * tab holding a Web Lock (`navigator.locks`) is the leader and owns the
 * connection (two connections with the same fixed clientId would keep
 * kicking each other off the broker). Other tabs still take votes, which
 * IndexedDB serialises (see idb-outbox.ts), and tell the leader over a
 * BroadcastChannel; the leader relays what it receives from the broker.
 * Web Locks need a secure context (https or localhost): without them every
 * tab leads, which is still correct, only noisier.
 */

/** Messages between tabs of one kiosk. */
export type TabMessage = { readonly type: 'recorded' } | { readonly type: 'mqtt'; readonly topic: string; readonly payload: string };

/** A tab's role and its channel to the other tabs. */
export interface Leadership {
  /** Posts to the other tabs (never to itself). */
  post(message: TabMessage): void;
  /** Releases the lock and closes the channel. */
  close(): void;
}

/**
 * Waits for leadership in the background: `onLead` runs once this tab holds
 * the lock (at once where Web Locks are missing). `onMessage` receives
 * other tabs' messages.
 */
export function joinTabs(name: string, onLead: () => void, onMessage: (m: TabMessage) => void): Leadership {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks === undefined) onLead();
  else {
    void locks
      .request(`${name}:link`, async () => {
        onLead();
        await held;
      })
      .catch(() => undefined);
  }
  let channel: BroadcastChannel | undefined;
  if (typeof BroadcastChannel === 'function') {
    channel = new BroadcastChannel(name);
    channel.onmessage = (event: MessageEvent) => {
      const data = event.data as Partial<TabMessage> | null;
      if (data?.type === 'recorded') onMessage({ type: 'recorded' });
      else if (data?.type === 'mqtt' && typeof data.topic === 'string' && typeof data.payload === 'string') {
        onMessage({ type: 'mqtt', topic: data.topic, payload: data.payload });
      }
    };
  }
  return {
    post(message) {
      channel?.postMessage(message);
    },
    close() {
      release();
      channel?.close();
    },
  };
}
