import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import fc from 'fast-check';
import { isId } from '../../../core/ids.ts';
import { URL_SCHEMES } from '../../../bridge/config/broker-urls.ts';
import { describe, expect, it } from 'vitest';
import { formatProblems } from '../../../bridge/config/config-problem.ts';
import { loadConfig, parseConfigText } from '../../../bridge/config/load-config.ts';
import { validateConfig } from '../../../bridge/config/validate-config.ts';
import { terminalsOf } from '../../../bridge/config/hailong-config.ts';
import { parseHubConfigText } from '../../../bridge/hub/load-hub-config.ts';
import { mutatedText } from './config-mutations.ts';

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'hailong.example.yaml');
const exampleText = readFileSync(EXAMPLE, 'utf8');

const MINIMAL = `
district: { id: ba-dinh, name: Quận Ba Đình }
ward: { id: phuc-xa, name: Phường Phúc Xá }
counters:
  - id: quay-1
    name: Quầy 1
    terminals:
      - { id: hop-1, kind: button, uid: HL-1 }
`;

describe('the shipped example config', () => {
  it('is valid and describes a whole office', async () => {
    const r = await loadConfig(EXAMPLE, {});
    if (!r.ok) throw new Error(formatProblems(r.file, r.problems));
    const c = r.config;
    expect(c.district).toEqual({ id: 'ba-dinh', name: 'Quận Ba Đình' });
    expect(c.scale.id).toBe('scale-3');
    expect(c.target).toBe(80);
    expect(c.minVotes).toBe(30);
    expect(c.officers).toEqual([
      { id: 'cb-1', name: 'Nguyễn Thị Lan' },
      { id: 'cb-2', name: 'Trần Văn Hùng' },
    ]);
    expect(c.rating).toMatchObject({ cooldownMs: 3000, mode: 'open', windowMs: 30_000 });
    expect(c.counters.map((x) => [x.id, x.mode])).toEqual([
      ['quay-1', 'open'],
      ['quay-2', 'gated'],
      ['quay-3', 'open'],
    ]);
    expect(terminalsOf(c).map((t) => `${t.counter.id}/${t.id}:${t.kind}`)).toEqual([
      'quay-1/hop-1:button',
      'quay-2/hop-2:button',
      'quay-3/kiosk-3:touch',
    ]);
    expect(c.mqtt.urls).toEqual([]);
    expect(c.broker.users.map((u) => [u.username, u.role, u.district, u.ward])).toEqual([
      ['giam-sat', 'dashboard', 'ba-dinh', 'phuc-xa'],
      ['quay-so', 'desk', 'ba-dinh', 'phuc-xa'],
    ]);
    // dataDir is relative to the config file, not the working directory.
    expect(c.dataDir).toBe(join(EXAMPLE, '..', 'data'));
  });
});

describe('defaults', () => {
  it('fill everything an office does not say', () => {
    const r = parseConfigText(MINIMAL, '/etc/hailong/hailong.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      target: 80,
      rating: { cooldownMs: 3000, mode: 'open', windowMs: 30_000 },
      serial: { ports: 'auto', baudRate: 115_200, scanIntervalMs: 2000 },
      mqtt: { urls: [] },
      broker: { port: 1883, host: '0.0.0.0', anonymous: 'none', users: [] },
      web: { port: 8080, host: '0.0.0.0' },
      dataDir: '/etc/hailong/data',
    });
    expect(r.config.rating.reasons).toContain('thoi-gian-cho');
    expect(r.config.openingHours.mon).toEqual([
      ['07:30', '11:30'],
      ['13:30', '17:00'],
    ]);
  });
});

describe('every problem is reported together, with its path and line', () => {
  it('lists all problems of a broken file at once', () => {
    const broken = `
district: { id: Ba Dinh, name: Quận Ba Đình }
ward: { id: phuc-xa }
scale: 7
target: 120
rating: { mode: sometimes, cooldownMs: -1 }
counters:
  - id: quay-1
    name: Quầy 1
    terminals:
      - { id: hop-1, kind: button }
      - { id: hop-1, kind: button, uid: HL-2 }
      - { id: kiosk-1, kind: touch, uid: X }
  - id: quay-1
    name: Quầy 1 lặp
    terminals: []
serial: { baudRate: 14400 }
mqtt: { urls: [ "http://example.com", "not a url" ] }
web: { port: 70000 }
colour: blue
`;
    const r = parseConfigText(broken, 'hailong.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = new Map(r.problems.map((p) => [p.path, p]));
    const expected = [
      'district.id',
      'ward.name',
      'scale',
      'target',
      'rating.mode',
      'rating.cooldownMs',
      'counters[0].terminals[0].uid',
      'counters[0].terminals[1].id',
      'counters[0].terminals[2].uid',
      'counters[1].id',
      'serial.baudRate',
      'mqtt.urls[0]',
      'mqtt.urls[1]',
      'web.port',
      'colour',
    ];
    for (const path of expected) expect(byPath.has(path), `${path} in ${JSON.stringify([...byPath.keys()])}`).toBe(true);
    // The kiosk has no password, which the embedded broker needs (mqtt.urls has only invalid URLs).
    expect(byPath.get('district.id')?.message).toMatch(/not a valid id/);
    expect(byPath.get('district.id')?.line).toBe(2);
    expect(byPath.get('counters[0].terminals[1].id')?.message).toMatch(/already used at counters\[0\]\.terminals\[0\]/);
    expect(byPath.get('counters[0].terminals[1].id')?.line).toBe(12);
    expect(byPath.get('colour')?.message).toMatch(/not a known setting/);
    expect(formatProblems('hailong.yaml', r.problems)).toMatch(
      /^Cấu hình không hợp lệ \/ invalid config: hailong\.yaml \(\d+ problems\)\n {2}- district\.id \(line 2\): /,
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const r = parseConfigText('district: { id: a\nward: [\n', 'x.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]).toMatchObject({ path: '(yaml)', line: expect.any(Number) });
  });

  it('refuses duplicate keys instead of silently keeping the last, naming the key', () => {
    const r = parseConfigText(`${MINIMAL}\ntarget: 80\ntarget: 90\n`, 'x.yaml');
    expect(r).toMatchObject({
      ok: false,
      problems: [{ path: '(yaml)', line: 11, message: expect.stringMatching(/^duplicate key "target"/) }],
    });
  });

  it("reports an unknown key with a block value at the key's line, not the value's", () => {
    const r = parseConfigText(`${MINIMAL}\nsurprise:\n  nested: 1\n  more: 2\n`, 'x.yaml');
    expect(r).toMatchObject({ ok: false, problems: [{ path: 'surprise', line: 10 }] });
    const inner = parseConfigText(`${MINIMAL}\nrating:\n  cooldownMs: 0\n  extra:\n    - 1\n`, 'x.yaml');
    expect(inner).toMatchObject({ ok: false, problems: [{ path: 'rating.extra', line: 12 }] });
  });

  it('refuses quoted numbers and a plain string for mqtt.urls, saying what to write', () => {
    const r = parseConfigText(`${MINIMAL}\nweb: { port: "8080" }\nmqtt: { urls: "mqtt://10.0.0.2:1883" }\n`, 'x.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { path: 'web.port', line: 10, message: expect.stringMatching(/must be a number without quotes/) },
      { path: 'mqtt.urls', line: 11, message: expect.stringMatching(/must be a list of URLs, e.g. \[ "mqtt:\/\/10\.0\.0\.2:1883" \]/) },
    ]);
  });

  it('requires a kiosk password with the embedded broker, not with an external one', () => {
    const kiosk = MINIMAL.replace('- { id: hop-1, kind: button, uid: HL-1 }', '- { id: kiosk-1, kind: touch }');
    const embedded = parseConfigText(kiosk, 'x.yaml');
    expect(embedded).toMatchObject({ ok: false, problems: [{ path: 'counters[0].terminals[0].password' }] });
    expect(parseConfigText(`${kiosk}\nmqtt: { urls: [ "mqtts://broker.example:8883" ] }\n`, 'x.yaml').ok).toBe(true);
  });

  it('refuses broker.port equal to web.port with the embedded broker (both listen in one process)', () => {
    const r = parseConfigText(`${MINIMAL}\nbroker: { port: 8080 }\nweb: { port: 8080 }\n`, 'x.yaml');
    expect(r).toMatchObject({ ok: false, problems: [{ path: 'web.port', message: expect.stringMatching(/same port as broker\.port/) }] });
    // An external broker opens no port here; 0 picks free ports.
    expect(
      parseConfigText(`${MINIMAL}\nbroker: { port: 8080 }\nweb: { port: 8080 }\nmqtt: { urls: [ "mqtt://10.0.0.2:1883" ] }\n`, 'x.yaml').ok,
    ).toBe(true);
    expect(parseConfigText(`${MINIMAL}\nbroker: { port: 0 }\nweb: { port: 0 }\n`, 'x.yaml').ok).toBe(true);
    // A Mosquitto on this PC at the web port clashes the same way.
    const local = parseConfigText(`${MINIMAL}\nweb: { port: 9001 }\nmqtt: { urls: [ "ws://localhost:9001/mqtt" ] }\n`, 'x.yaml');
    expect(local).toMatchObject({ ok: false, problems: [{ path: 'mqtt.urls[0]' }] });
  });

  it("takes a kiosk's staff PIN (4–8 digits, no default), and only for kiosks (issue 13)", () => {
    const kiosk = (pin: string) =>
      MINIMAL.replace('- { id: hop-1, kind: button, uid: HL-1 }', `- { id: kiosk-1, kind: touch, password: pw-kiosk-1, pin: ${pin} }`);
    const ok = parseConfigText(kiosk('"024681"'), 'x.yaml');
    expect(ok.ok && terminalsOf(ok.config)[0]).toMatchObject({ id: 'kiosk-1', pin: '024681' });
    expect(parseConfigText(kiosk('"12"'), 'x.yaml')).toMatchObject({ ok: false, problems: [{ path: 'counters[0].terminals[0].pin' }] });
    const box = MINIMAL.replace('- { id: hop-1, kind: button, uid: HL-1 }', '- { id: hop-1, kind: button, uid: HL-1, pin: "1234" }');
    expect(parseConfigText(box, 'x.yaml')).toMatchObject({ ok: false, problems: [{ path: 'counters[0].terminals[0].pin' }] });
    const none = parseConfigText(
      MINIMAL.replace('- { id: hop-1, kind: button, uid: HL-1 }', '- { id: kiosk-1, kind: touch, password: pw-kiosk-1 }'),
      'x.yaml',
    );
    expect(none.ok && terminalsOf(none.config)[0]).not.toHaveProperty('pin');
  });

  it('names a missing file and says what to do', async () => {
    const r = await loadConfig('/nonexistent/hailong.yaml', {});
    expect(r).toMatchObject({
      ok: false,
      problems: [{ path: '(file)', message: expect.stringMatching(/does not exist \(copy hailong\.example\.yaml/) }],
    });
  });

  it('never throws on arbitrary trees or text (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (tree) => {
        const r = validateConfig(tree);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expect(typeof parseConfigText(text, 'x.yaml').ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
    // Mutations of the real example: drop or corrupt one line at a time.
    const lines = exampleText.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const dropped = [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n');
      const corrupted = [...lines.slice(0, i), `${lines[i]}: [}`, ...lines.slice(i + 1)].join('\n');
      expect(typeof parseConfigText(dropped, 'x.yaml').ok).toBe('boolean');
      expect(typeof parseConfigText(corrupted, 'x.yaml').ok).toBe('boolean');
    }
  });
});

describe('mutations of the shipped example (property)', () => {
  it('never throw; a refusal names every problem with a path, a line and one message per path; an acceptance resolves', () => {
    fc.assert(
      fc.property(mutatedText('hailong'), (text) => {
        const r = parseConfigText(text, '/etc/hailong/hailong.yaml');
        if (!r.ok) {
          expect(r.problems.length).toBeGreaterThan(0);
          for (const p of r.problems) {
            expect(p.path).not.toBe('');
            expect(p.line, JSON.stringify(p)).toBeGreaterThanOrEqual(1);
            expect(p.message.length).toBeGreaterThan(0);
          }
          const paths = r.problems.map((p) => p.path).filter((p) => p !== '(yaml)');
          expect(new Set(paths).size, JSON.stringify(r.problems)).toBe(paths.length);
          return;
        }
        // Accepted: the typed config, every id an id, every terminal of one kind, every URL dialable.
        const c = r.config;
        expect(
          [c.district.id, c.ward.id, ...c.counters.map((x) => x.id), ...c.officers.map((o) => o.id), ...c.rating.reasons].every(isId),
        ).toBe(true);
        for (const t of terminalsOf(c)) {
          expect(isId(t.id)).toBe(true);
          if (t.kind === 'button') expect(t.uid).toMatch(/^[A-Za-z0-9._-]{1,32}$/);
          else expect([t.uid, t.port]).toEqual([undefined, undefined]);
        }
        expect([...c.mqtt.urls, ...(c.upstream?.urls ?? [])].every((u) => URL_SCHEMES.includes(new URL(u).protocol))).toBe(true);
        expect([c.target, c.minVotes, c.web.port, c.broker.port, c.serial.baudRate].every(Number.isInteger)).toBe(true);
        expect(isAbsolute(c.dataDir)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('a YAML alias inside its own anchor is a problem with its path and line, not an endless recursion', () => {
    const text = `${MINIMAL}officers: &o\n  - { id: cb-1, name: An, more: *o }\n`;
    expect(parseConfigText(text, 'x.yaml')).toMatchObject({
      ok: false,
      problems: [{ path: 'officers[0].more', line: 10, message: expect.stringMatching(/^holds itself/) }],
    });
    expect(parseHubConfigText('district: &d { id: a, name: *d }\nunits: []\n', 'hub.yaml')).toMatchObject({
      ok: false,
      problems: [{ path: 'district.name', line: 1 }],
    });
  });

  it('a missing top-level key is reported at the line where the file starts', () => {
    const r = parseConfigText(`# office\n\n${MINIMAL.replace(/^district:.*$/m, '')}`, 'x.yaml');
    expect(r).toMatchObject({ ok: false, problems: [{ path: 'district', line: 5, message: 'is required' }] });
  });
});

describe('environment overrides', () => {
  it('override the file and are validated like it', () => {
    const r = parseConfigText(MINIMAL, 'x.yaml', {
      HAILONG_WEB_PORT: '9090',
      HAILONG_MQTT_URLS: 'mqtt://a:1883, mqtt://b:1883',
      HAILONG_SERIAL_PORTS: '/dev/ttyUSB0,/dev/ttyUSB1',
      HAILONG_DATA_DIR: '/var/lib/hailong',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.web.port).toBe(9090);
    expect(r.config.mqtt.urls).toEqual(['mqtt://a:1883', 'mqtt://b:1883']);
    expect(r.config.serial.ports).toEqual(['/dev/ttyUSB0', '/dev/ttyUSB1']);
    expect(r.config.dataDir).toBe('/var/lib/hailong');
  });

  it('name the variable when its value is bad', () => {
    const r = parseConfigText(MINIMAL, 'x.yaml', { HAILONG_WEB_PORT: 'eighty', HAILONG_MQTT_URLS: 'ftp://x' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path).sort()).toEqual(['env HAILONG_MQTT_URLS (mqtt.urls[0])', 'env HAILONG_WEB_PORT (web.port)']);
  });
});

describe('officers and minVotes', () => {
  it('defaults to no officer list and 30 votes', () => {
    const r = parseConfigText(MINIMAL, 'x.yaml');
    if (!r.ok) throw new Error(formatProblems(r.file, r.problems));
    expect([r.config.officers, r.config.minVotes]).toEqual([[], 30]);
  });

  it('names every problem of the officer list with its path', () => {
    const r = parseConfigText(
      `${MINIMAL}officers:\n  - { id: cb-1, name: An }\n  - { id: cb-1, name: Bình }\n  - { id: Bad Id, name: C }\nminVotes: 0\n`,
      'x.yaml',
    );
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['officers[1].id', 'officers[2].id', 'minVotes']));
  });
});
