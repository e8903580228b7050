/** `mergedFrom` in a hub config (issue 11): the 2025 mergers, validated with path and line. */
import { describe, expect, it } from 'vitest';
import { formatProblems } from '../../../bridge/config/config-problem.ts';
import { parseHubConfigText } from '../../../bridge/hub/load-hub-config.ts';

describe('units[].mergedFrom', () => {
  it('reads the absorbed units and their last day (YAML 1.2 keeps 2025-06-30 a string)', () => {
    const r = parseHubConfigText(
      [
        'province: { id: ha-noi, name: Thành phố Hà Nội }',
        'units:',
        '  - id: ba-dinh',
        '    name: Phường Ba Đình',
        '    kind: phường',
        '    password: p1',
        '    mergedFrom: [{ id: phuc-xa, until: 2025-06-30 }, { id: truc-bach, until: "2025-06-30" }]',
        '  - { id: co-so-1, name: Trung tâm PVHCC – cơ sở 1, kind: cơ sở, password: p2 }',
      ].join('\n'),
      'hub.yaml',
    );
    if (!r.ok) throw new Error(formatProblems(r.file, r.problems));
    expect(r.config.units[0]?.mergedFrom).toEqual([
      { id: 'phuc-xa', until: '2025-06-30' },
      { id: 'truc-bach', until: '2025-06-30' },
    ]);
    expect(r.config.units[1]?.mergedFrom).toBeUndefined();
  });

  it('reports a bad date, a unit absorbed twice, a cycle and an unknown key, each with path and line', () => {
    const text = [
      'province: { id: ha-noi, name: Thành phố Hà Nội }', // 1
      'units:', // 2
      '  - { id: a, name: A, kind: xã, password: p, mergedFrom: [{ id: b, until: 30/6/2025 }] }', // 3
      '  - { id: c, name: C, kind: xã, password: p, mergedFrom: [{ id: d, until: 2025-06-30 }] }', // 4
      '  - { id: e, name: E, kind: xã, password: p, mergedFrom: [{ id: d, until: 2025-06-30 }, { id: e, until: 2025-06-30 }] }', // 5
      '  - { id: x, name: X, kind: xã, password: p, mergedFrom: [{ id: y, until: 2025-06-30 }] }', // 6
      '  - { id: y, name: Y, kind: xã, password: p, mergedFrom: [{ id: x, until: 2025-06-30, when: never }] }', // 7
    ].join('\n');
    const r = parseHubConfigText(text, 'hub.yaml');
    if (r.ok) throw new Error('accepted a broken config');
    const lines = formatProblems(r.file, r.problems);
    expect(lines).toMatch(
      /units\[0\]\.mergedFrom\[0\]\.until \(line 3\): must be a date YYYY-MM-DD: the last day b existed \(e\.g\. 2025-06-30\), got "30\/6\/2025"/,
    );
    expect(lines).toMatch(/units\[2\]\.mergedFrom\[0\]\.id \(line 5\): d is already merged into c/);
    expect(lines).toMatch(/units\[2\]\.mergedFrom\[1\]\.id \(line 5\): unit e cannot absorb itself/);
    expect(lines).toMatch(/units\[3\]\.mergedFrom\[0\]\.id \(line 6\): y is part of a merger cycle/);
    expect(lines).toMatch(/units\[4\]\.mergedFrom\[0\]\.when \(line 7\): is not a known setting/);
  });
});

describe('the hub passes its mergers on to the parent dashboard', () => {
  it("adds the unit's mergedFrom to the office it forwards", async () => {
    const { ingest } = await import('../../../bridge/hub/hub-ingest.ts');
    const { DEFAULT_OPENING_HOURS } = await import('../../../core/opening-hours.ts');
    const mergedFrom = [{ id: 'phuc-xa', until: '2025-06-30', name: 'Phường Phúc Xá' }];
    const scope = {
      parent: 'ha-noi',
      parentName: 'Thành phố Hà Nội',
      units: new Map([['ba-dinh', { name: 'Phường Ba Đình', target: 80, mergedFrom }]]),
      retainMonths: 13,
    };
    const office = {
      v: 1,
      district: 'ha-noi',
      ward: 'ba-dinh',
      districtName: 'Quận Ba Đình',
      wardName: 'Ba Đình',
      scale: 'scale-3',
      target: 90,
      openingHours: DEFAULT_OPENING_HOURS,
      counters: [],
      updatedAt: 5,
    };
    const d = ingest(scope, 'hailong/v1/ha-noi/ba-dinh/_office', JSON.stringify(office), Date.UTC(2026, 0, 1));
    expect(d.accept).toBe(true);
    if (!d.accept) return;
    expect(JSON.parse(d.payload ?? '')).toMatchObject({
      districtName: 'Thành phố Hà Nội',
      wardName: 'Phường Ba Đình',
      target: 80,
      mergedFrom,
    });
  });
});
