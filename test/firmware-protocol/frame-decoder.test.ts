import { describe, expect, it } from 'vitest';
import { MAX_FRAME } from '../../firmware-protocol/src/constants.ts';
import { FrameDecoder } from '../../firmware-protocol/src/frame-decoder.ts';
import { bytes, feed, frame, summarize } from './helpers.ts';

const P5 = frame('PING,5');

describe('FrameDecoder', () => {
  it('returns nothing until a line ends, then the decoded message with its raw line', () => {
    const d = new FrameDecoder();
    expect(d.push(bytes(P5))).toEqual([]);
    expect(d.buffered).toBe(P5.length);
    expect(d.push(bytes('\r\n'))).toStrictEqual([{ ok: true, value: { type: 'PING', nonce: 5 }, raw: P5 }]);
    expect(d.buffered).toBe(0);
  });

  it('omits raw when constructed with raw: false', () => {
    const d = new FrameDecoder({ raw: false });
    expect(d.push(bytes(`${P5}\n$PING,5*0000\n`))).toStrictEqual([
      { ok: true, value: { type: 'PING', nonce: 5 } },
      expect.not.objectContaining({ raw: expect.anything() }),
    ]);
  });

  it('reads chunks that are views into a larger buffer', () => {
    const big = bytes(`garbage${P5}\r\ngarbage`);
    const view = big.subarray(7, 7 + P5.length + 2);
    expect(new FrameDecoder().push(view).map(summarize)).toEqual([{ ok: true, type: 'PING' }]);
  });

  it('reports noise once per run, with its raw bytes', () => {
    const d = new FrameDecoder();
    expect(d.push(bytes(`abc\x00\xffdef${P5}\n`))).toMatchObject([
      { ok: false, code: 'missing-start', field: 'line', raw: 'abc\x00\xffdef' },
      { ok: true },
    ]);
  });

  it('reports a frame cut by $ as truncated and resynchronises on that $', () => {
    const d = new FrameDecoder();
    const results = d.push(bytes(`$VOTE,7,3,0${P5}\r\n`));
    expect(results).toMatchObject([{ ok: false, code: 'truncated', field: 'line', raw: '$VOTE,7,3,0' }, { ok: true }]);
  });

  it('keeps at most MAX_FRAME bytes of an endless line and reports too-long once when it ends', () => {
    const d = new FrameDecoder();
    expect(d.push(bytes('$'))).toEqual([]);
    for (let i = 0; i < 100; i++) {
      expect(d.push(bytes('A'.repeat(1000)))).toEqual([]);
      expect(d.buffered).toBeLessThanOrEqual(MAX_FRAME);
    }
    const results = d.push(bytes(`\r\n${P5}\r\n`));
    expect(results.map(summarize)).toEqual([
      { ok: false, error: 'too-long', field: 'line' },
      { ok: true, type: 'PING' },
    ]);
    const first = results[0]!;
    expect(first.raw).toBe('$' + 'A'.repeat(MAX_FRAME - 1));
    expect(first.ok === false && first.message).toBe('frame is 100001 bytes, longer than the 120-byte maximum');
  });

  it('caps the raw text of long noise too', () => {
    const d = new FrameDecoder();
    const [r] = d.push(bytes('z'.repeat(5000) + '\n'));
    expect(r).toMatchObject({ code: 'missing-start', raw: 'z'.repeat(MAX_FRAME) });
    expect(d.stats.bytesDropped).toBe(5000);
  });

  it('accepts a 120-byte frame even when CR and LF arrive separately', () => {
    const body = 'PING,5,' + 'x'.repeat(MAX_FRAME - 1 - 7 - 5);
    const line = frame(body);
    expect(line.length).toBe(MAX_FRAME);
    const d = new FrameDecoder();
    expect(d.push(bytes(line + '\r'))).toEqual([]);
    expect(d.buffered).toBe(MAX_FRAME);
    expect(d.push(bytes('\n')).map(summarize)).toEqual([{ ok: true, type: 'PING' }]);
    // the same frame followed by CR and another byte has 121 bytes before its LF
    expect(d.push(bytes(line + '\rx\n')).map(summarize)).toEqual([{ ok: false, error: 'too-long', field: 'line' }]);
  });

  it('treats a CR not followed by LF as a line byte', () => {
    const d = new FrameDecoder();
    expect(d.push(bytes(`${P5}\r\r\n`))).toMatchObject([{ code: 'bad-char', raw: `${P5}\r` }]);
    expect(d.push(bytes('\r\n\n\r\n'))).toEqual([]);
  });

  it('counts frames, errors per code and dropped bytes', () => {
    const d = new FrameDecoder();
    const input = `noise\r\n${P5}\r\n$PING,5*0000\n\n$VOTE,1${frame('FOO,1')}\r\n`;
    feed(d, bytes(input), [3]);
    const s = d.stats;
    expect(s.bytesIn).toBe(input.length);
    expect(s.framesOk).toBe(1);
    expect(s.errors['missing-start']).toBe(1);
    expect(s.errors['bad-crc']).toBe(1);
    expect(s.errors.truncated).toBe(1);
    expect(s.errors['unknown-type']).toBe(1);
    expect(Object.values(s.errors).reduce((a, b) => a + b)).toBe(4);
    // noise 5 + bad frame 12 + truncated 7 + unknown 11; terminators and the good frame not counted
    expect(s.bytesDropped).toBe(5 + 12 + 7 + frame('FOO,1').length);
  });

  it('returns a stats snapshot the caller cannot use to corrupt the counters', () => {
    const d = new FrameDecoder();
    const s = d.stats as { framesOk: number; errors: Record<string, number> };
    s.framesOk = 99;
    s.errors['bad-crc'] = 99;
    expect(d.stats.framesOk).toBe(0);
    expect(d.stats.errors['bad-crc']).toBe(0);
  });

  it('reset() drops the unfinished line and counts it', () => {
    const d = new FrameDecoder();
    d.push(bytes('$VOTE,7,3'));
    d.reset();
    expect(d.buffered).toBe(0);
    expect(d.stats.bytesDropped).toBe(9);
    expect(d.push(bytes('0,0,-*0000\n'))).toMatchObject([{ code: 'missing-start' }]);
  });

  it('gives identical results for any chunking', () => {
    const input = bytes(`x${P5}\r\n$A$PING,5\n\r\n${frame('VOTE,3,1,0,0,-')}\n${'$' + 'B'.repeat(300)}\n`);
    const whole = new FrameDecoder().push(input);
    expect(whole.length).toBe(6);
    for (const sizes of [[1], [2], [7], [1, 5, 2], [64]]) {
      expect(feed(new FrameDecoder(), input, sizes)).toStrictEqual(whole);
    }
  });
});
