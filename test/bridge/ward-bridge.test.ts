import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { terminalsOf } from '../../bridge/config/hailong-config.ts';
import { Controller } from '../../bridge/controller.ts';
import type { TerminalSession } from '../../bridge/serial/terminal-session.ts';
import type { VoteAnswer } from '../../bridge/serial/vote-pipeline.ts';
import { WardBridge, type WardBridgeOptions } from '../../bridge/ward-bridge.ts';
import { FakeDev, fakeOpener } from './fakes/fake-serial.ts';
import { rigConfig, tempDir, testLog, until } from './bridge-rig.ts';

const tmp = tempDir();
afterEach(() => tmp.remove());

describe("WardBridge's vote pipeline (issue 13, item 5)", () => {
  for (const where of ['commitBatch', 'highWaterMark'] as const) {
    it(`turns a journal that throws in ${where} (SQLite error) into a failed store, logged and counted, never a rejection`, () => {
      const config = rigConfig({ boxes: 1, ports: [], dataDir: tmp.dir });
      const bridge = new WardBridge({ config, log: testLog, version: 'test', broker: { urls: ['mqtt://127.0.0.1:1'] } });
      bridge.journal.open();
      try {
        vi.spyOn(bridge.journal, where).mockImplementation(() => {
          throw new Error('SQLITE_IOERR: disk I/O error');
        });
        const answers: VoteAnswer[] = [];
        const sink = { settle: (a: readonly VoteAnswer[]) => answers.push(...a) } as unknown as TerminalSession;
        bridge.votes.submit(
          sink,
          terminalsOf(config)[0] as never,
          'SIM-01',
          { type: 'VOTE', seq: 1, button: 1, reason: 0, ageMs: 0, flags: '' },
          Date.now(),
        );
        bridge.votes.flush();
        expect(answers).toEqual([{ seq: 1, outcome: expect.objectContaining({ status: 'failed', code: 'storage' }) }]);
        expect(bridge.counterSnapshot()['port-storage-threw']).toBe(1);
      } finally {
        vi.restoreAllMocks();
        bridge.journal.close();
      }
    });
  }
});

describe('WardBridge features at their seams (fake /dev and port opener, no broker)', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  /** A bridge whose features run under the real Controller; its broker is a closed port (the link keeps retrying). */
  async function started(extra: Partial<WardBridgeOptions> = {}, ports: readonly string[] = ['/dev/ttyHL*']) {
    const dir = tempDir();
    stops.push(async () => dir.remove());
    const config = rigConfig({ boxes: 2, ports, dataDir: dir.dir });
    const bridge = new WardBridge({
      config,
      log: testLog,
      version: 'test',
      broker: { urls: ['mqtt://127.0.0.1:1'] },
      seqBase: 'zero',
      ...extra,
    });
    const controller = new Controller(bridge.features(), testLog);
    const states = new Map(await controller.start());
    stops.unshift(() => controller.stop());
    return { bridge, controller, states, dir: dir.dir };
  }

  it("keeps running when one feature's start() throws: port discovery failing fails only the serial feature", async () => {
    const dev = new FakeDev();
    dev.readdir = () => {
      throw new Error('EACCES: permission denied, scandir /dev');
    };
    const { opener } = fakeOpener();
    const { bridge, controller, states } = await started({ discovery: dev, opener });
    expect(states.get('serial')).toBe('failed');
    for (const name of ['journal', 'mqtt', 'retained', 'witness', 'outbox', 'kiosk-intake']) expect(states.get(name), name).toBe('running');
    // The rest of the bridge works: the journal is open and the status counters are built.
    expect(bridge.journal.isOpen).toBe(true);
    expect(bridge.counterSnapshot()).toEqual(expect.any(Object));
    await controller.stop();
    expect(bridge.journal.isOpen).toBe(false);
    expect([...controller.featureStates.values()].filter((s) => s === 'running')).toEqual([]);
  });

  it('a journal that cannot open fails its feature; what needs it is skipped, MQTT and the retained state still run', async () => {
    // The journal's folder is a file: SQLite cannot create the database.
    const blocker = tempDir();
    stops.push(async () => blocker.remove());
    writeFileSync(join(blocker.dir, 'not-a-folder'), '');
    const { opener } = fakeOpener();
    const { states } = await started({ journalPath: join(blocker.dir, 'not-a-folder', 'journal.db'), discovery: new FakeDev(), opener });
    expect(states.get('journal')).toBe('failed');
    for (const name of ['outbox', 'serial', 'kiosk-intake']) expect(states.get(name), name).toBe('skipped');
    for (const name of ['mqtt', 'retained', 'witness']) expect(states.get(name), name).toBe('running');
  });

  it('the serial feature gives each opened port a session and drops it when the port goes away', async () => {
    const dev = new FakeDev();
    dev.links.set('/dev/ttyHL0', '/dev/ttyHL0');
    dev.links.set('/dev/ttyHL1', '/dev/ttyHL1');
    const { opener, opened } = fakeOpener();
    const { bridge, states } = await started({ discovery: dev, opener });
    expect(states.get('serial')).toBe('running');
    await until(() => bridge.sessions.size === 2, 5000, 'two sessions');
    expect([...bridge.sessions.keys()].sort()).toEqual(['/dev/ttyHL0', '/dev/ttyHL1']);
    dev.links.delete('/dev/ttyHL1');
    opened.find((p) => p.path === '/dev/ttyHL1')!.unplug(new Error('device disconnected'));
    expect([...bridge.sessions.keys()]).toEqual(['/dev/ttyHL0']);
  });
});
