/** The supervisor panels' one table markup (dashboard/src/views/common/count-table.tsx). */
import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { CountTable } from '../../../../dashboard/src/views/common/count-table.tsx';

let host: HTMLElement | undefined;
afterEach(() => {
  if (host) render(null, host);
  host?.remove();
});

describe('CountTable', () => {
  it('names each row in its first column, figures after it, and marks every row with its key', () => {
    host = document.createElement('div');
    document.body.append(host);
    const rows = [
      { key: 'quay-1', name: 'Quầy 1', cells: ['3', '1'] },
      { key: 'quay-2', name: 'Quầy 2', cells: ['0', '12'] },
    ];
    render(<CountTable nameHeading="Quầy" headings={['Bấm lại', 'Ngoài giờ']} rows={rows} rowAttribute="key" />, host);
    const heads = [...host.querySelectorAll('thead th')];
    expect(heads.map((h) => [h.textContent, h.getAttribute('scope'), h.className])).toEqual([
      ['Quầy', 'col', 'unit'],
      ['Bấm lại', 'col', ''],
      ['Ngoài giờ', 'col', ''],
    ]);
    const body = [...host.querySelectorAll('tbody tr')];
    expect(body.map((r) => r.getAttribute('data-key'))).toEqual(['quay-1', 'quay-2']);
    expect(body.map((r) => [...r.querySelectorAll('td')].map((c) => [c.className, c.textContent]))).toEqual([
      [
        ['unit', 'Quầy 1'],
        ['num', '3'],
        ['num', '1'],
      ],
      [
        ['unit', 'Quầy 2'],
        ['num', '0'],
        ['num', '12'],
      ],
    ]);
  });
});
