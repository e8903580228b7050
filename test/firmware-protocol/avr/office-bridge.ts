/**
 * The real bridge (HailongApp, in-process, embedded Aedes broker) for one
 * emulated box, with an independent MQTT subscriber: what the firmware e2e
 * tests that need no broker restart share.
 */
import { mergeStatus, type Status } from '../../../core/status.ts';
import type { Vote } from '../../../core/vote.ts';
import { validateConfig } from '../../../bridge/config/validate-config.ts';
import { HailongApp } from '../../../bridge/hailong-app.ts';
import { testLog } from '../../bridge/bridge-rig.ts';
import { collect, type Collector } from '../../helpers/mqtt-collector.ts';

/** The one terminal of the office, on counter quay-1. */
export const TERMINAL = 'hop-1';
/** The default 3-level scale: button n = LEVELS[n-1]. */
export const LEVELS = ['rat-hai-long', 'hai-long', 'khong-hai-long'] as const;

/** A running bridge and a subscriber to everything it publishes. */
export interface OfficeBridge {
  readonly app: HailongApp;
  readonly sub: Collector;
  /** Stops the subscriber, then the bridge. */
  stop(): Promise<void>;
}

/** Starts the bridge for one box `uid` on `ptyPath`, journal in `dataDir`. */
export async function startOfficeBridge(uid: string, ptyPath: string, dataDir: string): Promise<OfficeBridge> {
  const r = validateConfig({
    district: { id: 'ba-dinh', name: 'Quận Ba Đình' },
    ward: { id: 'phuc-xa', name: 'Phường Phúc Xá' },
    counters: [{ id: 'quay-1', name: 'Quầy 1 – Tư pháp', terminals: [{ id: TERMINAL, kind: 'button', uid }] }],
    serial: { ports: [ptyPath], scanIntervalMs: 200 },
    mqtt: { urls: [] },
    broker: { port: 0, host: '127.0.0.1', anonymous: 'read' },
    dataDir,
  });
  if (!r.ok) throw new Error(`e2e office config invalid: ${JSON.stringify(r.problems)}`);
  const app = new HailongApp({ config: r.config, log: testLog, version: 'e2e', seqBase: 'zero' });
  await app.start();
  const sub = await collect(app.endpoints('127.0.0.1').mqttUrls[0] as string);
  return {
    app,
    sub,
    stop: async () => {
      await sub.close();
      await app.stop();
    },
  };
}

/** The terminal's current status: newest `at` wins, whatever order the broker delivered copies in. */
export function currentStatus(sub: Collector): Status | undefined {
  return sub.messages
    .filter((m) => m.topic.endsWith(`/${TERMINAL}/status`) && m.payload !== '')
    .map((m) => JSON.parse(m.payload) as Status)
    .reduce<Status | undefined>((a, b) => (a === undefined ? b : mergeStatus(a, b)), undefined);
}

/** One vote per id (the first copy), in seq order. */
export function votesBySeq(sub: Collector): Vote[] {
  const byId = new Map<string, Vote>();
  for (const v of sub.json<Vote>('vote')) if (!byId.has(v.id)) byId.set(v.id, v);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}
