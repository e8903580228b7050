/**
 * What `hailong ports` shows an installer: every serial port with its
 * stable /dev/serial/by-id name and USB vendor/product/serial, and, when
 * probed, the hailong box that answers on it (uid, model, firmware) — the
 * uid to put in the config.
 */
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { portCandidates } from './port-candidates.ts';
import { FrameDecoder } from '../../firmware-protocol/src/frame-decoder.ts';
import type { HelloMessage } from '../../firmware-protocol/src/message.ts';
import type { PortOpener } from './port-handle.ts';

/** One serial port as listed. */
export interface ListedPort {
  readonly path: string;
  /** /dev/serial/by-id names pointing at it. */
  readonly byId: readonly string[];
  readonly manufacturer?: string;
  readonly vendorId?: string;
  readonly productId?: string;
  readonly serialNumber?: string;
}

/** Where the by-id links live on Linux (udev). */
export const BY_ID_DIR = '/dev/serial/by-id';

/** by-id names per device path. */
export function byIdNames(dir = BY_ID_DIR): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    try {
      const real = realpathSync(join(dir, name));
      out.set(real, [...(out.get(real) ?? []), join(dir, name)]);
    } catch {
      // A link whose device just vanished (re-enumeration): skip it.
    }
  }
  return out;
}

function readAttr(dir: string, name: string): string | undefined {
  try {
    const text = readFileSync(join(dir, name), 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/**
 * USB descriptors of a tty from sysfs: the USB device directory is an
 * ancestor of /sys/class/tty/<name>/device holding idVendor. Read directly
 * (not through `udevadm`, which serialport's list() needs and which minimal
 * installs and containers lack).
 */
export function usbInfo(
  device: string,
  sysfs = '/sys/class/tty',
): Pick<ListedPort, 'manufacturer' | 'vendorId' | 'productId' | 'serialNumber'> {
  let dir: string;
  try {
    dir = realpathSync(join(sysfs, basename(device), 'device'));
  } catch {
    return {};
  }
  for (let i = 0; i < 6 && dir !== '/'; i++, dir = dirname(dir)) {
    if (!existsSync(join(dir, 'idVendor'))) continue;
    const manufacturer = readAttr(dir, 'manufacturer');
    const vendorId = readAttr(dir, 'idVendor');
    const productId = readAttr(dir, 'idProduct');
    const serialNumber = readAttr(dir, 'serial');
    return {
      ...(manufacturer === undefined ? {} : { manufacturer }),
      ...(vendorId === undefined ? {} : { vendorId }),
      ...(productId === undefined ? {} : { productId }),
      ...(serialNumber === undefined ? {} : { serialNumber }),
    };
  }
  return {};
}

/** Lists USB serial ports (ttyACM*, ttyUSB*, by-id) and `extraPaths` (e.g. ptys), with USB descriptors. */
export async function listPorts(extraPaths: readonly string[] = []): Promise<ListedPort[]> {
  const ids = byIdNames();
  const devices = new Set<string>();
  for (const c of portCandidates('auto', [])) devices.add(c.realPath);
  const out: ListedPort[] = [...devices].sort().map((path) => ({ path, byId: ids.get(path) ?? [], ...usbInfo(path) }));
  for (const path of extraPaths) if (!out.some((p) => p.path === path)) out.push({ path, byId: [] });
  return out;
}

/** The outcome of listening on a port for a HELLO. */
export type ProbeResult = { readonly ok: true; readonly hello: HelloMessage } | { readonly ok: false; readonly reason: string };

/**
 * Opens `path` and waits up to `timeoutMs` for a HELLO (a box repeats it
 * every 2 s until a bridge answers; opening the port may also reset an
 * Arduino-style board, which then boots and says HELLO).
 */
export async function probePort(opener: PortOpener, path: string, baudRate: number, timeoutMs: number): Promise<ProbeResult> {
  let handle;
  try {
    handle = await opener(path, baudRate);
  } catch (error) {
    const message = (error as Error).message;
    return { ok: false, reason: /lock|busy|resource temporarily/i.test(message) ? 'busy (is a hailong bridge using it?)' : message };
  }
  const decoder = new FrameDecoder({ raw: false });
  try {
    return await new Promise<ProbeResult>((resolve) => {
      const timer = setTimeout(
        () => resolve({ ok: false, reason: `no HELLO within ${timeoutMs / 1000} s (not a hailong box, or wrong baud rate)` }),
        timeoutMs,
      );
      handle.onData((chunk) => {
        for (const r of decoder.push(chunk)) {
          if (r.ok && r.value.type === 'HELLO') {
            clearTimeout(timer);
            resolve({ ok: true, hello: r.value });
          }
        }
      });
      handle.onClose(() => {
        clearTimeout(timer);
        resolve({ ok: false, reason: 'port closed while listening' });
      });
    });
  } finally {
    await handle.close();
  }
}
