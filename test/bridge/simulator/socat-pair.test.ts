import { existsSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSocatPair } from '../../../bridge/simulator/socat-pair.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hailong-socat-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createSocatPair', () => {
  it('creates both links, removes them on unplug, recreates them on replug, replacing stale links', async () => {
    // A dangling link left by a killed socat from an earlier run must not fool the wait.
    symlinkSync('/dev/pts/nonexistent', join(dir, 'A-host'));
    const exits: unknown[] = [];
    const pair = await createSocatPair({ dir, name: 'A', onUnexpectedExit: (code, signal) => exits.push([code, signal]) });
    try {
      expect(pair.device).toBe(join(dir, 'A-device'));
      expect(pair.host).toBe(join(dir, 'A-host'));
      expect(existsSync(pair.device) && existsSync(pair.host)).toBe(true);
      expect(pair.plugged).toBe(true);
      await pair.unplug();
      expect(pair.plugged).toBe(false);
      expect(existsSync(pair.device) || existsSync(pair.host)).toBe(false);
      await pair.replug();
      expect(existsSync(pair.device) && existsSync(pair.host)).toBe(true);
      expect(exits).toEqual([]); // asked-for exits are not "unexpected"
    } finally {
      await pair.close();
    }
    expect(existsSync(pair.host)).toBe(false);
  });

  it('fails clearly when socat is missing', async () => {
    await expect(createSocatPair({ dir, name: 'B', socatPath: join(dir, 'no-socat') })).rejects.toThrow(/socat not found at .*no-socat/);
  });
});
