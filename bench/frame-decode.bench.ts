import { ReadlineParser } from '@serialport/parser-readline';
import { encode, FrameDecoder, type Message } from '../firmware-protocol/src/index.ts';
import { percentile, printFigures, printTarget, timeRuns } from './report.ts';

/**
 * Frame decode throughput of the incremental FrameDecoder (framing + CRC +
 * parse + validation), on a realistic mix of frames fed in 64-byte chunks
 * (a USB full-speed bulk packet). Compared side by side with the stack's
 * @serialport/parser-readline, which only splits lines, and with the
 * physical floor: how many frames one 115200-baud line can carry at all.
 */
const FRAMES = 200_000;
const CHUNK = 64;

function messageAt(i: number): Message {
  const r = i % 10;
  if (r < 7)
    return {
      type: 'VOTE',
      seq: 1_000 + i,
      button: 1 + (i % 3),
      reason: i % 5 === 0 ? 3 : 0,
      ageMs: 40 + (i % 900),
      flags: i % 17 === 0 ? 'C' : '',
    };
  if (r < 9) return { type: 'PONG', nonce: i };
  return {
    type: 'HELLO',
    proto: 1,
    uid: `HL328P-${(0x1e9a0f00 + i).toString(16).toUpperCase()}`,
    model: 'HL-BOX4',
    firmware: '1.0.0',
    buttons: 4,
    pending: i % 7,
  };
}

const text = Array.from({ length: FRAMES }, (_, i) => encode(messageAt(i))).join('');
const stream = Uint8Array.from(text, (ch) => ch.charCodeAt(0));
const chunks: Uint8Array[] = [];
for (let i = 0; i < stream.length; i += CHUNK) chunks.push(stream.subarray(i, i + CHUNK));
const bufferChunks = chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.length));

let decoded = 0;
const ours = timeRuns(() => {
  const decoder = new FrameDecoder({ raw: false });
  let ok = 0;
  for (const chunk of chunks) for (const r of decoder.push(chunk)) if (r.ok) ok++;
  decoded = ok;
}, 7);
if (decoded !== FRAMES) throw new Error(`decoded ${decoded} of ${FRAMES} frames`);

let lines = 0;
const peer = timeRuns(() => {
  const parser = new ReadlineParser({ delimiter: '\r\n', encoding: 'latin1' });
  let n = 0;
  parser.on('data', () => n++);
  for (const chunk of bufferChunks) parser.write(chunk);
  lines = n;
}, 7);
if (lines !== FRAMES) throw new Error(`readline split ${lines} of ${FRAMES} lines`);

const median = (t: number[]) => percentile(t, 50);
const oursFps = FRAMES / (median(ours) / 1000);
const peerFps = FRAMES / (median(peer) / 1000);
const meanBytes = stream.length / FRAMES;
// 8N1: a start bit, 8 data bits and a stop bit per byte.
const lineFps = 115_200 / 10 / meanBytes;

printFigures(`frame decode: ${FRAMES.toLocaleString('en-US')} frames (70% VOTE, 20% PONG, 10% HELLO), ${CHUNK}-byte chunks`, [
  ['FrameDecoder (frame+CRC+parse)', oursFps, 'frames/s'],
  ['  per frame', 1e9 / oursFps, 'ns'],
  ['  p90 run', percentile(ours, 90), 'ms'],
  ['peer: parser-readline (split only)', peerFps, 'frames/s'],
  ['  per frame', 1e9 / peerFps, 'ns'],
  ['ours vs peer', oursFps / peerFps, '× (higher is better)'],
  ['mean frame length', meanBytes, 'bytes'],
  ['floor: one 115200-baud line carries', lineFps, 'frames/s'],
  ['ours = full-rate serial lines per core', oursFps / lineFps, 'lines'],
]);
printTarget('decode throughput', oursFps, 1_000_000, 'higher', 'frames/s');
