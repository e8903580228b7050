/**
 * Bytes written to a broker's port with no MQTT client in between: what a
 * flood, a truncated packet or a foreign device sends. The tests of the
 * broker's door (packet-size guard, connection gate, SECURITY.md) watch
 * whether the broker closes the socket.
 */
import { connect as tcpConnect } from 'node:net';

/** Opens a raw TCP connection to 127.0.0.1:`port`, writes `bytes`; resolves 'closed' when the broker closes it, 'open' after `ms`. */
export function rawSend(port: number, bytes: Buffer, ms = 5000): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1', () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('open');
    }, ms);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    socket.resume();
  });
}
