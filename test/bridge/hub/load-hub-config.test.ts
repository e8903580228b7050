import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatProblems } from '../../../bridge/config/config-problem.ts';
import { unitAccountsOf } from '../../../bridge/hub/hub-config.ts';
import { configKindOf, loadHubConfig, parseHubConfigText } from '../../../bridge/hub/load-hub-config.ts';
import { validateHubConfig } from '../../../bridge/hub/validate-hub-config.ts';
import { canPublish, canRead } from '../../../bridge/broker/access.ts';
import { isId } from '../../../core/ids.ts';
import { mutatedText } from '../config/config-mutations.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');

const PROVINCE = `
province: { id: gia-lai, name: Tỉnh Gia Lai }
units:
  - { id: pleiku, name: Phường Pleiku, kind: phường, password: p1 }
  - { id: ia-grai, name: Xã Ia Grai, kind: xã, target: 85, password: p2, username: ubnd-ia-grai }
  - { id: co-so-2, name: Trung tâm PVHCC tỉnh – cơ sở 2, kind: cơ sở, password: p3 }
`;

describe('the shipped hub.example.yaml', () => {
  it('is a valid district hub with three wards and a dashboard account', async () => {
    const r = await loadHubConfig(join(REPO, 'hub.example.yaml'), {});
    if (!r.ok) throw new Error(formatProblems(r.file, r.problems));
    expect(r.config.parent).toEqual({ level: 'district', id: 'ba-dinh', name: 'Quận Ba Đình' });
    expect(r.config.units.map((u) => [u.id, u.kind, u.target, u.username])).toEqual([
      ['phuc-xa', 'phường', 80, 'phuc-xa'],
      ['truc-bach', 'phường', 85, 'truc-bach'],
      ['lieu-giai', 'phường', 80, 'lieu-giai'],
    ]);
    expect(r.config.broker.users).toEqual([
      { username: 'lanh-dao', password: 'change-me-lanh-dao', role: 'dashboard', district: 'ba-dinh' },
    ]);
    expect(r.config.retainMonths).toBe(13);
    expect(r.config.dataDir).toBe(join(REPO, 'hub-data'));
  });

  it('is told apart from an office config by its top-level keys', () => {
    expect(configKindOf(readFileSync(join(REPO, 'hub.example.yaml'), 'utf8'))).toBe('hub');
    expect(configKindOf(readFileSync(join(REPO, 'hailong.example.yaml'), 'utf8'))).toBe('office');
    expect(configKindOf(PROVINCE)).toBe('hub');
    expect(configKindOf('')).toBe('office');
  });
});

describe('a province hub', () => {
  it('takes its level and name from the config, and the unit kinds of the 2025 reform', () => {
    const r = parseHubConfigText(PROVINCE, '/etc/hailong/hub.yaml');
    if (!r.ok) throw new Error(formatProblems(r.file, r.problems));
    expect(r.config.parent).toEqual({ level: 'province', id: 'gia-lai', name: 'Tỉnh Gia Lai' });
    expect(r.config.units.map((u) => u.kind)).toEqual(['phường', 'xã', 'cơ sở']);
    expect(r.config.units[1]).toMatchObject({ target: 85, username: 'ubnd-ia-grai' });
    expect(r.config.dataDir).toBe('/etc/hailong/hub-data');
  });

  it('gives each unit an account that writes only under its own unit', () => {
    const r = parseHubConfigText(PROVINCE, 'hub.yaml');
    if (!r.ok) throw new Error('invalid');
    const [pleiku, iaGrai] = unitAccountsOf(r.config);
    expect(canPublish(pleiku!, 'hailong/v1/gia-lai/pleiku/quay-1/hop-1/vote')).toBe(true);
    expect(canPublish(pleiku!, 'hailong/v1/gia-lai/ia-grai/quay-1/hop-1/vote')).toBe(false);
    expect(canPublish(pleiku!, 'hailong/v1/gia-lai/ia-grai/quay-1/hop-1/tally/2026-11')).toBe(false);
    expect(canPublish(iaGrai!, 'hailong/v1/other/ia-grai/quay-1/hop-1/vote')).toBe(false);
    expect(canRead(pleiku!, 'hailong/v1/gia-lai/ia-grai/quay-1/hop-1/vote')).toBe(false);
  });
});

describe('problems', () => {
  it('are all reported together, each with its path and line', () => {
    const text = [
      'district: { id: "Quận 1", name: Quận 1 }', // 1
      'province: { id: gia-lai, name: Tỉnh Gia Lai }', // 2
      'target: 180', // 3
      'units:', // 4
      '  - { id: a, name: A, kind: quận, password: x }', // 5
      '  - { id: a, name: A2, kind: xã }', // 6
      'broker:', // 7
      '  users:', // 8
      '    - { username: a, password: y }', // 9
      '    - { username: lanh-dao, password: z, unit: nowhere }', // 10
      'retainMonths: 0', // 11
      'colour: red', // 12
      'mqtt: { urls: [mqtt://hub:1883] }', // 13
    ].join('\n');
    const r = parseHubConfigText(text, 'hub.yaml');
    if (r.ok) throw new Error('accepted a broken config');
    const lines = formatProblems(r.file, r.problems);
    expect(lines).toMatch(/province \(line 2\): a hub is one parent unit/);
    expect(lines).toMatch(/target \(line 3\): 180 is outside 0\.\.100/);
    expect(lines).toMatch(/units\[0\]\.kind \(line 5\): string "quận" is not one of: phường, xã, đặc khu, cơ sở/);
    expect(lines).toMatch(/units\[1\]\.password \(line 6\): is required/);
    expect(lines).toMatch(/broker\.users\[1\]\.unit \(line 10\): no unit nowhere in units/);
    expect(lines).toMatch(/retainMonths \(line 11\): 0 is outside 1\.\.120/);
    expect(lines).toMatch(/colour \(line 12\): is not a known setting/);
    expect(lines).toMatch(/mqtt \(line 13\): an external broker needs mqtt\.username and mqtt\.password/);
  });

  it("refuse a dashboard account that is a unit's account", () => {
    const r = parseHubConfigText(`${PROVINCE}broker:\n  users:\n    - { username: pleiku, password: y }\n`, 'hub.yaml');
    if (r.ok) throw new Error('accepted');
    expect(formatProblems(r.file, r.problems)).toMatch(/broker\.users\[0\]\.username \(line 9\): pleiku is a unit's account/);
  });

  it('name a repeated unit id and a missing parent', () => {
    const r = validateHubConfig({
      units: [
        { id: 'a', name: 'A', kind: 'xã', password: 'p' },
        { id: 'a', name: 'B', kind: 'xã', password: 'q', username: 'b' },
      ],
    });
    if (r.ok) throw new Error('accepted');
    expect(r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      expect.stringMatching(/^district: is required/),
      'units[1].id: unit a is already listed at units[0]',
    ]);
  });

  it('never throw, whatever the tree', () => {
    fc.assert(
      fc.property(fc.anything(), (tree) => {
        const r = validateHubConfig(tree);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) for (const p of r.problems) expect(typeof p.path).toBe('string');
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(
        fc.record({
          province: fc.anything(),
          units: fc.array(fc.dictionary(fc.constantFrom('id', 'name', 'kind', 'password', 'username', 'target'), fc.anything())),
        }),
        (tree) => void validateHubConfig(tree),
      ),
      { numRuns: 1000 },
    );
  });

  it('of mutations of hub.example.yaml: never thrown; every one with a path, a line and one message per path; an accepted hub resolves (property)', () => {
    fc.assert(
      fc.property(mutatedText('hub'), (text) => {
        const r = parseHubConfigText(text, '/etc/hailong/hub.yaml');
        if (!r.ok) {
          expect(r.problems.length).toBeGreaterThan(0);
          for (const p of r.problems) expect(p.line, JSON.stringify(p)).toBeGreaterThanOrEqual(1);
          const paths = r.problems.map((p) => p.path).filter((p) => p !== '(yaml)');
          expect(new Set(paths).size, JSON.stringify(r.problems)).toBe(paths.length);
          return;
        }
        const c = r.config;
        expect([c.parent.id, ...c.units.map((u) => u.id)].every(isId)).toBe(true);
        expect(new Set(c.units.map((u) => u.username)).size).toBe(c.units.length);
        expect(c.broker.users.every((u) => u.role === 'dashboard' && !c.units.some((x) => x.username === u.username))).toBe(true);
        expect([c.target, c.retainMonths, c.web.port, c.broker.port].every(Number.isInteger)).toBe(true);
        expect(isAbsolute(c.dataDir)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
