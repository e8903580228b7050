/**
 * The reference button box in an AVR emulator, for tests that need the real
 * firmware: the same firmware.elf a vendor flashes runs on simavr's
 * ATmega328P in real time (build/sim/hlbox-sim), its UART on a real pty the
 * bridge opens with `serialport` exactly like a USB box, its buttons and
 * LEDs driven and read from here, its EEPROM kept in a file across power
 * cuts and restarts.
 *
 *   const box = await startEmulator({ uid: 'HL328P-E2E0001' });
 *   // bridge side: new SerialPort({ path: box.ptyPath, baudRate: 115200 })
 *   await box.tap(2);                        // a citizen presses button 2
 *   await box.waitFor((e) => e.kind === 'out' && (e.leds & 0b10) !== 0);
 *   await box.wait(500);                     // 500 ms of the box's own (emulated) time
 *   await box.rx(false);                     // cut the RX wire: the bridge's ACKs are lost
 *   await box.powerCut();                    // pull the plug: EEPROM as it is now
 *   await box.restart();                     // plug in again: same EEPROM, same ptyPath
 *   await box.stop();
 *
 * Times in events are emulated ms since the box's last power-on (16 MHz
 * cycles / 16000), so latencies measured between events do not depend on
 * how busy the test machine is. For the same reason, pauses that matter to
 * the firmware (debounce re-arm, cooldown) should be `box.wait(ms)`, not a
 * wall-clock sleep: on a loaded machine the emulator may run behind. A missing simavr or avr-gcc fails with the
 * Debian package to install.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FIRMWARE_ELF, SIM_HARNESS, makeTarget } from './avr-build.ts';

/** Options of startEmulator. */
export interface EmulatorOptions {
  /**
   * Firmware image to run.
   * @default build/avr/firmware.elf, built by `make -C firmware-protocol/avr`
   */
  readonly elf?: string;
  /**
   * EEPROM image file (1024 bytes). Created as a factory-new box (erased,
   * identity block with `uid`/`buttons`) if it does not exist; reused as is otherwise.
   * @default `eeprom.bin` in a fresh temp folder
   */
  readonly eepromFile?: string;
  /**
   * uid programmed into a new EEPROM's identity block (simavr cannot read the chip serial).
   * @default 'HL328P-SIM0001'
   */
  readonly uid?: string;
  /**
   * Buttons fitted (3..5) for a new EEPROM.
   * @default 4
   */
  readonly buttons?: number;
  /**
   * Where the pty link goes: the path the bridge opens.
   * @default `ttyhost` in the temp folder
   */
  readonly ptyPath?: string;
  /**
   * Emulated seconds per wall second (0 = as fast as possible).
   * @default 1
   */
  /**
   * Supply voltage in mV the ADC sees (the firmware measures it against the 1.1 V bandgap at boot).
   * @default 5000
   */
  readonly vccMv?: number;
  /**
   * Extended and high fuse bytes the firmware reads at boot (a box flashed through a bootloader keeps the board's).
   * @default flash-isp's: { efuse: 0xfc, hfuse: 0xd7 }
   */
  readonly fuses?: { readonly efuse: number; readonly hfuse: number };
  readonly speed?: number;
  /**
   * Reset the MCU (EVENT BOOT EXTERNAL) whenever a program opens the port, like an Uno's DTR auto-reset.
   * @default false
   */
  readonly resetOnOpen?: boolean;
}

/** Something the emulated box did. `at` is emulated ms since its last power-on. */
export type EmulatorEvent =
  | { kind: 'out'; at: number; leds: number; status: boolean; buzzer: boolean }
  | { kind: 'pressed' | 'released'; at: number; button: number }
  | { kind: 'reset' | 'hung' | 'attached' | 'detached' | 'waited'; at: number }
  | { kind: 'sent'; at: number; line: string }
  | { kind: 'rx'; at: number; connected: boolean }
  | { kind: 'bye'; why: string };

/** A running (or stopped) emulated box. */
export interface Emulator {
  /** The path to open with serialport (a symlink to the current /dev/pts/N). */
  readonly ptyPath: string;
  /** The EEPROM image file. */
  readonly eepromFile: string;
  /** Every event since startEmulator, across restarts (a 'bye' marks each stop). */
  readonly events: readonly EmulatorEvent[];
  /** Lines the firmware sent on its UART, whether or not anyone had the port open. */
  readonly sentLines: readonly string[];
  /** Button LEDs now, bit i = LED of button i+1. */
  readonly leds: number;
  /** Status LED now. */
  readonly status: boolean;
  /** Buzzer now. */
  readonly buzzer: boolean;
  /** True while the emulator process runs. */
  readonly running: boolean;
  /** Holds button n (1..5) down. */
  press(button: number): Promise<void>;
  /** Lets button n go. */
  release(button: number): Promise<void>;
  /** Presses button n for `holdMs` of emulated time, then releases it; resolves after the release. */
  tap(button: number, holdMs?: number): Promise<void>;
  /** Resolves once `ms` of emulated time has passed (one wait at a time). */
  wait(ms: number): Promise<void>;
  /** Pulls the reset pin (EVENT BOOT EXTERNAL). */
  reset(): Promise<void>;
  /** Hangs the firmware with interrupts off; only its watchdog can bring it back (EVENT BOOT WATCHDOG). */
  hang(): Promise<void>;
  /**
   * Cuts (`false`) or mends (`true`) the box's RX wire: while cut, whatever
   * the bridge writes is lost before the USART sees it (ACKs lost on demand,
   * PROTOCOL.md §8). A restart mends it.
   */
  rx(connected: boolean): Promise<void>;
  /** Power cut: stops at once; the EEPROM file holds exactly what the chip held. The pty disappears. */
  powerCut(): Promise<void>;
  /** Powers the box on again from the same EEPROM file, on the same ptyPath (POWERON). */
  restart(): Promise<void>;
  /** Stops cleanly (EEPROM saved) and, unless `keepFiles`, deletes the temp folder. */
  stop(keepFiles?: boolean): Promise<void>;
  /** The EEPROM: live from the running chip, or from the file when stopped. */
  eepromBytes(): Promise<Uint8Array>;
  /** Resolves with the first event (from index `from`, default: any so far) matching `pred`. */
  waitFor(pred: (e: EmulatorEvent) => boolean, timeoutMs?: number, from?: number): Promise<EmulatorEvent>;
}

function parseEvent(line: string): EmulatorEvent | { kind: 'reply'; line: string } {
  const [kind, a, ...rest] = line.split(' ');
  const at = Number(a);
  switch (kind) {
    case 'out':
      return { kind, at, leds: Number(rest[0]), status: rest[1] === '1', buzzer: rest[2] === '1' };
    case 'pressed':
    case 'released':
      return { kind, at, button: Number(rest[0]) };
    case 'reset':
    case 'waited':
    case 'hung':
    case 'attached':
    case 'detached':
      return { kind, at };
    case 'sent':
      return { kind, at, line: rest.join(' ') };
    case 'rx':
      return { kind, at, connected: rest[0] === '1' };
    case 'bye':
      return { kind, why: [a, ...rest].join(' ') };
    default:
      return { kind: 'reply', line };
  }
}

/** Builds the firmware and the harness if needed, then powers a box on. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  makeTarget('firmware');
  makeTarget('sim');
  const dir = await mkdtemp(join(tmpdir(), 'hailong-hlbox-'));
  const ptyPath = options.ptyPath ?? join(dir, 'ttyhost');
  const eepromFile = options.eepromFile ?? join(dir, 'eeprom.bin');
  const events: EmulatorEvent[] = [];
  const sentLines: string[] = [];
  const waiters = new Set<() => void>();
  let replies: ((line: string) => void)[] = [];
  let proc: ChildProcessWithoutNullStreams | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stderr = '';
  let outputs = { leds: 0, status: false, buzzer: false };

  const args = [
    '--elf',
    options.elf ?? FIRMWARE_ELF,
    '--eeprom',
    eepromFile,
    '--pty',
    ptyPath,
    '--uid',
    options.uid ?? 'HL328P-SIM0001',
    '--buttons',
    String(options.buttons ?? 4),
    '--speed',
    String(options.speed ?? 1),
    '--vcc',
    String(options.vccMv ?? 5000),
    ...(options.fuses ? ['--efuse', options.fuses.efuse.toString(16), '--hfuse', options.fuses.hfuse.toString(16)] : []),
    '--trace-uart',
    ...(options.resetOnOpen ? ['--reset-on-open'] : []),
  ];

  const launch = async (): Promise<void> => {
    const p = spawn(SIM_HARNESS, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    proc = p;
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    exited = new Promise((resolve) => p.once('exit', () => resolve()));
    const ready = new Promise<void>((resolve, reject) => {
      const fail = (code: number | null): void => reject(new Error(`hlbox-sim exited (${code}) before it was ready: ${stderr}`));
      p.once('exit', fail);
      createInterface({ input: p.stdout, crlfDelay: Infinity }).on('line', (line) => {
        if (line.startsWith('ready ')) {
          p.off('exit', fail);
          resolve();
          return;
        }
        const e = parseEvent(line);
        if (e.kind === 'reply') {
          if (line.startsWith('error ')) stderr += `\n${line}`;
          const r = replies.shift();
          r?.(line);
          return;
        }
        if (e.kind === 'out') outputs = { leds: e.leds, status: e.status, buzzer: e.buzzer };
        if (e.kind === 'sent') sentLines.push(e.line);
        events.push(e);
        for (const w of [...waiters]) w();
      });
    });
    await ready;
  };

  const send = (cmd: string): void => {
    if (proc === undefined || proc.exitCode !== null) throw new Error(`the emulator is not running (${cmd})`);
    proc.stdin.write(cmd + '\n');
  };

  const ask = (cmd: string, prefix: string): Promise<string> =>
    new Promise((resolve) => {
      replies.push(resolve);
      send(cmd);
    }).then((line) => {
      const l = line as string;
      if (!l.startsWith(prefix)) throw new Error(`hlbox-sim answered "${l.slice(0, 80)}" to ${cmd}`);
      return l.slice(prefix.length);
    });

  const waitFor = (pred: (e: EmulatorEvent) => boolean, timeoutMs = 10_000, from = 0): Promise<EmulatorEvent> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = from; i < events.length; i++) {
          if (pred(events[i]!)) {
            waiters.delete(check as () => void);
            clearTimeout(timer);
            resolve(events[i]!);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => {
        waiters.delete(check as () => void);
        reject(new Error(`no matching emulator event within ${timeoutMs} ms; last events: ${JSON.stringify(events.slice(-8))}`));
      }, timeoutMs);
      if (!check()) waiters.add(check as () => void);
    });

  const stopProcess = async (cmd: 'quit' | 'powercut'): Promise<void> => {
    if (proc === undefined || proc.exitCode !== null) return;
    replies = [];
    send(cmd);
    await exited;
  };

  await launch();

  return {
    ptyPath,
    eepromFile,
    events,
    sentLines,
    get leds() {
      return outputs.leds;
    },
    get status() {
      return outputs.status;
    },
    get buzzer() {
      return outputs.buzzer;
    },
    get running() {
      return proc !== undefined && proc.exitCode === null;
    },
    press: async (b) => {
      const from = events.length;
      send(`press ${b}`);
      await waitFor((e) => e.kind === 'pressed' && e.button === b, 5000, from);
    },
    release: async (b) => {
      const from = events.length;
      send(`release ${b}`);
      await waitFor((e) => e.kind === 'released' && e.button === b, 5000, from);
    },
    tap: async (b, holdMs = 80) => {
      const from = events.length;
      send(`tap ${b} ${holdMs}`);
      await waitFor((e) => e.kind === 'released' && e.button === b, 5000 + holdMs * 2, from);
    },
    wait: async (ms) => {
      const from = events.length;
      send(`wait ${Math.round(ms)}`);
      await waitFor((e) => e.kind === 'waited', 10_000 + ms * 5, from);
    },
    reset: async () => {
      const from = events.length;
      send('reset');
      await waitFor((e) => e.kind === 'reset', 5000, from);
    },
    hang: async () => {
      const from = events.length;
      send('hang');
      await waitFor((e) => e.kind === 'hung', 5000, from);
    },
    rx: async (connected) => {
      const from = events.length;
      send(`rx ${connected ? 1 : 0}`);
      await waitFor((e) => e.kind === 'rx' && e.connected === connected, 5000, from);
    },
    powerCut: () => stopProcess('powercut'),
    restart: async () => {
      if (proc !== undefined && proc.exitCode === null) await stopProcess('quit');
      outputs = { leds: 0, status: false, buzzer: false };
      await launch();
    },
    stop: async (keepFiles = false) => {
      await stopProcess('quit');
      if (!keepFiles) await rm(dir, { recursive: true, force: true });
    },
    eepromBytes: async () => {
      if (proc !== undefined && proc.exitCode === null) return Uint8Array.from(Buffer.from(await ask('eeprom', 'eeprom '), 'hex'));
      return new Uint8Array(await readFile(eepromFile));
    },
    waitFor,
  };
}
