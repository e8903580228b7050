import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../bridge/config/load-config.ts';
import { TerminalDirectory } from '../../../bridge/serial/terminal-directory.ts';

const r = parseConfigText(
  `district: { id: d, name: D }
ward: { id: w, name: W }
scale: 5
counters:
  - id: quay-1
    name: Q1
    terminals:
      - { id: hop-1, uid: HL-1, port: /dev/serial/by-id/usb-box-1 }
      - { id: hop-2, uid: HL-2 }
  - { id: quay-2, name: Q2, mode: gated, terminals: [ { id: hop-3, uid: HL-3 } ] }
`,
  'x.yaml',
);
if (!r.ok) throw new Error(JSON.stringify(r.problems));
// by-id link → device, as udev would have it.
const links: Record<string, string> = { '/dev/serial/by-id/usb-box-1': '/dev/ttyACM1' };
const dir = new TerminalDirectory(r.config, (p) => links[p] ?? p);
const hello = (uid: string) => ({ type: 'HELLO', proto: 1, uid, model: 'M', firmware: '1', buttons: 3, pending: 0 }) as const;

describe('TerminalDirectory', () => {
  it('identifies boxes by uid on any port, pinned ones on their port by any name', () => {
    expect(dir.identify(hello('HL-2'), '/dev/ttyUSB7')).toMatchObject({ ok: true, terminal: { id: 'hop-2' } });
    expect(dir.identify(hello('HL-1'), '/dev/ttyACM1')).toMatchObject({ ok: true, terminal: { id: 'hop-1', counter: { id: 'quay-1' } } });
    expect(dir.identify(hello('HL-1'), '/dev/serial/by-id/usb-box-1')).toMatchObject({ ok: true });
  });

  it('refuses a foreign or swapped box on a pinned port, a pinned box elsewhere, and unknown uids', () => {
    expect(dir.identify(hello('HL-2'), '/dev/ttyACM1')).toMatchObject({
      ok: false,
      code: 'wrong-uid',
      message: expect.stringMatching(/swapped or foreign box/),
    });
    expect(dir.identify(hello('HL-1'), '/dev/ttyACM0')).toMatchObject({ ok: false, code: 'wrong-port' });
    expect(dir.identify(hello('X-9'), '/dev/ttyACM3')).toMatchObject({
      ok: false,
      code: 'unknown-uid',
      message: expect.stringMatching(/uid: X-9/),
    });
    expect(dir.pinnedPorts()).toEqual(['/dev/serial/by-id/usb-box-1']);
  });

  it('sends CONFIG with the counter mode and never more buttons than the box has', () => {
    const [ok] = [dir.identify(hello('HL-3'), '/dev/ttyUSB0')];
    if (!ok?.ok) throw new Error('not identified');
    expect(dir.configFor(ok.terminal, hello('HL-3'))).toEqual({
      type: 'CONFIG',
      buttons: 3,
      cooldownMs: 3000,
      mode: 'GATED',
      windowMs: 30000,
      leds: true,
      buzzer: true,
    });
    expect(dir.configFor(ok.terminal, { ...hello('HL-3'), buttons: 9 }).buttons).toBe(5);
  });
});
