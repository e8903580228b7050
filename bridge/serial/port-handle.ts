/**
 * The serial adapter seam: an open port as the bridge sees it. The real
 * one wraps `serialport`; tests and the in-process demo pass their own
 * opener, so sessions and the port manager never import serialport.
 */

/** An open serial port. */
export interface PortHandle {
  /** Writes bytes; dropped silently once the port has closed. */
  write(bytes: Uint8Array): void;
  /** Registers the byte sink (one per port). */
  onData(listener: (chunk: Uint8Array) => void): void;
  /** Registers the close listener: called once, when the port goes away or is closed. */
  onClose(listener: (error?: Error) => void): void;
  /** Closes the port. */
  close(): Promise<void>;
}

/** Opens `path` at `baudRate`; rejects when the port cannot be opened. */
export type PortOpener = (path: string, baudRate: number) => Promise<PortHandle>;
