/**
 * The promise of PROTOCOL.md §7.7 as a property, with the real parts on both
 * ends: a VirtualTerminal with a send window of 1..16 and the bridge's real
 * TerminalSession, over a serial link that drops, duplicates, corrupts and
 * reorders frames, with batches that commit or fail, bridge restarts and
 * terminal reboots. The journal behind the session is a model at the
 * `submitVote` seam (high-water mark per uid, one transaction per batch), so
 * thousands of interleavings run in seconds; the e2e test runs the real one.
 * Once the link heals, every accepted press must be journaled exactly once,
 * in seq order, and no vote may ever be completed at the terminal before the
 * journal holds it.
 *
 * Reordering never moves a frame across a HELLO on the terminal → bridge
 * side: the protocol assumes the link keeps its order (a UART does; §7.7),
 * and a VOTE of an ended session arriving after the next HELLO is the one
 * reordering a session's first VOTE cannot tell from a gap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VoteMessage } from '../../../firmware-protocol/src/message.ts';
import type { PlacedTerminal } from '../../../bridge/config/hailong-config.ts';
import type { AppendOutcome } from '../../../bridge/journal/vote-input.ts';
import type { SessionContext } from '../../../bridge/serial/session-context.ts';
import { TerminalSession } from '../../../bridge/serial/terminal-session.ts';
import type { VoteAnswer } from '../../../bridge/serial/vote-pipeline.ts';
import { ManualClock } from '../../../bridge/simulator/manual-clock.ts';
import { MemoryTerminalStore } from '../../../bridge/simulator/terminal-store.ts';
import type { TerminalTransport } from '../../../bridge/simulator/transport.ts';
import { VirtualTerminal } from '../../../bridge/simulator/virtual-terminal.ts';

const COUNTER = { id: 'quay-1', name: 'Quầy 1', mode: 'open' as const, terminals: [] };
const TERMINAL: PlacedTerminal = { id: 'hop-1', kind: 'button', uid: 'HL-W', counter: COUNTER };
const CRLF = new Uint8Array([0x0d, 0x0a]);

type Dir = 'up' | 'down';
type Command =
  | { readonly kind: 'press'; readonly buttons: readonly number[] }
  | { readonly kind: 'deliver'; readonly dir: Dir; readonly n: number }
  | { readonly kind: 'drop' | 'duplicate' | 'corrupt' | 'swap'; readonly dir: Dir; readonly at: number }
  | { readonly kind: 'commit'; readonly fail: boolean }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'bridge-restart' }
  | { readonly kind: 'reboot' };

const dir = fc.constantFrom<Dir>('up', 'down');
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 12 }).map((buttons) => ({ kind: 'press' as const, buttons })) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('deliver' as const), dir, n: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('drop' as const, 'duplicate' as const, 'corrupt' as const, 'swap' as const), dir, at: fc.nat(30) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('commit' as const), fail: fc.integer({ min: 0, max: 4 }).map((n) => n === 0) }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 20_000 }).map((ms) => ({ kind: 'advance' as const, ms })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bridge-restart' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reboot' as const }) },
);

/** One direction of the serial line: whole frames, faults applied by the commands. */
class Line {
  frames: Uint8Array[] = [];
  constructor(private readonly barrier: string) {}
  push(bytes: Uint8Array): void {
    // A write may carry several frames (one ACK write per batch): keep them one per entry.
    let start = 0;
    for (let i = 0; i + 1 < bytes.length; i++) {
      if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
        this.frames.push(bytes.slice(start, i));
        start = i + 2;
        i++;
      }
    }
  }
  private isBarrier(i: number): boolean {
    const f = this.frames[i];
    return f !== undefined && new TextDecoder().decode(f.subarray(1, 1 + this.barrier.length)) === this.barrier;
  }
  apply(kind: 'drop' | 'duplicate' | 'corrupt' | 'swap', at: number): void {
    if (this.frames.length === 0) return;
    const i = at % this.frames.length;
    const f = this.frames[i]!;
    if (kind === 'drop') this.frames.splice(i, 1);
    else if (kind === 'duplicate') this.frames.splice(i, 0, f.slice());
    else if (kind === 'corrupt') {
      const c = f.slice();
      const k = 1 + (at % Math.max(1, c.length - 1));
      c[k] = c[k] === 0x30 ? 0x31 : 0x30;
      this.frames[i] = c;
    } else if (i + 1 < this.frames.length && !this.isBarrier(i) && !this.isBarrier(i + 1)) {
      this.frames[i] = this.frames[i + 1]!;
      this.frames[i + 1] = f;
    }
  }
  take(n: number): Uint8Array[] {
    return this.frames.splice(0, n);
  }
}

/** A terminal-side transport whose writes go onto a Line. */
function transportOn(line: Line): TerminalTransport & { deliver(bytes: Uint8Array): void } {
  let listener: (b: Uint8Array) => void = () => {};
  return {
    write: (bytes) => line.push(bytes),
    onData: (l) => (listener = l),
    onLink: () => {},
    up: true,
    name: 'model-line',
    close: async () => {},
    deliver: (bytes) => listener(bytes),
  };
}

/** The journal behind the session: a mark per uid; a batch is one transaction. */
class ModelJournal {
  mark = 0;
  /** Seqs in the order they were stored. */
  readonly order: number[] = [];
  readonly stored = new Map<number, { button: number; flags: string; times: number }>();
  pending: { sink: TerminalSession; vote: VoteMessage }[] = [];

  commit(fail: boolean): void {
    const batch = this.pending;
    this.pending = [];
    const bySink = new Map<TerminalSession, VoteAnswer[]>();
    let mark = this.mark;
    const fresh: VoteMessage[] = [];
    for (const { sink, vote } of batch) {
      let outcome: AppendOutcome;
      if (fail) outcome = { status: 'failed', code: 'SQLITE_IOERR', message: 'injected' };
      else if (vote.seq <= mark) outcome = fresh.some((v) => v.seq === vote.seq) ? { status: 'stored', vote: {} as never, payload: '', rowid: 0, topic: '' } : { status: 'duplicate', hwm: mark };
      else {
        mark = vote.seq;
        fresh.push(vote);
        outcome = { status: 'stored', vote: {} as never, payload: '', rowid: 0, topic: '' };
      }
      const answers = bySink.get(sink) ?? [];
      answers.push({ seq: vote.seq, outcome });
      bySink.set(sink, answers);
    }
    // durable first, then the answers
    for (const v of fresh) {
      const r = this.stored.get(v.seq);
      if (r !== undefined) r.times++;
      else this.stored.set(v.seq, { button: v.button, flags: v.flags, times: 1 });
      this.order.push(v.seq);
    }
    this.mark = mark;
    for (const [sink, answers] of bySink) sink.settle(answers);
  }
}

describe('send window: terminal ↔ faulty serial line ↔ bridge session (§7.7)', () => {
  it('journals every accepted press exactly once, in order, whatever the loss, duplication, corruption and reordering', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 16 }), fc.array(command, { maxLength: 60, size: 'large' }), async (inFlight, commands) => {
        const clock = new ManualClock(0);
        const up = new Line('HELLO');
        const down = new Line('WELCOME');
        const transport = transportOn(up);
        const journal = new ModelJournal();
        const store = new MemoryTerminalStore();
        const terminal = new VirtualTerminal({ uid: 'HL-W', transport, clock, store, capacity: 64, inFlight });
        const context: SessionContext = {
          portPath: '/dev/model',
          write: (bytes) => down.push(bytes),
          identify: () => ({ ok: true, terminal: TERMINAL }),
          configFor: () => ({ type: 'CONFIG', buttons: 3, cooldownMs: 0, mode: 'OPEN', windowMs: 30000, leds: true, buzzer: true }),
          openWindowMs: () => 0,
          highWaterMark: () => journal.mark,
          submitVote: (sink, _t, _uid, vote) => void journal.pending.push({ sink: sink as TerminalSession, vote }),
          now: () => clock.now(),
        };
        let session = new TerminalSession(context);
        const accepted = new Map<number, { button: number; flags: string }>();
        const completedUnstored: number[] = [];
        terminal.on('acked', ({ seq }) => {
          if (!journal.stored.has(seq)) completedUnstored.push(seq);
        });
        const deliver = (d: Dir, n: number) => {
          for (const f of (d === 'up' ? up : down).take(n)) {
            const bytes = new Uint8Array(f.length + 2);
            bytes.set(f);
            bytes.set(CRLF, f.length);
            if (d === 'up') session.receive(bytes);
            else transport.deliver(bytes);
          }
        };
        try {
          terminal.start();
          for (const c of commands) {
            switch (c.kind) {
              case 'press':
                for (const b of c.buttons) {
                  const r = terminal.press(b);
                  if (r.ok) accepted.set(r.seq, { button: b, flags: r.flags });
                }
                break;
              case 'deliver':
                deliver(c.dir, c.n);
                break;
              case 'drop':
              case 'duplicate':
              case 'corrupt':
              case 'swap':
                (c.dir === 'up' ? up : down).apply(c.kind, c.at);
                break;
              case 'commit':
                journal.commit(c.fail);
                break;
              case 'advance':
                await clock.advance(c.ms);
                session.tick();
                break;
              case 'bridge-restart':
                // kill -9: the batch being built is lost unanswered, the journal stays; a new port session
                journal.pending = [];
                session.close();
                session = new TerminalSession(context);
                break;
              case 'reboot':
                terminal.reboot();
                break;
            }
            await clock.flush();
          }
          // The line heals: everything delivered in order, batches commit, time runs.
          for (let i = 0; i < 400 && (terminal.pending > 0 || up.frames.length > 0 || down.frames.length > 0); i++) {
            deliver('up', Infinity);
            journal.commit(false);
            deliver('down', Infinity);
            await clock.advance(1000);
            session.tick();
          }
          expect(completedUnstored, 'votes completed at the terminal before the journal held them').toEqual([]);
          expect(terminal.pending).toBe(0);
          for (const [seq, r] of journal.stored) expect(r.times, `seq ${seq} journaled ${r.times} times`).toBe(1);
          expect([...journal.stored.keys()].sort((a, b) => a - b)).toEqual([...accepted.keys()].sort((a, b) => a - b));
          expect(journal.order, 'journaled in seq order').toEqual([...journal.order].sort((a, b) => a - b));
          for (const [seq, r] of journal.stored) expect({ button: r.button, flags: r.flags }).toEqual(accepted.get(seq));
        } finally {
          await terminal.close();
        }
      }),
      {
        numRuns: 1000,
        examples: [
          // found by this property: a failed resend of a vote an earlier batch stored (ACKed from
          // there) made the window wait for a vote the terminal never sends again
          [
            2,
            [
              { kind: 'deliver', dir: 'up', n: 2 },
              { kind: 'press', buttons: [1] },
              { kind: 'deliver', dir: 'down', n: 1 },
              { kind: 'reboot' },
              { kind: 'deliver', dir: 'up', n: 3 },
              { kind: 'commit', fail: false },
              { kind: 'deliver', dir: 'down', n: 2 },
              { kind: 'deliver', dir: 'up', n: 1 },
              { kind: 'commit', fail: true },
              { kind: 'press', buttons: [1] },
            ],
          ],
        ],
      },
    );
  });

});
