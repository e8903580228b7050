import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyTally, type Tally, type TerminalPath } from '../../../core/index.ts';
import { terminalsOf } from '../../../bridge/config/hailong-config.ts';
import { Journal } from '../../../bridge/journal/journal.ts';
import { MqttLink } from '../../../bridge/mqtt/mqtt-link.ts';
import { RetainedState, type RetainedJournal } from '../../../bridge/mqtt/retained-state.ts';
import { FakeMqttLink, type FakePublish } from '../fakes/fake-mqtt-link.ts';
import { rigConfig, tempDir, testLog } from '../bridge-rig.ts';

describe('RetainedState failures (issue 13, item 9)', () => {
  it('logs a retained publish that failed at warn and counts it, instead of at debug only', async () => {
    const tmp = tempDir();
    try {
      const config = rigConfig({ boxes: 1, ports: [], dataDir: tmp.dir });
      const lines: { level: number; msg: string; what?: string }[] = [];
      const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
      // A real link that was never started: every publish fails ("not connected").
      const link = new MqttLink({ urls: ['mqtt://127.0.0.1:1'], clientId: 'test', log });
      const retained = new RetainedState(config, new Journal({ path: `${tmp.dir}/j.db`, log }), link, log, () => ({}), 'test');
      const terminal = terminalsOf(config)[0]!;
      retained.terminalStatus(terminal, { v: 1, state: 'online', at: Date.now(), kind: 'button' });
      await retained.publishOffline();
      expect(retained.stats().failed).toBe(2);
      const warnings = lines.filter((l) => l.level === 40);
      expect(warnings).toHaveLength(1); // the first in full, then every 100th
      expect(warnings[0]).toMatchObject({ what: 'status', count: 1 });
      expect(warnings[0]!.msg).toMatch(/not published/);
    } finally {
      tmp.remove();
    }
  });
});

/** A fake journal at the retained state's seam: tallies by terminal-month, and its 'tally-changed' event. */
class FakeTallyJournal extends EventEmitter<{ 'tally-changed': [path: TerminalPath, month: string] }> implements RetainedJournal {
  isOpen = true;
  readonly store = new Map<string, Tally>();
  put(tally: Tally): void {
    this.store.set(`${tally.terminal}/${tally.month}`, tally);
  }
  tallyOf(path: TerminalPath, month: string): Tally | undefined {
    return this.store.get(`${path.terminal}/${month}`);
  }
  tallies(): Tally[] {
    return [...this.store.values()];
  }
}

const WARD = { district: 'ba-dinh', ward: 'phuc-xa' };
const HOP = (i: number): TerminalPath => ({ ...WARD, counter: `quay-${i}`, terminal: `hop-${i}` });
const tallyOf = (path: TerminalPath, month: string, seq: number): Tally => ({
  ...emptyTally(path, month),
  seq,
  updatedAt: 1_800_000_000_000 + seq,
});
const kinds = (ps: readonly FakePublish[]) => ps.map((p) => p.kind).sort();

describe('RetainedState at its seams (fake journal, fake MQTT link)', () => {
  const config = rigConfig({ boxes: 2, ports: [], dataDir: '/nonexistent' });
  let retained: RetainedState | undefined;
  afterEach(async () => {
    await retained?.stop();
    retained = undefined;
  });

  it('republishes everything retained on EVERY connect: bridge status, office, each config, box statuses, every tally', async () => {
    const journal = new FakeTallyJournal();
    journal.put(tallyOf(HOP(1), '2026-11', 3));
    journal.put(tallyOf(HOP(1), '2026-12', 5));
    journal.put(tallyOf(HOP(2), '2026-12', 1));
    const link = new FakeMqttLink();
    retained = new RetainedState(config, journal, link, testLog, () => ({ 'votes-stored': 9 }), 'test', { tallyDelayMs: 10 });
    retained.start();
    expect(link.published).toHaveLength(0);
    const expected = ['bridge-status', 'config', 'config', 'office', 'status', 'status', 'tally', 'tally', 'tally'];
    link.connect(1_800_000_000_000);
    await new Promise((r) => setTimeout(r, 5));
    expect(kinds(link.onConnection(1))).toEqual(expected);
    // Everything retained: a broker that lost its store gets it all back.
    expect(link.published.every((p) => p.retain && p.qos === 1)).toBe(true);
    const status = JSON.parse(link.onConnection(1).find((p) => p.kind === 'bridge-status')!.payload) as {
      state: string;
      at: number;
      errors: object;
    };
    expect(status).toMatchObject({ state: 'online', at: 1_800_000_000_000, errors: { 'votes-stored': 9 } });
    for (const p of link.pending()) p.ack();
    link.drop();
    journal.put(tallyOf(HOP(2), '2027-01', 2));
    link.connect();
    await new Promise((r) => setTimeout(r, 5));
    expect(kinds(link.onConnection(2))).toEqual([...expected, 'tally'].sort());
  });

  it("a journal 'tally-changed' republishes that terminal-month's tally, once per burst", async () => {
    const journal = new FakeTallyJournal();
    const link = new FakeMqttLink();
    retained = new RetainedState(config, journal, link, testLog, () => ({}), 'test', { tallyDelayMs: 20 });
    retained.start();
    link.connect();
    await new Promise((r) => setTimeout(r, 5));
    const before = link.published.length;
    for (let seq = 1; seq <= 5; seq++) {
      journal.put(tallyOf(HOP(1), '2026-12', seq));
      journal.emit('tally-changed', HOP(1), '2026-12');
    }
    journal.put(tallyOf(HOP(2), '2026-12', 1));
    journal.emit('tally-changed', HOP(2), '2026-12');
    await new Promise((r) => setTimeout(r, 60));
    const after = link.published.slice(before);
    expect(after.map((p) => [p.kind, (p.params as TerminalPath).terminal])).toEqual([
      ['tally', 'hop-1'],
      ['tally', 'hop-2'],
    ]);
    // The newest tally, as the journal holds it after the burst.
    expect(JSON.parse(after[0]!.payload)).toMatchObject({ terminal: 'hop-1', month: '2026-12', seq: 5 });
  });

  it('stop() publishes the tallies still waiting for their delay, and stops listening', async () => {
    const journal = new FakeTallyJournal();
    const link = new FakeMqttLink();
    retained = new RetainedState(config, journal, link, testLog, () => ({}), 'test', { tallyDelayMs: 60_000 });
    retained.start();
    link.connect();
    await new Promise((r) => setTimeout(r, 5));
    const before = link.published.length;
    journal.put(tallyOf(HOP(1), '2026-12', 7));
    journal.emit('tally-changed', HOP(1), '2026-12');
    const stopping = retained.stop();
    for (const p of link.pending()) p.ack();
    await stopping;
    retained = undefined;
    expect(link.published.slice(before).map((p) => p.kind)).toEqual(['tally']);
    expect(journal.listenerCount('tally-changed')).toBe(0);
    expect(link.listenerCount('connect')).toBe(0);
  });

  it('a publish the broker refuses is counted, and goes out again on the next connect', async () => {
    const journal = new FakeTallyJournal();
    journal.put(tallyOf(HOP(1), '2026-12', 1));
    const link = new FakeMqttLink();
    retained = new RetainedState(config, journal, link, testLog, () => ({}), 'test');
    retained.start();
    link.failWith = new Error('not authorized');
    link.connect();
    await new Promise((r) => setTimeout(r, 5));
    expect(retained.stats().failed).toBe(7); // bridge status, office, 2 configs, 2 box statuses, 1 tally
    link.failWith = undefined;
    link.drop();
    link.connect();
    await new Promise((r) => setTimeout(r, 5));
    expect(kinds(link.onConnection(2))).toContain('tally');
  });
});
