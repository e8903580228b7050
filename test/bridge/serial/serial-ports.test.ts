/**
 * SerialPorts (the port manager) at its seams: a fake file system for
 * discovery and a fake opener whose ports the test closes, as an unplug
 * does. The real thing (socat ptys, unplug and replug) is exercised in
 * test/bridge/hailong-app.test.ts and test/bridge/ward-bridge.e2e.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SerialPorts, type OpenPort, type SerialPortsOptions } from '../../../bridge/serial/serial-ports.ts';
import { FakeDev, fakeOpener } from '../fakes/fake-serial.ts';
import { testLog } from '../bridge-rig.ts';

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('SerialPorts at its seams (fake /dev, fake opener)', () => {
  let ports: SerialPorts | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await ports?.stop();
    ports = undefined;
  });

  function manager(
    dev: FakeDev,
    opener: SerialPortsOptions['opener'],
    extra: Partial<SerialPortsOptions> = {},
  ): { ports: SerialPorts; opens: OpenPort[]; closes: OpenPort[] } {
    const p = new SerialPorts({ ports: 'auto', fs: dev, opener, log: testLog, scanIntervalMs: 60_000, ...extra });
    const opens: OpenPort[] = [];
    const closes: OpenPort[] = [];
    p.on('open', (port) => opens.push(port));
    p.on('close', (port) => closes.push(port));
    ports = p;
    return { ports: p, opens, closes };
  }

  it('opens each device once, and refuses a second name of a device it already holds (by-id link and ttyACM)', async () => {
    const dev = new FakeDev();
    dev.links.set('/dev/ttyACM0', '/dev/ttyACM0');
    const { opener, attempts } = fakeOpener();
    const m = manager(dev, opener);
    m.ports.start();
    await flush();
    expect(m.opens.map((p) => p.path)).toEqual(['/dev/ttyACM0']);
    // udev adds the stable by-id link later: the same device under another name.
    dev.links.set('/dev/serial/by-id/usb-hailong-box-1', '/dev/ttyACM0');
    m.ports.scan();
    await flush();
    expect(attempts).toEqual(['/dev/ttyACM0']);
    expect(m.ports.status().filter((s) => s.open)).toHaveLength(1);
  });

  it('a device renumbered behind its path (ttyACM0 → ttyACM1) is closed and opened again in-process', async () => {
    const dev = new FakeDev();
    dev.links.set('/dev/serial/by-id/usb-hailong-box-1', '/dev/ttyACM0');
    const { opener, opened } = fakeOpener();
    const m = manager(dev, opener, { ports: ['/dev/serial/by-id/*'], maxBackoffMs: 0 });
    m.ports.start();
    await flush();
    expect(m.opens.map((p) => p.realPath)).toEqual(['/dev/ttyACM0']);
    dev.links.set('/dev/serial/by-id/usb-hailong-box-1', '/dev/ttyACM1');
    m.ports.scan(); // sees the link moved: closes the port it holds
    await flush();
    expect(opened[0]!.closed).toBe(true);
    expect(m.closes.map((p) => p.realPath)).toEqual(['/dev/ttyACM0']);
    m.ports.scan(); // backoff 0: opens it again at once
    await flush();
    expect(m.opens.map((p) => p.realPath)).toEqual(['/dev/ttyACM0', '/dev/ttyACM1']);
  });

  it('a port that cannot be opened is retried with a growing backoff (1 s, 2 s, 4 s …), its error kept for the status', async () => {
    vi.useFakeTimers({ now: 1_800_000_000_000, toFake: ['Date'] });
    const dev = new FakeDev();
    dev.links.set('/dev/ttyUSB0', '/dev/ttyUSB0');
    const { opener, attempts, refuse } = fakeOpener();
    refuse.add('/dev/ttyUSB0');
    const m = manager(dev, opener);
    m.ports.start();
    await flush();
    expect(attempts).toHaveLength(1);
    expect(m.ports.status()).toEqual([{ path: '/dev/ttyUSB0', open: false, failures: 1, lastError: 'EBUSY: /dev/ttyUSB0' }]);
    vi.setSystemTime(Date.now() + 999);
    m.ports.scan();
    await flush();
    expect(attempts).toHaveLength(1); // still inside the first backoff (1 s)
    vi.setSystemTime(Date.now() + 1);
    m.ports.scan();
    await flush();
    expect(attempts).toHaveLength(2);
    vi.setSystemTime(Date.now() + 1999);
    m.ports.scan();
    await flush();
    expect(attempts).toHaveLength(2); // the second backoff is 2 s
    vi.setSystemTime(Date.now() + 1);
    m.ports.scan();
    await flush();
    expect(attempts).toHaveLength(3);
    vi.setSystemTime(Date.now() + 3999);
    m.ports.scan();
    await flush();
    expect(attempts).toHaveLength(3); // the third is 4 s
    refuse.clear();
    vi.setSystemTime(Date.now() + 1);
    m.ports.scan();
    await flush();
    expect(attempts).toHaveLength(4);
    expect(m.ports.status()).toEqual([{ path: '/dev/ttyUSB0', open: true, failures: 0 }]);
  });

  it('an unplugged port emits close and is reopened when it comes back; stop() closes what is open', async () => {
    const dev = new FakeDev();
    dev.links.set('/dev/ttyACM0', '/dev/ttyACM0');
    const { opener, opened } = fakeOpener();
    const m = manager(dev, opener, { maxBackoffMs: 0 });
    m.ports.start();
    await flush();
    dev.links.delete('/dev/ttyACM0');
    opened[0]!.unplug(new Error('device disconnected'));
    expect(m.closes).toHaveLength(1);
    m.ports.scan();
    await flush();
    expect(opened).toHaveLength(1); // gone from /dev: nothing to open
    dev.links.set('/dev/ttyACM0', '/dev/ttyACM0');
    m.ports.scan();
    await flush();
    expect(opened).toHaveLength(2);
    await m.ports.stop();
    expect(opened[1]!.closed).toBe(true);
  });
});
