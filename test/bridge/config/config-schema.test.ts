/**
 * The JSON Schemas (schema/*.schema.json) as the validator of the config
 * files: the examples conform, editors find them, ajv's errors come out as
 * one worded problem per path, and the few values the schema restates from
 * the code (the id and account grammars, the defaults) agree with it.
 */
import { describe, expect, it } from 'vitest';
import { ID_PATTERN } from '../../../core/ids.ts';
import { PASSWORD_MAX_LENGTH, USERNAME_PATTERN } from '../../../bridge/broker/broker-user-check.ts';
import { configSchema, schemaProblems, type SchemaName } from '../../../bridge/config/config-schema.ts';
import { validateConfig } from '../../../bridge/config/validate-config.ts';
import { validateHubConfig } from '../../../bridge/hub/validate-hub-config.ts';
import { UNIT_KINDS } from '../../../bridge/hub/hub-config.ts';
import { RATING_MODES } from '../../../core/terminal-config.ts';
import { VOTE_SOURCES } from '../../../core/vote.ts';
import { exampleText, exampleTree } from './config-mutations.ts';

type Json = Record<string, unknown>;

/** The value at a dotted path of a schema (`$defs.id.anyOf.0.pattern`). */
const at = (name: SchemaName, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Json | undefined)?.[key], configSchema(name));

const OFFICE = {
  district: { id: 'ba-dinh', name: 'Quận Ba Đình' },
  ward: { id: 'phuc-xa', name: 'Phường Phúc Xá' },
  counters: [{ id: 'quay-1', name: 'Quầy 1', terminals: [{ id: 'hop-1', uid: 'HL-1' }] }],
};

/** The problems of the office above with `extra` merged in at the top level. */
const officeProblems = (extra: Json) => schemaProblems('hailong', { ...OFFICE, ...extra });

describe.each(['hailong', 'hub'] as const)('schema/%s.schema.json', (name) => {
  it('accepts the example file', () => {
    expect(schemaProblems(name, exampleTree(name))).toEqual([]);
  });

  it('names itself at the top of the example, for editors (yaml-language-server)', () => {
    expect(exampleText(name).split('\n')[0]).toBe(`# yaml-language-server: $schema=./schema/${name}.schema.json`);
  });

  it('restates the grammars of the code: ids (core/ids.ts), accounts and passwords (broker-user-check.ts)', () => {
    expect(at(name, '$defs.id.anyOf.0.pattern')).toBe(ID_PATTERN.source);
    expect(at(name, '$defs.username.pattern')).toBe(USERNAME_PATTERN.source);
    expect(at(name, '$defs.password.maxLength')).toBe(PASSWORD_MAX_LENGTH);
  });
});

describe('the defaults the schemas show an editor are the ones the loader fills in', () => {
  it('office', () => {
    const r = validateConfig(OFFICE);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const d = (path: string) => at('hailong', `${path}.default`);
    const c = r.config;
    expect(['target', 'minVotes', 'scale'].map((k) => d(`properties.${k}`))).toEqual([c.target, c.minVotes, c.scale.levels.length]);
    expect(['cooldownMs', 'mode', 'windowMs'].map((k) => d(`properties.rating.properties.${k}`))).toEqual([
      c.rating.cooldownMs,
      c.rating.mode,
      c.rating.windowMs,
    ]);
    expect(['ports', 'baudRate', 'scanIntervalMs'].map((k) => d(`properties.serial.properties.${k}`))).toEqual([
      c.serial.ports,
      c.serial.baudRate,
      c.serial.scanIntervalMs,
    ]);
    expect(['port', 'anonymous'].map((k) => d(`properties.broker.properties.${k}`))).toEqual([c.broker.port, c.broker.anonymous]);
    expect([d('$defs.web.properties.port'), d('$defs.terminal.properties.kind')]).toEqual([c.web.port, c.counters[0]?.terminals[0]?.kind]);
  });

  it('hub', () => {
    const r = validateHubConfig({ district: OFFICE.district, units: [{ id: 'phuc-xa', name: 'P', kind: 'phường', password: 'p' }] });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(['target', 'retainMonths', 'reports.properties.dir'].map((k) => at('hub', `properties.${k}.default`))).toEqual([
      r.config.target,
      r.config.retainMonths,
      r.config.reports?.dir,
    ]);
  });
});

describe("the choices the schemas list are the code's", () => {
  it('rating modes, terminal kinds, unit kinds', () => {
    expect(at('hailong', 'properties.rating.properties.mode.enum')).toEqual(RATING_MODES);
    expect(at('hailong', '$defs.counter.properties.mode.enum')).toEqual(RATING_MODES);
    expect(at('hailong', '$defs.terminal.properties.kind.enum')).toEqual(VOTE_SOURCES);
    expect(at('hub', 'properties.units.items.properties.kind.enum')).toEqual(UNIT_KINDS);
  });
});

describe('what the loader accepts, an editor accepts (the schema once refused these)', () => {
  it('upstream.urls as one URL', () => {
    const office = { ...OFFICE, upstream: { urls: 'mqtts://hub.example:8883' } };
    expect(validateConfig(office).ok).toBe(true);
    expect(schemaProblems('hailong', office)).toEqual([]);
  });

  it("a hub's reports: section and a merged unit's name", () => {
    const hub = exampleTree('hub') as { units: Json[]; reports?: unknown };
    hub.reports = { dir: '/srv/bao-cao', smtp: { host: 'mail.example', from: 'a@b.example', to: ['c@d.example'] } };
    hub.units[0] = { ...hub.units[0], mergedFrom: [{ id: 'cong-vi', name: 'Phường Cống Vị', until: '2025-06-30' }] };
    expect(validateHubConfig(hub).ok).toBe(true);
    expect(schemaProblems('hub', hub)).toEqual([]);
  });
});

describe("ajv's errors, worded", () => {
  it('one problem per path, however many branches failed', () => {
    // "Ba Dinh" fails the id's text branch (pattern) and its number branch (type): one problem.
    expect(officeProblems({ district: { id: 'Ba Dinh', name: 'Q' } })).toEqual([
      {
        path: 'district.id',
        message:
          '"Ba Dinh" is not a valid id: ids are [a-z0-9-], 1–32 chars, starting with a letter or digit (it becomes an MQTT topic level)',
      },
    ]);
    // A list of ports with one bad item: the item, not the list.
    expect(officeProblems({ serial: { ports: ['/dev/ttyUSB0', ' '] } })).toEqual([
      { path: 'serial.ports[1]', message: 'must be text, got string " "' },
    ]);
    expect(officeProblems({ serial: { ports: 'ttyUSB0' } })).toEqual([
      { path: 'serial.ports', message: 'must be auto or a list of serial ports (paths or /dev/serial/by-id names), got string "ttyUSB0"' },
    ]);
  });

  it('says which type it wants, and that a number goes without quotes', () => {
    expect(officeProblems({ web: { port: '8080' }, target: 'high', rating: [], officers: {}, minVotes: 2.5 })).toEqual([
      { path: 'target', message: 'must be a whole number, got string "high"' },
      { path: 'minVotes', message: 'must be a whole number, got number 2.5' },
      { path: 'officers', message: 'must be a list, got a map' },
      { path: 'rating', message: 'must be a map of settings, got a list' },
      { path: 'web.port', message: 'must be a number without quotes, got string "8080"' },
    ]);
    expect(schemaProblems('hailong', 42)).toEqual([{ path: '(file)', message: 'must be a map of settings, got number 42' }]);
  });

  it('names a missing, unknown or dependent key at the key itself', () => {
    const problems = officeProblems({ ward: { id: 'phuc-xa' }, colour: 'blue', mqtt: { password: 'x' } });
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'ward.name', message: 'is required' },
        { path: 'colour', message: expect.stringMatching(/^is not a known setting \(known: district, ward, scale, /) },
        { path: 'mqtt.password', message: 'is set but mqtt.username is not' },
      ]),
    );
  });

  it('gives ranges, choices and field rules in words', () => {
    expect(officeProblems({ target: 120, rating: { mode: 'sometimes' }, serial: { baudRate: 14400 } })).toEqual([
      { path: 'target', message: '120 is outside 0..100' },
      { path: 'rating.mode', message: 'string "sometimes" is not one of: open, gated' },
      {
        path: 'serial.baudRate',
        message: 'number 14400 is not a supported rate (9600, 19200, 38400, 57600, 115200; terminals default to 115200)',
      },
    ]);
    const kiosk = { id: 'kiosk-1', kind: 'touch', uid: 'X', port: '/dev/ttyUSB0' };
    expect(
      officeProblems({ counters: [{ id: 'quay-1', name: 'Q', terminals: [kiosk, { id: 'hop-1', pin: '12' }] }] }).map(
        (p) => `${p.path}: ${p.message}`,
      ),
    ).toEqual([
      'counters[0].terminals[0].uid: is only for button boxes; a kiosk is identified by its id',
      'counters[0].terminals[0].port: is only for button boxes; a kiosk talks MQTT, not serial',
      'counters[0].terminals[1].uid: is required for a button box: the uid it says in HELLO (see `hailong ports`)',
      'counters[0].terminals[1].pin: is only for touch terminals (kiosks): the PIN of their staff settings page',
    ]);
  });

  it('words the hub parent and units as the hub validator did', () => {
    const both = {
      district: OFFICE.district,
      province: { id: 'gia-lai', name: 'Tỉnh Gia Lai' },
      units: [{ id: 'a', name: 'A', kind: 'xã' }],
    };
    expect(
      schemaProblems('hub', both)
        .map((p) => `${p.path}: ${p.message}`)
        .sort(),
    ).toEqual([
      'province: a hub is one parent unit: give either district or province, not both',
      "units[0].password: is required: the password of unit a's account on the hub broker (its bridge's upstream.password)",
    ]);
    expect(schemaProblems('hub', { units: [] }).map((p) => `${p.path}: ${p.message}`)).toEqual([
      'district: is required: the parent unit, `district: {id, name}` or `province: {id, name}`',
      'units: lists no unit: add the phường / xã / đặc khu / cơ sở that report to this hub',
    ]);
  });
});
