/**
 * Builds the reference firmware and its host programs with the firmware's
 * own Makefile (`make -C firmware-protocol/avr <target>`), once per target
 * and under a file lock, because vitest runs test files in parallel workers
 * that would otherwise race on the same build folder. A missing toolchain is
 * a failure that names the Debian packages, never a skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** firmware-protocol/avr, the firmware's folder. */
export const AVR_DIR = fileURLToPath(new URL('../../../firmware-protocol/avr/', import.meta.url));

/** Build output folder of the Makefile. */
export const AVR_BUILD = join(AVR_DIR, 'build');

/** The firmware image a vendor flashes, and the emulator loads. */
export const FIRMWARE_ELF = join(AVR_BUILD, 'avr', 'firmware.elf');

/** The simavr harness binary. */
export const SIM_HARNESS = join(AVR_BUILD, 'sim', 'hlbox-sim');

/** Path of a host program built by `make host-tests`. */
export function hostProgram(name: 'codec_host' | 'ring_host' | 'terminal_host' | 'eeprom-id'): string {
  return join(AVR_BUILD, 'host', name);
}

/** Tools each target needs, with the Debian package that provides them. */
const TOOLS: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  firmware: [
    ['avr-gcc', 'gcc-avr avr-libc'],
    ['avr-size', 'binutils-avr'],
    ['make', 'make'],
  ],
  'host-tests': [
    ['gcc', 'build-essential'],
    ['make', 'make'],
  ],
  sim: [
    ['gcc', 'build-essential'],
    ['make', 'make'],
  ],
};

function hasTool(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** Outcome of one `make` run. */
export interface MakeResult {
  readonly status: number | null;
  readonly output: string;
}

/** Runs `make -C firmware-protocol/avr <args>` under the build lock and returns its exit status and output. */
export function runMake(args: readonly string[]): MakeResult {
  const r = spawnSync('flock', [join(tmpdir(), 'hailong-avr-build.lock'), 'make', '--no-print-directory', '-C', AVR_DIR, ...args], {
    encoding: 'utf8',
  });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

const built = new Set<string>();

/**
 * Runs `make <target>` (firmware, host-tests or sim) unless this worker did
 * already. Throws with the tool's output when the build fails.
 */
export function makeTarget(target: 'firmware' | 'host-tests' | 'sim'): void {
  if (built.has(target)) return;
  for (const [tool, pkg] of TOOLS[target] ?? []) {
    if (!hasTool(tool)) throw new Error(`${tool} not found: install the Debian package(s) ${pkg} (scripts/test.sh does)`);
  }
  if (target === 'sim' && !existsSync('/usr/include/simavr/sim_avr.h')) {
    throw new Error('simavr headers not found: install the Debian packages simavr libsimavr-dev (scripts/test.sh does)');
  }
  const r = runMake([target]);
  if (r.status !== 0) throw new Error(`make -C firmware-protocol/avr ${target} failed:\n${r.output}`);
  built.add(target);
}
