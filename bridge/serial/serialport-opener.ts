/**
 * The real serial adapter: `serialport` 13. Opens a port exclusively (so two
 * bridges never share a box), and reports the port's disappearance (USB
 * unplugged, pty closed) through `onClose` exactly once.
 */
// First: the packages below create their debug loggers as they load (debug-silencer.ts says why).
import '../debug-silencer.ts';
import { SerialPort } from 'serialport';
import { mainLoopBinding } from './main-loop-binding.ts';
import type { PortHandle, PortOpener } from './port-handle.ts';

/** serialport's binding with reads and writes on the main loop, not the threadpool (main-loop-binding.ts). */
const binding = mainLoopBinding(SerialPort.binding);

/** Opens `path` with serialport: 8N1, no flow control (PROTOCOL.md §2). */
export const openSerialPort: PortOpener = (path, baudRate) =>
  new Promise((resolve, reject) => {
    const port = new SerialPort({
      path,
      baudRate,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      rtscts: false,
      xon: false,
      xoff: false,
      autoOpen: false,
      lock: true,
      binding,
    } as ConstructorParameters<typeof SerialPort>[0]);
    port.open((error) => {
      if (error) {
        reject(error);
        return;
      }
      let closed = false;
      const closeListeners: ((error?: Error) => void)[] = [];
      const fireClose = (e?: Error) => {
        if (closed) return;
        closed = true;
        for (const l of closeListeners) l(e);
      };
      // An unplugged USB device or a vanished pty surfaces as an error
      // (EIO) and/or a close with `disconnected`; either ends the handle.
      port.on('close', (e?: Error) => fireClose(e ?? undefined));
      port.on('error', (e: Error) => {
        fireClose(e);
        if (port.isOpen) port.close(() => undefined);
      });
      const handle: PortHandle = {
        write(bytes) {
          if (!closed && port.isOpen) port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        },
        onData(listener) {
          port.on('data', (chunk: Buffer) => listener(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
        },
        onClose(listener) {
          closeListeners.push(listener);
        },
        close() {
          return new Promise((done) => {
            if (!port.isOpen) {
              fireClose();
              done();
              return;
            }
            port.close(() => {
              fireClose();
              done();
            });
          });
        },
      };
      resolve(handle);
    });
  });
