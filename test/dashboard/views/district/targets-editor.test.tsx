/**
 * The district view on a hub's cold load: the units' `_office` arrive one by
 * one, and each adds a ward to the ward list. The targets form renders its
 * per-ward rows only while open, and the district ids the view needs are a
 * signal of their own that keeps its array while the ids stay the same, so
 * the view does not re-render for every unit.
 */
import { describe, expect, it } from 'vitest';
import { publicationFor } from '../../../../core/index.ts';
import { historyOffice } from '../../../../bridge/demo/demo-wards.ts';
import { WARD } from '../../fixtures.ts';
import { mount, tick } from '../../harness.tsx';

const officeOf = (i: number) => {
  const ward = `xa-${String(i).padStart(3, '0')}`;
  return publicationFor(
    'office',
    { district: 'gia-lai', ward },
    historyOffice({ ...WARD, id: ward, name: `Xã số ${i}` }, { district: 'gia-lai', index: i, updatedAt: 1 }),
  );
};

describe('the district view while units arrive', () => {
  it('keeps the district list while only wards are added, and renders ward targets only when the form is open', async () => {
    const h = await mount('?district=gia-lai&hub=1', '#/district');
    await h.publish(officeOf(1));
    const districts = h.app.districtList.value;
    expect(districts).toEqual(['gia-lai']);
    for (let i = 2; i <= 30; i++) await h.publish(officeOf(i));
    expect(h.app.wardList.value).toHaveLength(30);
    expect(h.app.districtList.value).toBe(districts);

    const form = h.el.querySelector<HTMLDetailsElement>('details.panel')!;
    expect(form.open).toBe(false);
    expect(form.querySelectorAll('tbody tr')).toHaveLength(0);
    form.open = true;
    await tick(50);
    expect(form.querySelectorAll('tbody tr')).toHaveLength(30);
    expect(form.querySelector('tbody tr td')?.textContent).toBe('Xã số 1');
    await h.publish(officeOf(31));
    expect(form.querySelectorAll('tbody tr')).toHaveLength(31);
  });
});
