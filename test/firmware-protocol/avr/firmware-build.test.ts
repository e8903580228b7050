/**
 * The shipped firmware image: it builds with avr-gcc through the Makefile
 * (no npm involved), stays within issue #6's budgets (flash <= 16 KB,
 * static RAM <= 1 KB), and the Makefile itself refuses an image over budget.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AVR_BUILD, FIRMWARE_ELF, makeTarget, runMake } from './avr-build.ts';

const FLASH_BUDGET = 16 * 1024;
const RAM_BUDGET = 1024;

/** Section sizes from avr-size -A, independent of the Makefile's own arithmetic. */
function sections(elf: string): Record<string, number> {
  const r = spawnSync('avr-size', ['-A', elf], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const out: Record<string, number> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^(\.\w+)\s+(\d+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

describe('firmware image', () => {
  it('builds with make and prints its flash and RAM use', () => {
    makeTarget('firmware');
    const r = runMake(['size']);
    expect(r.status, r.output).toBe(0);
    const m = /flash (\d+) \/ 16384 bytes .*static RAM (\d+) \/ 1024 bytes/.exec(r.output);
    expect(m, r.output).not.toBeNull();
    console.log(r.output.trim());
    expect(existsSync(join(AVR_BUILD, 'avr', 'firmware.hex'))).toBe(true);
  });

  it('fits the budgets: flash (.text + .data) <= 16 KB, static RAM (.data + .bss + .noinit) <= 1 KB', () => {
    makeTarget('firmware');
    const s = sections(FIRMWARE_ELF);
    const flash = (s['.text'] ?? 0) + (s['.data'] ?? 0);
    const ram = (s['.data'] ?? 0) + (s['.bss'] ?? 0) + (s['.noinit'] ?? 0);
    expect(flash).toBeGreaterThan(4000); // a real image, not an empty one
    expect(flash).toBeLessThanOrEqual(FLASH_BUDGET);
    expect(ram).toBeLessThanOrEqual(RAM_BUDGET);
    // the stack gets the rest of the 2 KB SRAM: keep at least 1 KB for it
    expect(2048 - ram).toBeGreaterThanOrEqual(1024);
  });

  it('fails the build when the image is over either budget', () => {
    makeTarget('firmware');
    const flash = runMake(['size', 'FLASH_BUDGET=4096']);
    expect(flash.status).not.toBe(0);
    expect(flash.output).toContain('FLASH BUDGET EXCEEDED');
    const ram = runMake(['size', 'RAM_BUDGET=256']);
    expect(ram.status).not.toBe(0);
    expect(ram.output).toContain('RAM BUDGET EXCEEDED');
  });

  it('is the AVR image with the real HAL, not a host build', () => {
    makeTarget('firmware');
    const elf = readFileSync(FIRMWARE_ELF);
    // ELF machine 83 = Atmel AVR
    expect(elf.readUInt16LE(18)).toBe(83);
    const nm = spawnSync('avr-nm', [FIRMWARE_ELF], { encoding: 'utf8' }).stdout;
    expect(nm).toMatch(/\b__vector_14\b/); // TIMER0_COMPA: the 1 ms tick
    expect(nm).toMatch(/\bhl_save_r2\b/);
    expect(nm).not.toMatch(/hal_host/);
  });

  it('has its committed prebuilt .hex (README "Flash") equal to what the build produces, with a matching SHA-256', () => {
    makeTarget('firmware');
    const config = readFileSync(join(AVR_BUILD, '..', 'src', 'hl_config.h'), 'utf8');
    const version = /#define HL_FW_VERSION "([^"]+)"/.exec(config)?.[1];
    const prebuilt = join(AVR_BUILD, '..', 'prebuilt', `hlbox-${version}.hex`);
    expect(existsSync(prebuilt), `${prebuilt}: run make -C firmware-protocol/avr prebuilt and commit it`).toBe(true);
    const built = readFileSync(join(AVR_BUILD, 'avr', 'firmware.hex'), 'utf8');
    expect(readFileSync(prebuilt, 'utf8') === built, 'the prebuilt hex is stale: run make prebuilt').toBe(true);
    const sum = readFileSync(`${prebuilt}.sha256`, 'utf8').split(' ')[0];
    expect(sum).toBe(createHash('sha256').update(built).digest('hex'));
  });
});
