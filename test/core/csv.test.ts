import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSV_BOM, csvCell, csvDefuse, csvDocument, csvLine, csvUndefuse } from '../../core/csv.ts';
import { parseCsv } from '../helpers/csv-reader.ts';

const DANGEROUS = ['=', '+', '-', '@', '\t', '\r'];
/** Text that often starts with a formula character, and often holds CSV specials. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.tuple(fc.constantFrom(...DANGEROUS), fc.string({ unit: 'grapheme' })).map(([a, b]) => a + b),
  fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '"', ',', "'", 'a', 'ệ') }),
);

describe('core CSV writer (issue 13, item 6)', () => {
  it('no cell starts with = + - @ TAB or CR once read back (property)', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 6 }), (cells) => {
        const [record] = parseCsv(csvLine(cells));
        expect(record).toHaveLength(cells.length);
        for (const cell of record!) expect(DANGEROUS.includes(cell[0] ?? '')).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('round trip keeps the text: reading back and undefusing gives every cell exactly (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(text, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (records) => {
        const doc = csvDocument(records);
        expect(doc.startsWith(CSV_BOM)).toBe(true);
        const back = parseCsv(doc.slice(CSV_BOM.length)).map((r) => r.map(csvUndefuse));
        expect(back).toEqual(records);
      }),
      { numRuns: 1000 },
    );
  });

  it('defuses the classic payloads and leaves ordinary text and numbers alone', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('+84 912')).toBe("'+84 912");
    expect(csvCell('-1+1')).toBe("'-1+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('Quầy 1, "Địa chính"')).toBe('"Quầy 1, ""Địa chính"""');
    expect(csvCell('Nguyễn Thị Lan')).toBe('Nguyễn Thị Lan');
    expect(csvCell(-3.5)).toBe('-3.5'); // a number is data, not a formula
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvUndefuse(csvDefuse("'=x"))).toBe("'=x"); // an apostrophe of the text itself is kept
  });
});
