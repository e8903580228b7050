/**
 * The send window (PROTOCOL.md §7.7) against the `windows` conformance
 * vectors: the pure terminal sender (SendWindow, with the §7.6 renumbering
 * rule) and the pure bridge ordering rule (ReceiveWindow, with a model of the
 * mark that §7.1 defines), plus properties the vectors cannot enumerate.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decode } from '../../firmware-protocol/src/decode.ts';
import { ReceiveWindow } from '../../firmware-protocol/src/receive-window.ts';
import { SendWindow, lostHistory } from '../../firmware-protocol/src/send-window.ts';
import { loadVectors, type SenderVector } from './helpers.ts';

const vectors = loadVectors();
/** §7.1: a seq this far above a non-zero mark is a jump, stored as rejected. */
const MAX_SEQ_JUMP = 100_000;

interface Seq {
  readonly seq: number;
}

/** Replays one sender vector on a SendWindow; returns nothing, asserts every step. */
function replaySender(v: SenderVector): void {
  const w = new SendWindow<Seq>({ maxInFlight: v.inFlight });
  w.load(v.pending.map((seq) => ({ seq })));
  let next = v.nextSeq ?? (v.pending.length > 0 ? v.pending[v.pending.length - 1]! + 1 : 1);
  const seqs = (xs: readonly Seq[]): number[] => xs.map((x) => x.seq);
  v.steps.forEach((step, i) => {
    const where = `${v.name}, step ${i + 1} (${step.do})`;
    let send: number[] = [];
    switch (step.do) {
      case 'welcome': {
        const r = decode(step.line);
        if (!r.ok || r.value.type !== 'WELCOME') throw new Error(`${where}: not a WELCOME`);
        const mark = r.value.mark;
        // §7.6 before any VOTE of the session, with Wmax = HELLO's inFlight
        if (mark !== undefined && lostHistory(w.votes[0]?.seq, next, mark, v.inFlight)) {
          const shift = mark + 1 - (w.votes[0]?.seq ?? next);
          w.load(w.votes.map((x) => ({ seq: x.seq + shift })));
          next += shift;
        }
        send = seqs(w.startSession(r.value.inFlight).send);
        break;
      }
      case 'rx': {
        const r = decode(step.line);
        if (!r.ok) throw new Error(`${where}: undecodable line`);
        if (r.value.type === 'ACK') {
          const a = w.ack(r.value.seq);
          expect(seqs(a.done), `${where}: done`).toEqual(step.done ?? []);
          send = seqs(w.fill().send);
        } else if (r.value.type === 'NAK') {
          const n = w.nak(r.value.seq, r.value.reason);
          expect(step.done ?? [], `${where}: a NAK completes nothing`).toEqual([]);
          send = seqs(n.send);
        } else {
          throw new Error(`${where}: only ACK and NAK lines are vectors`);
        }
        break;
      }
      case 'timeout':
        expect(w.timeoutMs, `${where}: the timeout that ran`).toBe(step.ms);
        send = seqs(w.expire().send);
        break;
      case 'press':
        w.add({ seq: next++ });
        send = seqs(w.fill().send);
        break;
      case 'hello':
        send = seqs(w.endSession().send);
        break;
    }
    expect(send, `${where}: sent`).toEqual(step.send);
  });
}

describe('windows.sender vectors (§7.7)', () => {
  it('has vectors for the window, the NAKs, the timeouts and the §7.6 interplay', () => {
    expect(vectors.windows.sender.length).toBeGreaterThanOrEqual(12);
    const kinds = new Set(vectors.windows.sender.flatMap((v) => v.steps.map((s) => s.do)));
    expect([...kinds].sort()).toEqual(['hello', 'press', 'rx', 'timeout', 'welcome']);
  });

  it.each(vectors.windows.sender.map((v) => [v.name, v] as const))('%s', (_name, v) => replaySender(v));
});

describe('windows.receiver vectors (§7.7)', () => {
  it.each(vectors.windows.receiver.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    let mark = v.mark;
    let w = new ReceiveWindow(v.inFlight);
    v.steps.forEach((step, i) => {
      if ('do' in step) {
        w = new ReceiveWindow(v.inFlight);
        return;
      }
      const pos = w.position(step.seq);
      let answer: string;
      if (pos === 'ahead') {
        answer = 'DROP';
        w.drop(step.seq);
      } else if (pos === 'gap') answer = 'HELLO';
      else {
        // the §7.1 mark model: dedupe by mark, jumps rejected without moving it
        answer = step.seq <= mark ? 'DUP' : mark > 0 && step.seq > mark + MAX_SEQ_JUMP ? 'REJECT' : 'OK';
        if (answer === 'OK') mark = step.seq;
        w.handled(step.seq);
      }
      expect(answer, `${v.name}, step ${i + 1} (seq ${step.seq})`).toBe(step.answer);
    });
  });
});

describe('SendWindow properties', () => {
  it('never has more than W votes in flight, sends in seq order from the oldest, and W = 1 is stop-and-wait', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 16 }),
        fc.array(
          fc.oneof(
            fc.constant('press'),
            fc.constant('ack'),
            fc.constant('timeout'),
            fc.constant('nak'),
            fc.constant('hello'),
            fc.constant('welcome'),
          ),
          { maxLength: 80 },
        ),
        fc.array(fc.nat(), { minLength: 80, maxLength: 80 }),
        (wmax, granted, ops, picks) => {
          const w = new SendWindow<Seq>({ maxInFlight: wmax });
          let next = 1;
          w.startSession(granted);
          ops.forEach((op, i) => {
            const inflight = w.inFlight.map((x) => x.seq);
            if (op === 'press') {
              w.add({ seq: next++ });
              w.fill();
            } else if (op === 'ack' && inflight.length > 0) {
              w.ack(inflight[picks[i]! % inflight.length]!);
              w.fill();
            } else if (op === 'timeout') {
              const resent = w.expire().send.map((x) => x.seq);
              expect(resent).toEqual(w.inSession ? inflight : []);
            } else if (op === 'nak') w.nak(0, 'CRC');
            else if (op === 'hello') w.endSession();
            else if (op === 'welcome') w.startSession(granted);
            const now = w.inFlight.map((x) => x.seq);
            expect(now.length).toBeLessThanOrEqual(Math.min(wmax, granted));
            // in flight = the oldest pending, contiguous from the front of the queue
            expect(now).toEqual(w.votes.slice(0, now.length).map((x) => x.seq));
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('lostHistory with Wmax = 1 is the 1.0 rule: oldest pending below the mark, or next seq at or below it', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
        fc.integer({ min: 1, max: 1001 }),
        fc.integer({ min: 0, max: 1000 }),
        (oldest, nextSeq, mark) => {
          expect(lostHistory(oldest, nextSeq, mark, 1)).toBe((oldest !== undefined && oldest < mark) || nextSeq <= mark);
        },
      ),
    );
  });

  it('refuses a Wmax outside 1..64, naming the option', () => {
    expect(() => new SendWindow({ maxInFlight: 0 })).toThrow('"maxInFlight" must be an integer 1..64, got 0');
    expect(() => new SendWindow({ maxInFlight: 65 })).toThrow(RangeError);
  });
});

describe('ReceiveWindow', () => {
  it('waits again for an in-order vote that failed to store, but not for a failed resend behind the window', () => {
    const w = new ReceiveWindow(4);
    w.handled(41);
    w.handled(42);
    w.settled(41, true);
    w.settled(42, true);
    expect(w.position(43)).toBe('in-order');
    // A go-back-N resend of 41 fails: the terminal gets the ACK of the first 41 and never sends it
    // again, so waiting for it would block the box for ever.
    expect(w.position(41)).toBe('behind');
    w.settled(41, false);
    expect(w.position(43)).toBe('in-order');
    w.handled(43);
    w.handled(44);
    w.settled(43, false);
    w.settled(44, false);
    expect(w.position(44)).toBe('ahead');
    expect(w.position(43)).toBe('in-order');
  });

  it('with W = 1 every seq is in order (1.0: gaps anywhere)', () => {
    const w = new ReceiveWindow(1);
    w.handled(41);
    expect(w.position(50)).toBe('in-order');
    expect(w.position(3)).toBe('in-order');
    expect(w.next).toBeNull();
  });
});
