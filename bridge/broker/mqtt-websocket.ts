/**
 * MQTT over WebSocket on an existing HTTP server: takes the `upgrade`
 * requests for one path, turns each WebSocket into a Node stream
 * (`ws.createWebSocketStream`, as the Aedes docs recommend) and hands it to
 * the broker. Other upgrade requests are left to other listeners.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Logger } from '../logger.ts';

/** Largest WebSocket message accepted (one MQTT packet; votes and tallies are a few KB). */
export const MAX_WEBSOCKET_MESSAGE_BYTES = 1 << 20;

/**
 * Receives each MQTT-over-WebSocket stream; returns false when the broker
 * is not running (the WebSocket is then closed with 1013, "try again later").
 */
export type MqttStreamHandler = (stream: Duplex, req: IncomingMessage) => boolean;

/** Undoes an attachment: stops taking upgrades and closes its WebSockets. */
export type Detach = () => void;

/**
 * Serves MQTT over WebSocket on `path` of `server` (any path when
 * undefined). An upgrade for another path is left to other `upgrade`
 * listeners, or answered 404 when there is none, so it does not hang.
 */
export function attachMqttWebSocket(server: HttpServer, path: string | undefined, handle: MqttStreamHandler, logger: Logger): Detach {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WEBSOCKET_MESSAGE_BYTES });
  wss.on('error', (error) => logger.warn({ err: error }, 'MQTT WebSocket server error'));
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (path !== undefined && pathnameOf(req.url) !== path) {
      if (server.listenerCount('upgrade') === 1) rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      // Aedes swaps its own error listeners in and out over a client's life;
      // this one makes sure a late socket error is never an unhandled event.
      stream.on('error', () => undefined);
      if (!handle(stream, req)) ws.close(1013, 'broker not running');
    });
  };
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('upgrade', onUpgrade);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}

function pathnameOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.on('error', () => undefined);
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}
