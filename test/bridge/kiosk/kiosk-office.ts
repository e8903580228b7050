/** A valid office config for kiosk tests: one counter holding the rig's kiosk, optionally a box and a desk account. */
import type { HailongConfig } from '../../../bridge/config/hailong-config.ts';
import { validateConfig } from '../../../bridge/config/validate-config.ts';
import { KIOSK } from './kiosk-publisher.ts';

/** Kiosk password in these rigs. */
export const KIOSK_PASSWORD = 'kiosk-1-password';

/** An office with one counter holding a kiosk (and optionally a box), valid or the test throws. */
export function kioskOfficeConfig(
  dataDir: string,
  o: { mqttUrls?: readonly string[]; gated?: boolean; boxPort?: string; desk?: { username: string; password: string } } = {},
): HailongConfig {
  const r = validateConfig({
    district: { id: KIOSK.district, name: 'Quận Ba Đình' },
    ward: { id: KIOSK.ward, name: 'Phường Phúc Xá' },
    rating: { cooldownMs: 0, windowMs: 30_000 },
    counters: [
      {
        id: KIOSK.counter,
        name: 'Quầy 1',
        ...(o.gated === true ? { mode: 'gated' } : {}),
        terminals: [
          { id: KIOSK.terminal, kind: 'touch', password: KIOSK_PASSWORD },
          ...(o.boxPort === undefined ? [] : [{ id: 'hop-1', kind: 'button', uid: 'SIM-01' }]),
        ],
      },
    ],
    serial: { ports: o.boxPort === undefined ? [] : [o.boxPort], scanIntervalMs: 200 },
    mqtt: { urls: [...(o.mqttUrls ?? [])] },
    broker: { port: 0, host: '127.0.0.1', anonymous: 'read', users: o.desk === undefined ? [] : [{ ...o.desk, role: 'desk' }] },
    dataDir,
  });
  if (!r.ok) throw new Error(`rig config invalid: ${JSON.stringify(r.problems)}`);
  return r.config;
}
