/**
 * The office the newcomer demo runs: Phường Phúc Xá of Quận Ba Đình with
 * three button boxes (virtual, on in-process serial lines) and one kiosk.
 * It is built as a config TREE and validated by the same rules as an
 * office's YAML file, so the demo can never drift from what production
 * accepts.
 */
import type { OpeningHours } from '../../core/opening-hours.ts';
import type { HailongConfig } from '../config/hailong-config.ts';
import { validateConfig } from '../config/validate-config.ts';
import { DEMO_COUNTER_FIELDS, demoOfficerName } from './demo-wards.ts';

/** The demo kiosk's broker password (printed in its URL: it is a demo). */
export const DEMO_KIOSK_PASSWORD = 'kiosk-demo';

/** PIN of the demo kiosk's staff page (a real office sets its own per kiosk: `pin` in the config). */
export const DEMO_KIOSK_PIN = '246810';

/** The demo desk account: it logs officers in at the counters. */
export const DEMO_DESK = { username: 'quay-so', password: 'desk-demo' } as const;

/** The demo's virtual button boxes: uid and terminal id, one per counter. */
export const DEMO_BOXES = [
  { uid: 'SIM-01', terminal: 'hop-1', counter: 'quay-1' },
  { uid: 'SIM-02', terminal: 'hop-2', counter: 'quay-2' },
  { uid: 'SIM-03', terminal: 'hop-3', counter: 'quay-3' },
] as const;

/** The demo kiosk. */
export const DEMO_KIOSK = { terminal: 'kiosk-4', counter: 'quay-4' } as const;

/** Officers on duty at the demo counters: id and display name. */
export function demoOfficers(): { counter: string; officer: string; name: string }[] {
  return ['quay-1', 'quay-2', 'quay-3', 'quay-4'].map((counter, i) => ({
    counter,
    officer: `cb-${i * 2 + 1}`,
    name: demoOfficerName(`cb-${i * 2 + 1}`),
  }));
}

/** Options of `demoConfig`. */
export interface DemoConfigOptions {
  readonly dataDir: string;
  /** @default 8080 */
  readonly webPort?: number;
  /** @default 1883 */
  readonly brokerPort?: number;
  /** Serial port paths of the virtual boxes (`stream:SIM-01` …). */
  readonly ports: readonly string[];
  /** The office's hours (see demo-citizens.ts: a demo session when started out of hours). @default DEFAULT_OPENING_HOURS */
  readonly openingHours?: OpeningHours;
}

/** The demo office config (validated; throws only if the demo itself is broken). */
export function demoConfig(options: DemoConfigOptions): HailongConfig {
  const tree = {
    district: { id: 'ba-dinh', name: 'Quận Ba Đình' },
    ward: { id: 'phuc-xa', name: 'Phường Phúc Xá' },
    scale: 3,
    target: 80,
    ...(options.openingHours === undefined ? {} : { openingHours: options.openingHours }),
    // Two officers per counter take turns (demo.ts): cb-1 … cb-8.
    officers: Array.from({ length: 8 }, (_, i) => ({ id: `cb-${i + 1}`, name: demoOfficerName(`cb-${i + 1}`) })),
    rating: { cooldownMs: 3000, mode: 'open', windowMs: 30_000 },
    counters: [
      ...DEMO_BOXES.map((b, i) => ({
        id: b.counter,
        name: `Quầy ${i + 1} – ${DEMO_COUNTER_FIELDS[i]}`,
        terminals: [{ id: b.terminal, kind: 'button', uid: b.uid }],
      })),
      {
        id: DEMO_KIOSK.counter,
        name: `Quầy 4 – ${DEMO_COUNTER_FIELDS[3]}`,
        terminals: [{ id: DEMO_KIOSK.terminal, kind: 'touch', password: DEMO_KIOSK_PASSWORD, pin: DEMO_KIOSK_PIN }],
      },
    ],
    serial: { ports: [...options.ports], scanIntervalMs: 1000 },
    // Anyone on this machine may watch the demo without signing in.
    broker: { port: options.brokerPort ?? 1883, anonymous: 'read', users: [{ ...DEMO_DESK, role: 'desk' }] },
    web: { port: options.webPort ?? 8080 },
    dataDir: options.dataDir,
  };
  const r = validateConfig(tree);
  if (!r.ok) throw new Error(`the demo config is invalid: ${JSON.stringify(r.problems)}`);
  return r.config;
}
