/**
 * Fault test of the vote pipeline's durability claim (invariant 1: durable
 * before ACK) with real parts: the bridge as its own process, 8 socat ptys,
 * and 8 boxes that keep a window of votes in flight each, so a batch is
 * always being committed across the 8 ports when the bridge gets `kill -9`.
 * Every ACK a box heard must name a vote the journal holds after the kill
 * (no ACK for an uncommitted vote); after restarts the journal holds every
 * vote exactly once (none lost, none duplicated).
 */
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../../bridge/journal/journal.ts';
import { encode } from '../../../firmware-protocol/src/encode.ts';
import { FrameDecoder } from '../../../firmware-protocol/src/frame-decoder.ts';
import type { Message } from '../../../firmware-protocol/src/message.ts';
import { freePort } from '../../helpers/ports.ts';
import { createPtyPair, type PtyPair } from '../../helpers/pty.ts';
import { kill9, spawnBridge, writeConfig } from '../bridge-process.ts';
import { box, tempDir, until } from '../bridge-rig.ts';

const BOXES = 8;
const WINDOW = 16;
const VOTES = 400;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A box pressing `VOTES` votes with up to `WINDOW` in flight, go-back-N
 * after 400 ms without progress, saying HELLO again after the bridge was
 * killed (`lostBridge`) or NAKed HELLO. Records every ACK it heard.
 */
class WindowBox {
  /** Highest seq acknowledged (an ACK n completes every vote up to n). */
  acked = 0;
  /** Every ACKed seq, with the time it was heard. */
  readonly acks: number[] = [];
  sent = 0;
  private welcomed = false;
  private stopped = false;
  private readonly decoder = new FrameDecoder({ raw: false });

  constructor(
    readonly uid: string,
    private readonly port: SerialPort,
  ) {
    // serialport polls the pty (a blocking fs read per box would hold the libuv threadpool: 8 boxes, 4 threads).
    port.on('data', (chunk: Buffer) => {
      for (const r of this.decoder.push(new Uint8Array(chunk))) if (r.ok) this.heard(r.value);
    });
    // A port error must fail the test through its assertions (votes missing), not as an uncaught exception.
    port.on('error', (error: Error) => console.error(`box ${uid}: ${error.message}`));
  }

  static async open(path: string, uid: string): Promise<WindowBox> {
    const port = new SerialPort({ path, baudRate: 115_200, autoOpen: false });
    await new Promise<void>((ok, fail) => port.open((e) => (e ? fail(e) : ok())));
    const b = new WindowBox(uid, port);
    void b.writeLoop();
    return b;
  }

  private write(text: string): Promise<void> {
    return new Promise((ok) => this.port.write(text, () => ok()));
  }

  private heard(m: Message): void {
    if (m.type === 'WELCOME') this.welcomed = true;
    if (m.type === 'NAK' && m.reason === 'HELLO') this.welcomed = false;
    if (m.type !== 'ACK' || m.seq <= this.acked || m.seq > this.sent) return;
    for (let s = this.acked + 1; s <= m.seq; s++) this.acks.push(s);
    this.acked = m.seq;
  }

  private async writeLoop(): Promise<void> {
    let lastProgress = Date.now();
    let lastAcked = 0;
    while (!this.stopped && this.acked < VOTES) {
      if (!this.welcomed) {
        const hello = {
          type: 'HELLO',
          proto: 1,
          uid: this.uid,
          model: 'WINBOX',
          firmware: '1.1.0',
          buttons: 3,
          pending: VOTES - this.acked,
          inFlight: WINDOW,
        } as Message;
        await this.write(encode(hello));
        await new Promise((r) => setTimeout(r, 150));
        // A new session: everything not acknowledged goes again, the first vote alone (PROTOCOL.md §7.7).
        this.sent = this.acked;
        lastProgress = Date.now();
        continue;
      }
      if (this.acked > lastAcked) {
        lastAcked = this.acked;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > 400) {
        this.sent = this.acked; // go back N
        lastProgress = Date.now();
      }
      const limit = Math.min(VOTES, this.acked + (this.acked === 0 ? 1 : WINDOW));
      let text = '';
      while (this.sent < limit) {
        this.sent += 1;
        text += encode({ type: 'VOTE', seq: this.sent, button: 1 + (this.sent % 3), reason: 0, ageMs: 10, flags: '' });
      }
      if (text !== '') await this.write(text);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** The bridge is gone: a new session must start with HELLO. */
  lostBridge(): void {
    this.welcomed = false;
  }

  close(): Promise<void> {
    this.stopped = true;
    return new Promise((ok) => (this.port.isOpen ? this.port.close(() => ok()) : ok()));
  }
}

describe('vote pipeline under kill -9 with a batch in flight across 8 ports', () => {
  it('ACKs only committed votes, and ends with every vote stored once: 0 lost, 0 duplicated', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const pairs: PtyPair[] = [];
    for (let i = 0; i < BOXES; i++) pairs.push(await createPtyPair(`win${i}`, tmp.dir));
    cleanups.push(async () => {
      for (const p of pairs) await p.dispose();
    });
    const config = writeConfig(
      tmp.dir,
      BOXES,
      pairs.map((p) => p.host),
      { brokerPort: await freePort() },
    );
    const journalPath = join(tmp.dir, 'data', 'journal.db');
    let bridge = spawnBridge(config);
    cleanups.push(() => kill9(bridge));
    const boxes = await Promise.all(pairs.map((p, i) => WindowBox.open(p.device, box(i).uid)));
    cleanups.push(async () => {
      for (const b of boxes) await b.close();
    });
    const total = () => boxes.reduce((n, b) => n + b.acked, 0);

    for (const share of [0.25, 0.6]) {
      // Kill at a moment when votes are in flight on several ports (on a loaded machine some
      // moments have every box waiting for its next turn, which would test nothing).
      const inFlightNow = () => boxes.filter((b) => b.sent > b.acked).length;
      await until(
        () => total() >= share * BOXES * VOTES && inFlightNow() > 1,
        120_000,
        `${share * 100}% of the votes ACKed, with a batch in flight`,
      );
      const inFlight = inFlightNow();
      await kill9(bridge);
      // Let any ACK bytes still in the ptys reach the boxes: they were all written before the kill.
      await new Promise((r) => setTimeout(r, 300));
      const heard = boxes.map((b) => [...b.acks]);
      for (const b of boxes) b.lostBridge();
      // Votes were in flight on several ports when the bridge died.
      expect(inFlight).toBeGreaterThan(1);
      const journal = new Journal({ path: journalPath });
      journal.open();
      try {
        boxes.forEach((b, i) => {
          const missing = (heard[i] as number[]).filter((seq) => journal.storedVote(b.uid, seq) === undefined);
          expect(missing, `${b.uid}: ACKed but not in the journal`).toEqual([]);
        });
      } finally {
        journal.close();
      }
      bridge = spawnBridge(config);
    }
    await until(() => boxes.every((b) => b.acked === VOTES), 180_000, 'every vote ACKed after the restarts');
    await kill9(bridge);
    const journal = new Journal({ path: journalPath });
    journal.open();
    try {
      expect(journal.voteCount()).toBe(BOXES * VOTES);
      for (const [i, b] of boxes.entries()) {
        expect(journal.highWaterMark(b.uid)).toBe(VOTES);
        for (let seq = 1; seq <= VOTES; seq++) expect(journal.storedVote(b.uid, seq), `${b.uid} seq ${seq}`).toBeDefined();
        // Published ids of each terminal are consecutive: none skipped, none twice.
        const ids = [...journal.votesPressedBetween(0, Date.now() + 60_000)]
          .map((p) => JSON.parse(p) as { terminal: string; seq: number })
          .filter((v) => v.terminal === box(i).terminal)
          .map((v) => v.seq)
          .sort((x, y) => x - y);
        expect(ids).toHaveLength(VOTES);
        expect(new Set(ids).size).toBe(VOTES);
        expect((ids.at(-1) as number) - (ids[0] as number)).toBe(VOTES - 1);
      }
    } finally {
      journal.close();
    }
  }, 400_000);
});
