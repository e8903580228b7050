import { describe, expect, it } from 'vitest';
import { err, ok } from '../../core/result.ts';

describe('result', () => {
  it('ok wraps a value', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
  });
  it('err names the field only when given', () => {
    expect(err('bad-crc', 'CRC mismatch')).toEqual({ ok: false, code: 'bad-crc', message: 'CRC mismatch' });
    expect(err('out-of-range', 'seq too big', 'seq')).toEqual({
      ok: false,
      code: 'out-of-range',
      field: 'seq',
      message: 'seq too big',
    });
  });
});
