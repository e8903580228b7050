/**
 * The end-to-end promise of PROTOCOL.md §7, checked as a property: whatever
 * the interleaving of presses, lost and corrupted frames in either
 * direction, duplicated ACKs, unplugged cables, bridge restarts and terminal
 * reboots, an ideal bridge that stores by (uid, seq) high-water mark ends up
 * — once the link is good again — with every accepted press stored exactly
 * once, with the button and flags it was pressed with.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../bridge/simulator/manual-clock.ts';
import { createRandom } from '../../../bridge/simulator/random.ts';
import { createStreamPair } from '../../../bridge/simulator/stream-transport.ts';
import { MemoryTerminalStore } from '../../../bridge/simulator/terminal-store.ts';
import { VirtualTerminal } from '../../../bridge/simulator/virtual-terminal.ts';
import { IdealBridge } from './scripted-bridge.ts';

type Command =
  | { readonly kind: 'press'; readonly buttons: readonly number[] }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'reboot' }
  | { readonly kind: 'bridge-restart' }
  | { readonly kind: 'dup-ack' }
  | { readonly kind: 'stale-ack'; readonly back: number }
  | { readonly kind: 'garbage'; readonly bytes: Uint8Array }
  | { readonly kind: 'unplug' }
  | { readonly kind: 'replug' };

const command: fc.Arbitrary<Command> = fc.oneof(
  // Several presses in a row (no I/O in between) build a queue, which is where ordering bugs live.
  {
    weight: 6,
    arbitrary: fc
      .array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 5 })
      .map((buttons) => ({ kind: 'press' as const, buttons })),
  },
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 40_000 }).map((ms) => ({ kind: 'advance' as const, ms })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reboot' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bridge-restart' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'dup-ack' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 }).map((back) => ({ kind: 'stale-ack' as const, back })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 80 }).map((bytes) => ({ kind: 'garbage' as const, bytes })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unplug' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'replug' as const }) },
);

const faultRates = fc.record({
  seed: fc.integer({ min: 0, max: 0xffffffff }),
  dropIn: fc.double({ min: 0, max: 0.6, noNaN: true }),
  dropOut: fc.double({ min: 0, max: 0.6, noNaN: true }),
  corruptOut: fc.double({ min: 0, max: 0.3, noNaN: true }),
  duplicateAck: fc.double({ min: 0, max: 0.5, noNaN: true }),
});

describe('VirtualTerminal + ideal bridge delivery', () => {
  it('stores every accepted press exactly once after any mix of faults, once the link heals', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 40, size: 'large' }), faultRates, async (commands, rates) => {
        const clock = new ManualClock(0);
        const pair = createStreamPair({ name: 'P' });
        const store = new MemoryTerminalStore();
        const terminal = new VirtualTerminal({ uid: 'PROP-1', transport: pair.terminalSide, clock, store, capacity: 8 });
        const bridge = new IdealBridge(pair.bridgeSide, clock, {
          buttons: 3,
          cooldownMs: 2000,
          mode: 'OPEN',
          windowMs: 30000,
          leds: true,
          buzzer: true,
        });
        const random = createRandom(rates.seed);
        bridge.faults = {
          dropIn: () => random.chance(rates.dropIn),
          dropOut: () => random.chance(rates.dropOut),
          corruptOut: () => random.chance(rates.corruptOut),
          duplicateAck: () => (random.chance(rates.duplicateAck) ? random.int(0, 3000) : null),
        };
        const accepted = new Map<number, { button: number; flags: string }>();
        let lastSeq = 0;
        // Safety at every step, not only at the end: a vote may be done only once the bridge has stored it.
        const doneUnstored: number[] = [];
        terminal.on('acked', ({ seq }) => {
          if (!bridge.stored.get('PROP-1')?.has(seq)) doneUnstored.push(seq);
        });
        try {
          terminal.start();
          for (const c of commands) {
            switch (c.kind) {
              case 'press':
                for (const button of c.buttons) {
                  const r = terminal.press(button);
                  if (r.ok) {
                    // Seqs only grow, across reboots too (§7.1).
                    expect(r.seq).toBe(lastSeq + 1);
                    lastSeq = r.seq;
                    accepted.set(r.seq, { button, flags: r.flags });
                  } else {
                    expect(r.code).toBe('buffer-full');
                    expect(terminal.pending).toBe(8);
                  }
                }
                break;
              case 'advance':
                await clock.advance(c.ms);
                break;
              case 'reboot':
                terminal.reboot();
                break;
              case 'bridge-restart':
                bridge.restart();
                break;
              case 'dup-ack':
                bridge.repeatLastAck();
                break;
              case 'stale-ack':
                bridge.staleAck(c.back);
                break;
              case 'garbage':
                bridge.sendRaw(c.bytes);
                break;
              case 'unplug':
                pair.unplug();
                break;
              case 'replug':
                if (!pair.plugged) {
                  bridge.attach(pair.replug());
                  bridge.restart(); // the bridge reopened its port: it needs a HELLO again (§6.1)
                }
                break;
            }
            await clock.flush();
          }
          // The link is good again: no faults, cable in.
          bridge.faults = {};
          if (!pair.plugged) {
            bridge.attach(pair.replug());
            bridge.restart();
          }
          await clock.advance(180_000);

          expect(doneUnstored, 'votes completed before the bridge stored them').toEqual([]);
          expect(terminal.pending).toBe(0);
          const records = bridge.records();
          for (const r of records) expect(r.stores, `seq ${r.seq} stored ${r.stores} times`).toBe(1);
          expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual([...accepted.keys()]);
          for (const r of records) expect({ button: r.button, flags: r.flags }).toEqual(accepted.get(r.seq));
          // A heard-from, healthy terminal is back in session.
          expect(terminal.phase).toBe('session');
        } finally {
          bridge.dispose();
          await terminal.close();
        }
      }),
      { numRuns: 400 },
    );
  });
});
