import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonFileTerminalStore } from '../../../bridge/simulator/json-file-store.ts';
import { ManualClock } from '../../../bridge/simulator/manual-clock.ts';
import { createStreamPair } from '../../../bridge/simulator/stream-transport.ts';
import { parseSnapshot, type TerminalSnapshot } from '../../../bridge/simulator/terminal-store.ts';
import { VirtualTerminal } from '../../../bridge/simulator/virtual-terminal.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hailong-store-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const snapshot: TerminalSnapshot = {
  version: 1,
  lastSeq: 12,
  pending: [
    { seq: 11, button: 2, reason: 0, flags: '' },
    { seq: 12, button: 3, reason: 4, flags: 'CG' },
  ],
  config: { buttons: 3, cooldownMs: 5000, mode: 'GATED', windowMs: 30000, leds: true, buzzer: false },
  refused: 2,
};

describe('JsonFileTerminalStore', () => {
  it('reads a missing file as a blank store and round-trips a snapshot, creating folders', () => {
    const store = new JsonFileTerminalStore({ path: join(dir, 'a', 'b', 'SIM-01.json') });
    expect(store.load()).toEqual({ ok: true, value: undefined });
    store.save(snapshot);
    expect(store.load()).toEqual({ ok: true, value: snapshot });
    expect(existsSync(`${store.path}.tmp`)).toBe(false); // renamed over, nothing left behind
  });

  it('reports a corrupt or inconsistent file with the file and the field, never throwing', async () => {
    const path = join(dir, 'x.json');
    const store = new JsonFileTerminalStore({ path, fsync: false });
    await writeFile(path, '{"version":1,"lastSe');
    expect(store.load()).toMatchObject({ ok: false, code: 'corrupt-store', message: expect.stringContaining('x.json is not valid JSON') });
    await writeFile(path, JSON.stringify({ ...snapshot, lastSeq: 11 }));
    expect(store.load()).toMatchObject({ ok: false, code: 'corrupt-store', field: 'pending[1].seq' });
    await writeFile(path, JSON.stringify({ ...snapshot, config: { ...snapshot.config, mode: 'open' } }));
    expect(store.load()).toMatchObject({ ok: false, field: 'config.mode' });
  });

  it('a stale temporary file from a crash mid-save does not affect the snapshot', async () => {
    const path = join(dir, 'y.json');
    const store = new JsonFileTerminalStore({ path });
    store.save(snapshot);
    await writeFile(`${path}.tmp`, '{"torn');
    expect(store.load()).toEqual({ ok: true, value: snapshot });
    store.save({ ...snapshot, pending: [], refused: 0 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pending: [], lastSeq: 12 });
  });

  it('lets a terminal continue above its last seq in a new process (new object, same file)', async () => {
    const path = join(dir, 'SIM-07.json');
    const clock = new ManualClock();
    const first = new VirtualTerminal({
      uid: 'SIM-07',
      transport: createStreamPair().terminalSide,
      clock,
      store: new JsonFileTerminalStore({ path }),
    });
    first.start();
    first.press(1);
    first.press(2);
    await first.close();
    const second = new VirtualTerminal({
      uid: 'SIM-07',
      transport: createStreamPair().terminalSide,
      clock,
      store: new JsonFileTerminalStore({ path }),
    });
    second.start();
    expect(second.pendingSeqs).toEqual([1, 2]);
    expect(second.press(3)).toMatchObject({ ok: true, seq: 3 });
    await second.close();
  });
});

describe('parseSnapshot', () => {
  it('accepts exactly the valid shapes', () => {
    expect(parseSnapshot(snapshot)).toEqual({ ok: true, value: snapshot });
    expect(parseSnapshot({ ...snapshot, config: null })).toMatchObject({ ok: true });
    for (const bad of [
      null,
      [],
      'x',
      { ...snapshot, version: 2 },
      { ...snapshot, refused: -1 },
      { ...snapshot, pending: [{ seq: 1, button: 10, reason: 0, flags: '' }] },
    ]) {
      expect(parseSnapshot(bad).ok).toBe(false);
    }
  });
});
