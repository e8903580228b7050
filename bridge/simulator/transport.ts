/**
 * The byte-transport seam between a virtual terminal and its "cable": the
 * terminal only writes bytes and receives bytes, exactly like the UART of a
 * real button box, so the same terminal code runs over a socat pty
 * (PtyTransport) or in-process (createStreamPair).
 */

/** Incoming bytes, in arrival order, chunked arbitrarily. */
export type DataListener = (bytes: Uint8Array) => void;

/** `true` when the cable is usable (device open), `false` when it went away. */
export type LinkListener = (up: boolean) => void;

/** What a virtual terminal needs from its serial line. */
export interface TerminalTransport {
  /**
   * Sends bytes. Never throws and never blocks: while the link is down the
   * bytes are lost, as they are when a UART drives an unplugged cable.
   */
  write(bytes: Uint8Array): void;
  /** Sets the receiver of incoming bytes (one receiver; a later call replaces it). */
  onData(listener: DataListener): void;
  /** Sets the link-state listener (informative: the protocol itself never relies on it). */
  onLink(listener: LinkListener): void;
  /** True while bytes written can reach the other end's port. */
  readonly up: boolean;
  /** A short name for logs: the device path, or `stream:<name>`. */
  readonly name: string;
  /** Closes the line for good (stops any reopening). */
  close(): Promise<void>;
}
