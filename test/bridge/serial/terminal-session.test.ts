import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode } from '../../../firmware-protocol/src/decode.ts';
import { crc16Ascii, formatCrc } from '../../../firmware-protocol/src/crc16.ts';
import { encode } from '../../../firmware-protocol/src/encode.ts';
import type { Message, VoteMessage } from '../../../firmware-protocol/src/message.ts';
import type { PlacedTerminal } from '../../../bridge/config/hailong-config.ts';
import type { AppendOutcome } from '../../../bridge/journal/vote-input.ts';
import type { SessionContext } from '../../../bridge/serial/session-context.ts';
import { TerminalSession } from '../../../bridge/serial/terminal-session.ts';
import { loadVectors } from '../../firmware-protocol/helpers.ts';

const COUNTER = { id: 'quay-1', name: 'Quầy 1', mode: 'open' as const, terminals: [] };
const TERMINAL: PlacedTerminal = { id: 'hop-1', kind: 'button', uid: 'HL-1', counter: COUNTER };
const HELLO = { type: 'HELLO', proto: 1, uid: 'HL-1', model: 'HLBOX-3', firmware: '1.0.0', buttons: 3, pending: 0 } as const;

/** A fake port + vote pipeline: records the frames the bridge writes (and each write), and the votes it submits. */
function rig(options: { known?: boolean; marks?: Record<string, number> } = {}) {
  const written: Message[] = [];
  const writes: number[] = [];
  const stored: { vote: VoteMessage }[] = [];
  let now = 1_000_000;
  const context: SessionContext = {
    portPath: '/dev/ttyACM0',
    write: (bytes) => {
      const lines = new TextDecoder().decode(bytes).split('\r\n').slice(0, -1);
      writes.push(lines.length);
      for (const line of lines) {
        const r = decode(line);
        if (!r.ok) throw new Error(`bridge wrote an invalid frame: ${r.message}`);
        written.push(r.value);
      }
    },
    identify: (hello) =>
      options.known === false || hello.uid !== 'HL-1'
        ? { ok: false, code: 'unknown-uid', message: `box ${hello.uid} is not in the config` }
        : { ok: true, terminal: TERMINAL },
    configFor: () => ({ type: 'CONFIG', buttons: 3, cooldownMs: 3000, mode: 'OPEN', windowMs: 30000, leds: true, buzzer: true }),
    openWindowMs: () => 0,
    highWaterMark: (uid) => options.marks?.[uid] ?? 0,
    submitVote: (_sink, _t, _uid, vote) => void stored.push({ vote }),
    now: () => now,
  };
  const session = new TerminalSession(context);
  const send = (m: Message | string) => session.receive(new TextEncoder().encode(typeof m === 'string' ? m : encode(m)));
  const types = () => written.map((m) => m.type);
  const take = () => written.splice(0);
  return { session, send, written, writes, stored, types, take, advance: (ms: number) => (now += ms) };
}

const STORED: AppendOutcome = { status: 'stored', vote: {} as never, payload: '{}', rowid: 1, topic: 't' };

describe('TerminalSession', () => {
  it('answers HELLO with WELCOME then CONFIG, and reports the terminal online', () => {
    const r = rig();
    const online: string[] = [];
    r.session.on('online', (t) => online.push(t.id));
    r.send(HELLO);
    expect(r.written).toEqual([
      { type: 'WELCOME', proto: 1, mark: 0 },
      { type: 'CONFIG', buttons: 3, cooldownMs: 3000, mode: 'OPEN', windowMs: 30000, leds: true, buzzer: true },
    ]);
    expect(online).toEqual(['hop-1']);
  });

  it("puts the uid's high-water mark in WELCOME, so a box with a wiped EEPROM can continue above it (§7.6)", () => {
    const r = rig({ marks: { 'HL-1': 4211 } });
    r.send(HELLO);
    expect(r.written[0]).toEqual({ type: 'WELCOME', proto: 1, mark: 4211 });
  });

  it('hands a VOTE to the pipeline and ACKs it only when its batch settles, never before', () => {
    const r = rig();
    r.send(HELLO);
    r.take();
    r.send({ type: 'VOTE', seq: 41, button: 1, reason: 0, ageMs: 45, flags: '' });
    expect(r.stored.map((s) => s.vote.seq)).toEqual([41]);
    expect(r.written).toEqual([]); // not on disk yet: no ACK
    r.session.settle([{ seq: 41, outcome: STORED }]);
    expect(r.written).toEqual([{ type: 'ACK', seq: 41, status: 'OK' }]);
  });

  it("writes a batch's answers for its port in ONE write, in order", () => {
    const r = rig();
    r.send(HELLO);
    r.take();
    r.writes.length = 0;
    r.session.settle([
      { seq: 5, outcome: STORED },
      { seq: 6, outcome: STORED },
      { seq: 4, outcome: { status: 'duplicate', hwm: 6 } },
    ]);
    expect(r.writes).toEqual([3]);
    expect(r.written).toEqual([
      { type: 'ACK', seq: 5, status: 'OK' },
      { type: 'ACK', seq: 6, status: 'OK' },
      { type: 'ACK', seq: 4, status: 'DUP' },
    ]);
  });

  it('writes nothing for a batch that settles after its port closed', () => {
    const r = rig();
    r.send(HELLO);
    r.take();
    r.send({ type: 'VOTE', seq: 9, button: 1, reason: 0, ageMs: 0, flags: '' });
    r.session.close(); // unplugged mid-commit
    r.session.settle([{ seq: 9, outcome: STORED }]);
    expect(r.written).toEqual([]);
  });

  it('ACKs a duplicate DUP, a rejected vote REJECT, and NAKs STORAGE when the journal cannot store, counting each', () => {
    const r = rig();
    const problems: string[] = [];
    r.session.on('problem', (code) => problems.push(code));
    r.send(HELLO);
    r.take();
    r.session.settle([{ seq: 3, outcome: { status: 'duplicate', hwm: 9 } }]);
    r.session.settle([{ seq: 10, outcome: { status: 'failed', code: 'SQLITE_FULL', message: 'disk full' } }]);
    r.session.settle([{ seq: 11, outcome: { status: 'rejected', code: 'button-beyond-scale', message: 'button 5', duplicate: false } }]);
    expect(r.written).toEqual([
      { type: 'ACK', seq: 3, status: 'DUP' },
      { type: 'NAK', seq: 10, reason: 'STORAGE' },
      { type: 'ACK', seq: 11, status: 'REJECT' },
    ]);
    expect(r.session.errorCounts()).toMatchObject({ duplicate: 1, storage: 1, 'rejected-button-beyond-scale': 1 });
    expect(problems).toEqual(['storage']);
  });

  it('asks a terminal that votes before HELLO to say HELLO (bridge restarted under it)', () => {
    const r = rig();
    r.send({ type: 'VOTE', seq: 12, button: 1, reason: 0, ageMs: 0, flags: '' });
    expect(r.written).toEqual([{ type: 'NAK', seq: 12, reason: 'HELLO' }]);
    expect(r.stored).toHaveLength(0);
  });

  it('NAKs bad VOTE frames with their reason (§9.2) and never NAKs unknown types', () => {
    const r = rig();
    r.send(HELLO);
    r.take();
    r.send('$VOTE,41,1,0,45,-*93DE\r\n'); // bad CRC
    r.send('$VOTE,41,0,0,45,-*D40E\r\n'); // button 0: out of range
    r.send('$VOTE,41,1,,45,-*D8A3\r\n'); // empty field
    r.send('$FOO,1*23F6\r\n'); // unknown type: forward compatible
    r.send(`$EVENT,BOOT*${formatCrc(crc16Ascii('EVENT,BOOT'))}\r\n`); // readable non-VOTE, missing a field: no NAK
    expect(r.written).toEqual([
      { type: 'NAK', seq: 0, reason: 'CRC' },
      { type: 'NAK', seq: 41, reason: 'RANGE' },
      { type: 'NAK', seq: 41, reason: 'FORMAT' },
    ]);
    expect(r.session.errorCounts()).toMatchObject({
      'bad-crc': 1,
      'out-of-range': 1,
      'empty-field': 1,
      'unknown-type': 1,
      'missing-field': 1,
    });
  });

  it('stays silent to noise on a port that never spoke the protocol, and rate-limits NAKs after', () => {
    const r = rig();
    for (let i = 0; i < 50; i++) r.send('garbage at the wrong baud rate\n');
    expect(r.written).toEqual([]);
    r.send(HELLO);
    r.take();
    for (let i = 0; i < 50; i++) r.send('noise\n');
    expect(r.written.length).toBe(10);
    expect(r.written.every((m) => m.type === 'NAK' && m.seq === 0 && m.reason === 'FORMAT')).toBe(true);
  });

  it('PINGs every 5 s and marks the terminal offline after 15 s of silence; any frame brings it back', () => {
    const r = rig();
    const events: string[] = [];
    r.session.on('online', () => events.push('online'));
    r.session.on('offline', (_t, why) => events.push(`offline:${why}`));
    r.send(HELLO);
    r.take();
    r.advance(4999);
    r.session.tick();
    expect(r.written).toEqual([]);
    r.advance(1);
    r.session.tick();
    expect(r.take()).toEqual([{ type: 'PING', nonce: 1 }]);
    r.send({ type: 'PONG', nonce: 1 });
    r.advance(15_000);
    r.session.tick();
    expect(events).toEqual(['online', 'offline:heartbeat']);
    r.send({ type: 'PONG', nonce: 2 });
    expect(events).toEqual(['online', 'offline:heartbeat', 'online']);
  });

  it('answers a terminal PING at once, even before HELLO', () => {
    const r = rig();
    r.send({ type: 'PING', nonce: 305419896 });
    expect(r.written).toEqual([{ type: 'PONG', nonce: 305419896 }]);
  });

  it('refuses an unknown box without WELCOME (it keeps its votes) and reports it once a minute', () => {
    const r = rig({ known: false });
    const refused: string[] = [];
    r.session.on('refused', (uid, code) => refused.push(`${uid}:${code}`));
    for (let i = 0; i < 20; i++) {
      r.send({ ...HELLO, uid: 'FOREIGN-1' });
      r.advance(2000);
    }
    expect(r.written).toEqual([]);
    expect(refused).toEqual(['FOREIGN-1:unknown-uid']);
    r.advance(60_000);
    r.send({ ...HELLO, uid: 'FOREIGN-1' });
    expect(refused).toHaveLength(2);
    expect(r.session.errorCounts()).toMatchObject({ 'unknown-uid': 21 });
  });

  it('reports offline when its port closes, and ignores input after', () => {
    const r = rig();
    const events: string[] = [];
    r.session.on('offline', (_t, why) => events.push(why));
    r.send(HELLO);
    r.take();
    r.session.close();
    r.send({ type: 'PING', nonce: 1 });
    expect(events).toEqual(['port-closed']);
    expect(r.written).toEqual([]);
  });

  it('never throws, and only ever writes valid frames, whatever bytes arrive (fuzz)', () => {
    const frames = ['$HELLO,1,HL-1,HLBOX-3,1.0.0,3,0', '$VOTE,41,1,0,45,-*93DD', '$PING,1*F692', '\r\n', '$', '*', ','];
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 64 }),
            fc.constantFrom(...frames).map((s) => new TextEncoder().encode(s)),
          ),
          { maxLength: 40 },
        ),
        (chunks) => {
          const r = rig();
          r.send(HELLO);
          for (const c of chunks) r.session.receive(c);
          r.session.tick();
        },
      ),
      { numRuns: 3000 },
    );
  });
});

const vote = (seq: number): VoteMessage => ({ type: 'VOTE', seq, button: 1, reason: 0, ageMs: 5, flags: '' });
const votes = (...seqs: number[]) => seqs.map((seq) => encode(vote(seq))).join('');
const ok = (...seqs: number[]) => seqs.map((seq) => ({ seq, outcome: STORED }));

describe('TerminalSession: the send window (PROTOCOL.md §7.7)', () => {
  it('grants min(asked, 16) in WELCOME only to a box that asks, and nothing to a 1.0 box', () => {
    const r = rig({ marks: { 'HL-1': 40 } });
    r.send({ ...HELLO, inFlight: 64 });
    expect(r.take()[0]).toEqual({ type: 'WELCOME', proto: 1, mark: 40, inFlight: 16 });
    r.send({ ...HELLO, inFlight: 4 });
    expect(r.take()[0]).toEqual({ type: 'WELCOME', proto: 1, mark: 40, inFlight: 4 });
    r.send(HELLO);
    expect(r.take()[0]).toEqual({ type: 'WELCOME', proto: 1, mark: 40 });
  });

  it('answers a batch of a window with ONE cumulative ACK for its last vote, whatever the statuses before it', () => {
    const r = rig();
    r.send({ ...HELLO, inFlight: 16 });
    r.take();
    r.send(votes(41, 42, 43, 44));
    expect(r.stored.map((s) => s.vote.seq)).toEqual([41, 42, 43, 44]);
    r.writes.length = 0;
    r.session.settle([...ok(41, 42), { seq: 43, outcome: { status: 'duplicate', hwm: 43 } }, ...ok(44)]);
    expect(r.writes).toEqual([1]);
    expect(r.take()).toEqual([{ type: 'ACK', seq: 44, status: 'OK' }]);
    expect(r.session.errorCounts()).toMatchObject({ duplicate: 1 });
  });

  it('drops a VOTE overtaken by a lost one, unanswered and counted; the go-back-N resend is taken in order', () => {
    const r = rig();
    r.send({ ...HELLO, inFlight: 16 });
    r.take();
    r.send(votes(41));
    r.session.settle(ok(41));
    r.take();
    r.send(votes(43, 44)); // 42 was lost on the line
    expect(r.stored.map((s) => s.vote.seq)).toEqual([41]);
    expect(r.written).toEqual([]);
    expect(r.session.errorCounts()).toMatchObject({ 'vote-out-of-order': 2 });
    r.send(votes(42, 43, 44)); // the terminal went back N
    expect(r.stored.map((s) => s.vote.seq)).toEqual([41, 42, 43, 44]);
  });

  it('ACKs the run before a vote that failed, NAKs it, and takes nothing past it until it comes again', () => {
    const r = rig();
    r.send({ ...HELLO, inFlight: 16 });
    r.take();
    r.send(votes(41, 42, 43));
    r.session.settle([...ok(41), { seq: 42, outcome: { status: 'failed', code: 'SQLITE_FULL', message: 'disk full' } }, ...ok(43)]);
    expect(r.take()).toEqual([
      { type: 'ACK', seq: 41, status: 'OK' },
      { type: 'NAK', seq: 42, reason: 'STORAGE' },
    ]);
    r.send(votes(44)); // the window waits for 42
    expect(r.stored.map((s) => s.vote.seq)).toEqual([41, 42, 43]);
    r.send(votes(42, 43, 44));
    expect(r.stored.map((s) => s.vote.seq)).toEqual([41, 42, 43, 42, 43, 44]);
  });

  it('never ACKs a REJECT or DUP answered without a write above a vote of the same batch whose commit failed (the cumulative ACK would complete it)', () => {
    const r = rig();
    r.send({ ...HELLO, inFlight: 16 });
    r.take();
    const full = { status: 'failed', code: 'SQLITE_FULL', message: 'disk full' } as const;
    r.session.settle([
      { seq: 41, outcome: { status: 'duplicate', hwm: 41 } },
      { seq: 200_050, outcome: { status: 'rejected', code: 'seq-jump', message: 'jump', duplicate: true } },
      { seq: 42, outcome: full },
      { seq: 43, outcome: full },
    ]);
    expect(r.take()).toEqual([
      { type: 'ACK', seq: 41, status: 'DUP' },
      { type: 'NAK', seq: 42, reason: 'STORAGE' },
    ]);
    // and the highest durable vote of the run, whatever order the answers came in
    r.session.settle([...ok(45), { seq: 44, outcome: { status: 'duplicate', hwm: 45 } }]);
    expect(r.take()).toEqual([{ type: 'ACK', seq: 45, status: 'OK' }]);
  });

  it('does not wait for a vote whose store failed when an earlier batch stored it (its resend, ACKed from there)', () => {
    const r = rig({ marks: { 'HL-1': 41 } }); // 41 is already in the journal; its ACK is on its way
    r.send({ ...HELLO, inFlight: 16 });
    r.take();
    r.send(votes(41)); // the new session's first vote: the resend of 41
    r.session.settle([{ seq: 41, outcome: { status: 'failed', code: 'SQLITE_IOERR', message: 'disk I/O error' } }]);
    expect(r.take()).toEqual([{ type: 'NAK', seq: 41, reason: 'STORAGE' }]);
    // the box completes 41 with the earlier ACK and never sends it again: 42 is next in order
    r.send(votes(42));
    expect(r.stored.map((s) => s.vote.seq)).toEqual([41, 42]);
    expect(r.session.errorCounts()['vote-out-of-order']).toBeUndefined();
  });

  it('answers a VOTE W or more above the expected seq (a jumped counter) NAK HELLO, so the next session starts at it; less than W above is dropped', () => {
    const r = rig({ marks: { 'HL-1': 40 } });
    r.send({ ...HELLO, inFlight: 4 });
    r.take();
    r.send(votes(41, 42));
    r.session.settle(ok(41, 42));
    r.take();
    r.send(votes(46)); // 43 + 3: a window of 4 may span it (43 lost on the line): dropped unanswered
    expect(r.written).toEqual([]);
    // 43 + 100000: no window spans it; 43 may never come (the box's counter jumped), and the
    // REJECT of this vote, a cumulative ACK, must not complete a 43 that is not stored
    const problems: string[] = [];
    r.session.on('problem', (_code, message) => problems.push(message));
    r.send(votes(100_043));
    expect(r.take()).toEqual([{ type: 'NAK', seq: 100_043, reason: 'HELLO' }]);
    expect(problems).toEqual([expect.stringContaining('sent seq 100043 while its send window expected 43')]);
    expect(r.stored.map((s) => s.vote.seq)).toEqual([41, 42]);
    expect(r.session.errorCounts()).toMatchObject({ 'vote-out-of-order': 1, 'vote-seq-gap': 1 });
    // the box says HELLO again: the new session's first vote, sent alone, is taken whatever lies below it
    r.send({ ...HELLO, inFlight: 4 });
    r.take();
    r.send(votes(100_043));
    expect(r.stored.map((s) => s.vote.seq)).toEqual([41, 42, 100_043]);
  });

  it('answers NAK HELLO to an out-of-order VOTE sent again before the one the window waits for (a gap smaller than W)', () => {
    const r = rig();
    r.send({ ...HELLO, inFlight: 16 });
    r.take();
    r.send(votes(41));
    r.session.settle(ok(41));
    r.take();
    r.send(votes(43)); // 42 lost on the line, or never sent (the box's counter skipped it)
    expect(r.written).toEqual([]);
    r.send(votes(43)); // its go-back-N resend did not start with 42: the box has no 42 in flight
    expect(r.take()).toEqual([{ type: 'NAK', seq: 43, reason: 'HELLO' }]);
    expect(r.stored.map((s) => s.vote.seq)).toEqual([41]);
    // once 42 comes, what was dropped before is forgotten: a resend of 44 overtaken again is only dropped
    r.send(votes(44, 42, 44));
    expect(r.written).toEqual([]);
    expect(r.stored.map((s) => s.vote.seq)).toEqual([41, 42]);
  });

  it('keeps the 1.0 answers (one per vote) for a box without a window', () => {
    const r = rig();
    r.send(HELLO);
    r.take();
    r.send(votes(41, 43, 42)); // a 1.0 box may leave gaps (§7.1): nothing is dropped
    expect(r.stored.map((s) => s.vote.seq)).toEqual([41, 43, 42]);
    r.session.settle(ok(41, 43, 42));
    expect(r.take().map((m) => m.type === 'ACK' && m.seq)).toEqual([41, 43, 42]);
  });

  it('follows every windows.receiver vector of vectors.json on the real session', () => {
    for (const v of loadVectors().windows.receiver) {
      // a pipeline that settles at once, with the §7.1 mark (the journal's rule, tested with the journal)
      let mark = v.mark;
      const written: Message[] = [];
      const submitted: number[] = [];
      const session: TerminalSession = new TerminalSession({
        portPath: '/dev/ttyACM0',
        write: (bytes) => {
          for (const line of new TextDecoder().decode(bytes).split('\r\n').slice(0, -1)) {
            const d = decode(line);
            if (d.ok) written.push(d.value);
          }
        },
        identify: () => ({ ok: true, terminal: TERMINAL }),
        configFor: () => ({ type: 'CONFIG', buttons: 3, cooldownMs: 0, mode: 'OPEN', windowMs: 30000, leds: true, buzzer: true }),
        openWindowMs: () => 0,
        highWaterMark: () => mark,
        submitVote: (sink, _t, _uid, m) => {
          submitted.push(m.seq);
          let outcome: AppendOutcome = STORED;
          if (m.seq <= mark) outcome = { status: 'duplicate', hwm: mark };
          else if (mark > 0 && m.seq > mark + 100_000)
            outcome = { status: 'rejected', code: 'seq-jump', message: 'jump', duplicate: false };
          else mark = m.seq;
          sink.settle([{ seq: m.seq, outcome }]);
        },
        now: () => 0,
      });
      const hello = v.inFlight > 1 ? { ...HELLO, inFlight: v.inFlight } : HELLO;
      for (const [i, step] of v.steps.entries()) {
        written.length = 0;
        if ('do' in step) {
          session.receive(new TextEncoder().encode(encode(hello)));
          continue;
        }
        const before = submitted.length;
        session.receive(new TextEncoder().encode(encode(vote(step.seq))));
        const where = `${v.name}, step ${i + 1} (seq ${step.seq})`;
        if (step.answer === 'DROP' || step.answer === 'HELLO') {
          expect(submitted.length, where).toBe(before);
          expect(written, where).toEqual(step.answer === 'DROP' ? [] : [{ type: 'NAK', seq: step.seq, reason: 'HELLO' }]);
        } else {
          expect(written, where).toEqual([{ type: 'ACK', seq: step.seq, status: step.answer }]);
        }
      }
    }
  });
});
