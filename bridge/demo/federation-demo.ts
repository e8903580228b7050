/**
 * `hailong start --hub`: the federation live on one PC, as it runs in a
 * district: a hub (`hailong hub`) and three ward offices (`hailong start`),
 * each its own process with its own journal and its own broker, each ward
 * fed by virtual button boxes (`hailong simulate`, socat ptys) and
 * forwarding to the hub over its `upstream:` link. The configs are written
 * as YAML files next to the data, so a newcomer can read what a real
 * deployment looks like, and kill any process to watch the others carry on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

/** One demo ward: id, name, and the uid prefix of its virtual boxes. */
interface DemoWard {
  readonly id: string;
  readonly name: string;
  readonly uidPrefix: string;
}

/** The three wards of the demo district. */
export const FEDERATION_WARDS: readonly DemoWard[] = [
  { id: 'phuc-xa', name: 'Phường Phúc Xá', uidPrefix: 'PX-' },
  { id: 'truc-bach', name: 'Phường Trúc Bạch', uidPrefix: 'TB-' },
  { id: 'lieu-giai', name: 'Phường Liễu Giai', uidPrefix: 'LG-' },
];

/** Virtual button boxes per ward (one per counter). */
export const BOXES_PER_WARD = 2;

/** Options of `FederationDemo`. */
export interface FederationDemoOptions {
  /** Folder for every config, journal, archive and pty. */
  readonly dataDir: string;
  /** The hailong entry point (bridge/bin.mjs) the processes run. */
  readonly bin: string;
  readonly log: Logger;
  /** The hub's web port; the wards use the next three. @default 8080 */
  readonly webPort?: number;
  /** The hub's broker port; the wards use the next three. @default 1883 */
  readonly brokerPort?: number;
  /** Mean seconds between citizens at a counter. @default 6 */
  readonly meanSeconds?: number;
  /** The built web apps. */
  readonly webRoot?: string;
}

/** Where the demo's parts listen. */
export interface FederationUrls {
  readonly hubDashboard: string;
  readonly wardDashboards: readonly string[];
  readonly hubBroker: string;
}

const yamlText = (s: string): string => JSON.stringify(s);

/** Environment overrides the demo's processes must not inherit (they would give every ward the same port). */
const OVERRIDES = ['HAILONG_WEB_PORT', 'HAILONG_BROKER_PORT', 'HAILONG_MQTT_URLS', 'HAILONG_DATA_DIR', 'HAILONG_SERIAL_PORTS'];

/** The hub and the wards as child processes; `start()` / `stop()`. */
export class FederationDemo {
  readonly #children: { name: string; proc: ChildProcess }[] = [];

  constructor(readonly options: FederationDemoOptions) {}

  /** The hub's and each ward's ports. */
  ports(): { hub: { web: number; broker: number }; wards: { web: number; broker: number }[] } {
    const web = this.options.webPort ?? 8080;
    const broker = this.options.brokerPort ?? 1883;
    return { hub: { web, broker }, wards: FEDERATION_WARDS.map((_, i) => ({ web: web + i + 1, broker: broker + i + 1 })) };
  }

  /** The URLs to open. */
  urls(): FederationUrls {
    const p = this.ports();
    return {
      hubDashboard: `http://localhost:${p.hub.web}/dashboard/?district=ba-dinh&hub=1#/district`,
      wardDashboards: FEDERATION_WARDS.map((w, i) => `http://localhost:${p.wards[i]!.web}/dashboard/#/office/ba-dinh/${w.id}`),
      hubBroker: `mqtt://localhost:${p.hub.broker}`,
    };
  }

  /** Writes the configs (hub.yaml, one <ward>.yaml each) and returns their paths. */
  writeConfigs(): { hub: string; wards: string[] } {
    const dir = this.options.dataDir;
    mkdirSync(dir, { recursive: true });
    const p = this.ports();
    const hub = join(dir, 'hub.yaml');
    writeFileSync(
      hub,
      [
        '# Written by `hailong start --hub` (the federation demo). A real hub: see hub.example.yaml.',
        'district: { id: ba-dinh, name: Quận Ba Đình }',
        'target: 80',
        'units:',
        ...FEDERATION_WARDS.map((w) => `  - { id: ${w.id}, name: ${yamlText(w.name)}, kind: phường, password: demo-${w.id} }`),
        // Read-only for anyone on this PC, so the dashboard opens without signing in (a demo, never on a WAN).
        `broker: { port: ${p.hub.broker}, host: 127.0.0.1, anonymous: read }`,
        `web: { port: ${p.hub.web}, host: 127.0.0.1 }`,
        'dataDir: ./hub',
        '',
      ].join('\n'),
    );
    const wards = FEDERATION_WARDS.map((w, i) => {
      const file = join(dir, `${w.id}.yaml`);
      const boxes = Array.from({ length: BOXES_PER_WARD }, (_, b) => ({
        uid: `${w.uidPrefix}${String(b + 1).padStart(2, '0')}`,
        n: b + 1,
      }));
      writeFileSync(
        file,
        [
          '# Written by `hailong start --hub` (the federation demo). A real office: see hailong.example.yaml.',
          'district: { id: ba-dinh, name: Quận Ba Đình }',
          `ward: { id: ${w.id}, name: ${yamlText(w.name)} }`,
          'counters:',
          ...boxes.map((b) => `  - { id: quay-${b.n}, name: "Quầy ${b.n}", terminals: [{ id: hop-${b.n}, kind: button, uid: ${b.uid} }] }`),
          `serial: { ports: [${boxes.map((b) => join(dir, 'pty', w.id, `${b.uid}-host`)).join(', ')}], scanIntervalMs: 1000 }`,
          `broker: { port: ${p.wards[i]!.broker}, host: 127.0.0.1, anonymous: read }`,
          `web: { port: ${p.wards[i]!.web}, host: 127.0.0.1 }`,
          `upstream: { urls: [mqtt://127.0.0.1:${p.hub.broker}], username: ${w.id}, password: demo-${w.id} }`,
          `dataDir: ./${w.id}`,
          '',
        ].join('\n'),
      );
      return file;
    });
    return { hub, wards };
  }

  /** Writes the configs and starts the hub, the simulated boxes and the wards. */
  start(): void {
    const { hub, wards } = this.writeConfigs();
    const dir = this.options.dataDir;
    const webRoot = this.options.webRoot === undefined ? [] : ['--web-root', this.options.webRoot];
    this.#spawn('hub', ['hub', '--config', hub, ...webRoot]);
    FEDERATION_WARDS.forEach((w, i) => {
      this.#spawn(`boxes ${w.id}`, [
        'simulate',
        '--terminals',
        String(BOXES_PER_WARD),
        '--uid-prefix',
        w.uidPrefix,
        '--pty-dir',
        join(dir, 'pty', w.id),
        '--state-dir',
        join(dir, 'boxes', w.id),
        '--mean',
        String(this.options.meanSeconds ?? 6),
        '--progress',
        '60',
      ]);
      this.#spawn(w.id, ['start', '--config', wards[i]!, ...webRoot]);
    });
  }

  #spawn(name: string, args: string[]): void {
    // Each process takes its ports and folders from its own config, not from the demo's environment.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !OVERRIDES.includes(k)));
    const proc = spawn(process.execPath, [this.options.bin, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env });
    proc.once('exit', (code, signal) => this.options.log.warn({ process: name, code, signal }, `demo process "${name}" exited`));
    this.#children.push({ name, proc });
  }

  /** The processes, by name (the demo's test kills some). */
  processes(): readonly { readonly name: string; readonly proc: ChildProcess }[] {
    return this.#children;
  }

  /**
   * Stops the wards first (each publishes "offline" to the hub while it is
   * still there), then the boxes, then the hub: SIGTERM, and SIGKILL after
   * `graceMs` (every vote is already in a journal, so a kill loses nothing).
   */
  async stop(graceMs = 10_000): Promise<void> {
    const children = this.#children.splice(0);
    const end = ({ proc }: { proc: ChildProcess }) =>
      new Promise<void>((done) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return done();
        const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        proc.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        proc.kill('SIGTERM');
      });
    const wardIds = new Set(FEDERATION_WARDS.map((w) => w.id));
    await Promise.all(children.filter((c) => wardIds.has(c.name)).map(end));
    await Promise.all(children.filter((c) => c.name.startsWith('boxes ')).map(end));
    await Promise.all(children.filter((c) => c.name === 'hub').map(end));
  }
}
