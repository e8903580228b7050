/**
 * `hailong ports`: lists serial ports (by-id names, USB vendor/product/
 * serial) and, with `--probe`, which hailong box answers on each.
 */
import { openSerialPort } from '../serial/serialport-opener.ts';
import { listPorts, probePort, type ListedPort, type ProbeResult } from '../serial/port-listing.ts';
import { parseCommand, processIo, type CommandIo } from './command-io.ts';

/** `hailong ports --help`. */
export const PORTS_HELP = `hailong ports: list serial ports and the rating boxes on them

Usage: hailong ports [--probe] [--seconds 5] [--baud 115200] [--port <path> …]

Options:
  --probe          Open each port and wait for the box's HELLO: shows its uid,
                   the value to put in the config (terminals: uid:)
  --seconds <n>    How long to wait for a HELLO per port (default 5)
  --baud <n>       Baud rate for --probe (default 115200)
  --port <path>    Also list this path (e.g. a pty); repeatable
  -h, --help       Show this help
`;

/** Formats the listing as a table-like text block. */
export function formatPorts(ports: readonly ListedPort[], probes: ReadonlyMap<string, ProbeResult> = new Map()): string {
  if (ports.length === 0) return 'Không thấy cổng serial nào / no serial ports found (is the box plugged in? try `dmesg | tail`)\n';
  const lines: string[] = [];
  for (const p of ports) {
    const usb = [
      p.manufacturer,
      p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : undefined,
      p.serialNumber ? `serial ${p.serialNumber}` : undefined,
    ]
      .filter((x) => x !== undefined)
      .join(', ');
    lines.push(`${p.path}${usb === '' ? '' : `  (${usb})`}`);
    for (const id of p.byId) lines.push(`  by-id: ${id}`);
    const probe = probes.get(p.path);
    if (probe?.ok === true) {
      // §7.7: a box that asks for a send window says how many votes it can keep in flight.
      const window = probe.hello.inFlight === undefined ? 'stop-and-wait' : `send window ${probe.hello.inFlight}`;
      lines.push(
        `  hailong box: uid ${probe.hello.uid}, model ${probe.hello.model}, firmware ${probe.hello.firmware}, ${probe.hello.buttons} buttons, ${probe.hello.pending} votes pending, ${window}`,
      );
    } else if (probe !== undefined) lines.push(`  probe: ${probe.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `hailong ports`; resolves with the exit code. */
export async function runPorts(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  const args = parseCommand(
    argv,
    {
      probe: { type: 'boolean' },
      seconds: { type: 'string' },
      baud: { type: 'string' },
      port: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    PORTS_HELP,
    io,
  );
  if ('exit' in args) return args.exit;
  const { values } = args;
  const seconds = Number(values.seconds ?? '5');
  const baud = Number(values.baud ?? '115200');
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 120) {
    io.stderr('"--seconds" must be a number of seconds, 0..120\n');
    return 2;
  }
  if (!Number.isInteger(baud) || baud <= 0) {
    io.stderr('"--baud" must be a positive integer\n');
    return 2;
  }
  const ports = await listPorts(values.port ?? []);
  const probes = new Map<string, ProbeResult>();
  if (values.probe === true) {
    io.stderr(`Listening for HELLO on ${ports.length} port(s) for up to ${seconds} s…\n`);
    await Promise.all(ports.map(async (p) => probes.set(p.path, await probePort(openSerialPort, p.path, baud, seconds * 1000))));
  }
  io.stdout(formatPorts(ports, probes));
  return 0;
}
