import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adminLevelWord, adminLevelWords, ADMIN_LEVEL_WORDS } from '../../core/admin-name.ts';

describe('adminLevelWord', () => {
  it('reads the level word a configured name starts with, longest first', () => {
    expect(adminLevelWord('Tỉnh Gia Lai')).toBe('Tỉnh');
    expect(adminLevelWord('Thành phố Hà Nội')).toBe('Thành phố');
    expect(adminLevelWord('Đặc khu Phú Quốc')).toBe('Đặc khu');
    expect(adminLevelWord('xã Ia Grai')).toBe('Xã');
    expect(adminLevelWord('Xãhội')).toBeUndefined();
    expect(adminLevelWord('UBND Ba Đình')).toBeUndefined();
  });

  it('any level word followed by any name is read back (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ADMIN_LEVEL_WORDS),
        fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.startsWith(' ')),
        (word, rest) => {
          expect(adminLevelWord(`${word} ${rest}`)).toBe(word);
        },
      ),
    );
  });

  it('joins the distinct words of several names, or falls back', () => {
    expect(adminLevelWords(['Phường Phúc Xá', 'Xã Ia Grai', 'Phường Trúc Bạch'], 'Đơn vị')).toBe('Phường/xã');
    expect(adminLevelWords(['Ba Đình'], 'Đơn vị')).toBe('Đơn vị');
  });
});
