import { describe, expect, it } from 'vitest';
import { TerminalMemory } from '../../../bridge/simulator/terminal-memory.ts';
import {
  MemoryTerminalStore,
  type StoredVote,
  type TerminalSnapshot,
  type TerminalStore,
} from '../../../bridge/simulator/terminal-store.ts';

const vote = (seq: number): StoredVote => ({ seq, button: 1, reason: 0, flags: '' });

/** A store whose writes fail while `broken` is set. */
function flakyStore(): TerminalStore & { broken: boolean; saved: TerminalSnapshot[] } {
  const inner = new MemoryTerminalStore();
  const store = {
    broken: false,
    saved: [] as TerminalSnapshot[],
    load: () => inner.load(),
    save(snapshot: TerminalSnapshot): void {
      if (store.broken) throw new Error('EEPROM write failed');
      store.saved.push(snapshot);
      inner.save(snapshot);
    },
  };
  return store;
}

describe('TerminalMemory', () => {
  it('loads a blank store as nothing pending, seq 0, factory config', () => {
    const memory = new TerminalMemory(new MemoryTerminalStore(), () => undefined);
    const loaded = memory.load();
    expect(loaded).toEqual({ ok: true, value: [] });
    expect([memory.lastSeq, memory.refused, memory.config]).toEqual([0, 0, null]);
  });

  it('writes one snapshot and takes the new last seq only once it is written', () => {
    const store = flakyStore();
    let errors = 0;
    const memory = new TerminalMemory(store, () => errors++);
    memory.refused = 2;
    expect(memory.save([vote(1)], 1)).toBe(true);
    expect(store.saved.at(-1)).toEqual({ version: 1, lastSeq: 1, pending: [vote(1)], config: null, refused: 2 });
    expect(memory.lastSeq).toBe(1);
    store.broken = true;
    expect(memory.save([vote(1), vote(2)], 2)).toBe(false);
    expect(memory.lastSeq).toBe(1);
    expect(errors).toBe(1);
  });

  it('restores what it saved after a power cycle', () => {
    const store = new MemoryTerminalStore();
    const before = new TerminalMemory(store, () => undefined);
    before.config = { mode: 'GATED', cooldownMs: 0, buttons: 3, windowMs: 30_000, leds: true, buzzer: false };
    before.refused = 4;
    before.save([vote(7)], 7);
    const after = new TerminalMemory(store, () => undefined);
    expect(after.load()).toEqual({ ok: true, value: [vote(7)] });
    expect([after.lastSeq, after.refused, after.config]).toEqual([7, 4, before.config]);
  });

  it('§7.6: a wiped store moves its pending votes above the mark, gaps kept, in one write', () => {
    const store = flakyStore();
    const memory = new TerminalMemory(store, () => undefined);
    memory.save([vote(1), vote(3)], 3);
    const moved = memory.moveAbove(40, [vote(1), vote(3)], 1);
    expect(moved).toEqual({ from: [1, 3], votes: [vote(41), vote(43)] });
    expect(memory.lastSeq).toBe(43);
    expect(store.saved.at(-1)?.pending).toEqual([vote(41), vote(43)]);
  });

  it('§7.6: votes above the mark keep their seqs; a failed write moves nothing', () => {
    const store = flakyStore();
    const memory = new TerminalMemory(store, () => undefined);
    memory.save([vote(5)], 5);
    expect(memory.moveAbove(4, [vote(5)], 1)).toBeUndefined();
    store.broken = true;
    expect(memory.moveAbove(40, [vote(5)], 1)).toBeUndefined();
    expect(memory.lastSeq).toBe(5);
  });
});
