/**
 * Boxes for the bridge benches: each one on the device end of a real socat
 * pty pair, speaking the real frames, pressing as fast as its window lets it
 * (a send window of `window` votes negotiated in HELLO/WELCOME, PROTOCOL.md
 * §7.7; 1 = stop-and-wait as a 1.0 box, §7.2). An ACK for seq n completes
 * every vote up to n (the cumulative ACK of a window, or one ACK per vote);
 * after a second without one the window is sent again (go-back-N). Frames are encoded before the clock
 * starts, so the box side costs little beside the bridge it measures.
 */
import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import { encode } from '../firmware-protocol/src/encode.ts';
import { FrameDecoder } from '../firmware-protocol/src/frame-decoder.ts';
import type { Message } from '../firmware-protocol/src/message.ts';

/** A bench box and its counters. */
export interface PtyBox {
  readonly uid: string;
  /** Votes ACKed (OK or DUP). */
  readonly acked: number;
  /** Votes sent again after a second without an ACK. */
  readonly resent: number;
  /** ACK frames heard (one per vote, or fewer when cumulative). */
  readonly ackFrames: number;
  /** Sends HELLO (asking for `inFlight` = `window` when above 1, PROTOCOL.md §7.7) and resolves on WELCOME. */
  hello(window: number): Promise<Message>;
  /** Presses `votes` votes (seqs from `firstSeq`) with up to `window` in flight; resolves when all are ACKed. */
  burst(firstSeq: number, votes: number, window: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens the device end `path` as bench box `uid`. */
export async function openPtyBox(path: string, uid: string): Promise<PtyBox> {
  const port = new SerialPort({ path, baudRate: 115_200, autoOpen: false });
  await new Promise<void>((ok, fail) => port.open((e) => (e ? fail(e) : ok())));
  const decoder = new FrameDecoder({ raw: false });
  let onFrame: (m: Message) => void = () => {};
  port.on('data', (chunk: Buffer) => {
    for (const r of decoder.push(chunk)) if (r.ok) onFrame(r.value);
  });
  const state = { acked: 0, resent: 0, ackFrames: 0 };
  return {
    uid,
    get acked() {
      return state.acked;
    },
    get resent() {
      return state.resent;
    },
    get ackFrames() {
      return state.ackFrames;
    },
    hello(window) {
      return new Promise((resolve) => {
        // BENCH_NO_NEGOTIATE=1: a bridge before revision 1.1 (a before/after comparison) gets a 1.0 HELLO; the box still keeps `window` VOTEs in flight.
        const ask = window > 1 && process.env.BENCH_NO_NEGOTIATE !== '1';
        const send = () =>
          port.write(
            encode({
              type: 'HELLO',
              proto: 1,
              uid,
              model: 'BENCH',
              firmware: '1.1.0',
              buttons: 3,
              pending: 0,
              ...(ask ? { inFlight: window } : {}),
            }),
          );
        const timer = setInterval(send, 500);
        onFrame = (m) => {
          if (m.type !== 'WELCOME') return;
          clearInterval(timer);
          onFrame = () => {};
          resolve(m);
        };
        send();
      });
    },
    burst(firstSeq, votes, window) {
      const last = firstSeq + votes - 1;
      const frames = Array.from({ length: votes }, (_, i) =>
        encode({ type: 'VOTE', seq: firstSeq + i, button: 1 + (i % 3), reason: 0, ageMs: 5, flags: '' }),
      );
      let next = firstSeq;
      let base = firstSeq;
      let heardAt = performance.now();
      return new Promise((resolve) => {
        const fill = () => {
          let text = '';
          // The first vote of a session goes alone (PROTOCOL.md §7.7).
          const open = base === firstSeq ? 1 : window;
          while (next <= last && next - base < open) text += frames[next++ - firstSeq];
          if (text !== '') port.write(text);
        };
        const resend = setInterval(() => {
          if (performance.now() - heardAt < 1000 || base > last) return;
          // Go back to the oldest unacknowledged vote (PROTOCOL.md §7.2).
          state.resent += next - base;
          next = base;
          heardAt = performance.now();
          fill();
        }, 250);
        onFrame = (m) => {
          if (m.type !== 'ACK' || m.seq < base) return;
          state.ackFrames += 1;
          state.acked += m.seq - base + 1;
          base = m.seq + 1;
          heardAt = performance.now();
          if (base > last) {
            clearInterval(resend);
            onFrame = () => {};
            resolve();
            return;
          }
          if (next < base) next = base;
          fill();
        };
        fill();
      });
    },
    close: () => new Promise<void>((ok) => (port.isOpen ? port.close(() => ok()) : ok())),
  };
}
