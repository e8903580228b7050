import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPENING_HOURS } from '../../core/opening-hours.ts';
import { MAX_COUNTERS, parseOffice, type Office } from '../../core/office.ts';
import { parseMessage, publicationFor } from '../../core/topic-payload.ts';
import { HOSTILE_INPUTS, junkArb } from './arbitraries.ts';

const OFFICE: Office = {
  v: 1,
  district: 'ba-dinh',
  ward: 'phuc-xa',
  districtName: 'Quận Ba Đình',
  wardName: 'Phường Phúc Xá',
  scale: 'scale-3',
  target: 80,
  openingHours: DEFAULT_OPENING_HOURS,
  counters: [
    { id: 'quay-1', name: 'Quầy 1 – Tư pháp – Hộ tịch', terminals: [{ id: 'hop-1', kind: 'button' }] },
    { id: 'quay-2', name: 'Quầy 2 – Đất đai', terminals: [{ id: 'kiosk-2', kind: 'touch' }] },
  ],
  updatedAt: 1_763_880_000_000,
};

describe('parseOffice', () => {
  it('round-trips through the topic map', () => {
    const pub = publicationFor('office', OFFICE, OFFICE);
    expect(pub).toMatchObject({ topic: 'hailong/v1/ba-dinh/phuc-xa/_office', qos: 1, retain: true });
    expect(parseMessage(pub.topic, pub.payload)).toEqual({
      ok: true,
      value: { kind: 'office', params: { district: 'ba-dinh', ward: 'phuc-xa' }, payload: OFFICE },
    });
  });

  it('refuses an office published under another ward', () => {
    const pub = publicationFor('office', OFFICE, OFFICE);
    expect(parseMessage(pub.topic.replace('phuc-xa', 'truc-bach'), pub.payload)).toMatchObject({
      ok: false,
      code: 'topic-mismatch',
      field: 'ward',
    });
  });

  it.each<[string, (o: Record<string, unknown>) => void, string, string]>([
    ['target above 100', (o) => (o.target = 101), 'out-of-range', 'target'],
    ['missing ward name', (o) => delete o.wardName, 'missing-field', 'wardName'],
    ['name with a control char', (o) => (o.wardName = 'Phường\u0007'), 'bad-text', 'wardName'],
    ['duplicate counter', (o) => (o.counters = [OFFICE.counters[0], OFFICE.counters[0]]), 'duplicate', 'counters[1].id'],
    [
      'bad terminal kind',
      (o) => (o.counters = [{ id: 'q', name: 'Q', terminals: [{ id: 't', kind: 'usb' }] }]),
      'bad-enum',
      'counters[0].terminals[0].kind',
    ],
    [
      'too many counters',
      (o) => (o.counters = Array.from({ length: MAX_COUNTERS + 1 }, (_, i) => ({ id: `q${i}`, name: 'Q', terminals: [] }))),
      'out-of-range',
      'counters',
    ],
    ['bad hours', (o) => (o.openingHours = { mon: [['9', '10']] }), 'bad-text', 'openingHours.mon[0][0]'],
    ['unknown scale', (o) => (o.scale = 'scale-7'), 'bad-enum', 'scale'],
  ])('%s → %s at %s', (_name, mutate, code, field) => {
    const o = structuredClone(OFFICE) as unknown as Record<string, unknown>;
    mutate(o);
    expect(parseOffice(JSON.stringify(o))).toMatchObject({ ok: false, code, field });
  });

  it('never throws on hostile input (property)', () => {
    for (const input of HOSTILE_INPUTS) expect(parseOffice(input).ok).toBe(false);
    fc.assert(
      fc.property(junkArb, (input) => void expect(typeof parseOffice(input).ok).toBe('boolean')),
      { numRuns: 500 },
    );
  });
});

describe('optional office fields (minVotes, officers)', () => {
  it('reads them when present and leaves them out for older bridges', () => {
    const full = { ...OFFICE, minVotes: 20, officers: [{ id: 'cb-1', name: 'Nguyễn Thị Lan' }] };
    expect(parseOffice(JSON.stringify(full))).toEqual({ ok: true, value: full });
    const old = parseOffice(JSON.stringify(OFFICE));
    expect(old.ok && 'minVotes' in old.value).toBe(false);
    expect(old.ok && 'officers' in old.value).toBe(false);
  });

  it('names what is wrong in them', () => {
    expect(parseOffice({ ...OFFICE, minVotes: 0 })).toMatchObject({ ok: false, field: 'minVotes' });
    expect(
      parseOffice({
        ...OFFICE,
        officers: [
          { id: 'cb-1', name: 'A' },
          { id: 'cb-1', name: 'B' },
        ],
      }),
    ).toMatchObject({ ok: false, code: 'duplicate', field: 'officers[1].id' });
    expect(parseOffice({ ...OFFICE, officers: [{ id: 'cb-1' }] })).toMatchObject({ ok: false, field: 'officers[0].name' });
  });
});
