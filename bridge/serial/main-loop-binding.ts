/**
 * A serialport binding whose reads and writes run on the main loop instead of
 * the libuv threadpool (issue 14: the threadpool hops were ~10 % of the
 * bridge's CPU per vote).
 *
 * `@serialport/bindings-cpp` on Linux opens the port O_NONBLOCK, waits for
 * it with a `uv_poll` (epoll, in the main loop) but then reads and writes it
 * with `fs.read` / `fs.write`, each a threadpool job, a promise and, for a
 * read tried before the data was there, an EAGAIN round trip
 * (`@serialport/bindings-cpp/dist/unix-read.js`). The fd is non-blocking, so
 * a read after the poller said "readable" (or any write) returns at once:
 * this binding keeps bindings-cpp for open (lock, termios), close, list, the
 * modem lines and its poller, and does the read and the write itself with
 * `readSync` / `writeSync` on that fd, waiting on the same poller only when
 * the kernel has nothing (read) or no room (write): EAGAIN. Reading first
 * and waiting second is bindings-cpp's order too; waiting first cost one box
 * with a window ~30 % of its votes/s (issue 14, measured side by side). Errors keep
 * bindings-cpp's meaning: a read or write error disconnects the stream, a
 * wait cut short by `close` is `canceled` (the binding contract,
 * `@serialport/bindings-interface`). Other platforms keep the stock binding.
 */
// First: the packages below create their debug loggers as they load (debug-silencer.ts says why).
import '../debug-silencer.ts';
import { readSync, writeSync } from 'node:fs';
import type { SerialPort } from 'serialport';

/** serialport's detected binding (bindings-cpp: Linux, macOS or Windows). */
type Binding = typeof SerialPort.binding;
/** One of its open ports. */
type BasePort = Awaited<ReturnType<Binding['open']>>;
/** bindings-cpp's Linux and macOS ports: an O_NONBLOCK fd and a uv_poll on it. */
type PollablePort = Extract<BasePort, { poller: unknown }>;

const isPollable = (port: BasePort): port is PollablePort =>
  typeof (port as Partial<PollablePort>).fd === 'number' && typeof (port as Partial<PollablePort>).poller?.once === 'function';

const wouldBlock = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR';
};

/** A closed port's pending read: `canceled`, which the stream ignores (bindings-interface). */
const canceled = (): Error => Object.assign(new Error('Port is not open'), { canceled: true });

/** One open port: bindings-cpp's, with main-loop reads and writes. */
class MainLoopPort {
  private writing: Promise<void> | null = null;

  constructor(private readonly port: PollablePort) {}

  get openOptions() {
    return this.port.openOptions;
  }

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  private wait(event: 'readable' | 'writable'): Promise<void> {
    return new Promise((resolve, reject) => this.port.poller.once(event, (error: Error | null) => (error ? reject(error) : resolve())));
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (!this.isOpen) throw new Error('Port is not open');
    for (;;) {
      const fd = this.port.fd;
      if (fd === null) throw canceled();
      let bytesRead = -1;
      try {
        bytesRead = readSync(fd, buffer, offset, length, null);
      } catch (error) {
        if (!wouldBlock(error)) throw error;
      }
      if (bytesRead > 0) return { buffer, bytesRead };
      // End of file on a tty is a hang-up (a vanished pty, USB
      // gone): end the port rather than poll a dead fd for ever.
      if (bytesRead === 0) throw new Error('the serial port hung up (read returned end of file)');
      await this.wait('readable');
    }
  }

  write(buffer: Buffer): Promise<void> {
    if (!this.isOpen) return Promise.reject(new Error('Port is not open'));
    this.writing = this.writeAll(buffer).finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  private async writeAll(buffer: Buffer): Promise<void> {
    let offset = 0;
    while (offset < buffer.length) {
      const fd = this.port.fd;
      if (fd === null) throw new Error('Port is not open');
      try {
        offset += writeSync(fd, buffer, offset, buffer.length - offset);
      } catch (error) {
        if (!wouldBlock(error)) throw error;
        await this.wait('writable');
      }
    }
  }

  close(): Promise<void> {
    return this.port.close();
  }
  update(options: Parameters<PollablePort['update']>[0]): Promise<void> {
    return this.port.update(options);
  }
  set(options: Parameters<PollablePort['set']>[0]): Promise<void> {
    return this.port.set(options);
  }
  get(): ReturnType<PollablePort['get']> {
    return this.port.get();
  }
  getBaudRate(): Promise<{ baudRate: number }> {
    return this.port.getBaudRate();
  }
  flush(): Promise<void> {
    return this.port.flush();
  }
  async drain(): Promise<void> {
    await this.writing;
    return this.port.drain();
  }
}

/** `base` (serialport's detected binding) with main-loop reads and writes where its ports expose a pollable fd (Linux, macOS). */
export function mainLoopBinding(base: Binding): Binding {
  const binding = {
    list: () => base.list(),
    async open(options: Parameters<Binding['open']>[0]) {
      const port = await (base.open as (o: typeof options) => Promise<BasePort>)(options);
      return isPollable(port) ? new MainLoopPort(port) : port;
    },
  };
  // The stream calls only the binding contract (bindings-interface), which
  // MainLoopPort implements; its type names bindings-cpp's classes.
  return binding as unknown as Binding;
}
