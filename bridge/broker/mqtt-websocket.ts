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
 * Most bytes of queued MQTT packets the broker joins into one WebSocket
 * frame (a single larger write, e.g. a big payload, goes in a frame of its own).
 */
export const MAX_COALESCED_FRAME_BYTES = 64 * 1024;

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
      coalesceFrames(stream);
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

/**
 * Makes the stream send what was queued together as one WebSocket frame
 * (up to MAX_COALESCED_FRAME_BYTES). `ws.createWebSocketStream` sends every
 * `write` as its own frame, and mqtt-packet writes a PUBLISH as ~6 writes
 * (header, length, topic, id, payload): a browser then pays a frame event,
 * an IPC hop and a stream push for each piece (Chromium's native work and
 * MQTT.js's stream code: ~0.7 s of a hub dashboard's 2.2 s receive window
 * in a profile,
 * bench/hub-dashboard-cold-load.bench.ts, 8,408 frames for 1,400
 * messages; docs/ARCHITECTURE.md "The hub")). mqtt-packet corks the stream
 * for a tick around each packet (node_modules/mqtt-packet/writeToStream.js,
 * mqtt-packet 9), so with a `_writev` the writes of a tick, and whatever
 * queued while the socket was busy, arrive here at once. MQTT over
 * WebSocket allows it: "A single WebSocket data frame can contain multiple
 * or partial MQTT Control Packets" (MQTT 3.1.1 §6.0).
 */
export function coalesceFrames(stream: Duplex): void {
  const write = stream._write.bind(stream);
  stream._writev = (chunks, callback) => {
    const frames: Buffer[] = [];
    let parts: Buffer[] = [];
    let size = 0;
    for (const { chunk } of chunks) {
      const bytes = chunk as Buffer;
      if (size > 0 && size + bytes.length > MAX_COALESCED_FRAME_BYTES) {
        frames.push(Buffer.concat(parts, size));
        parts = [];
        size = 0;
      }
      parts.push(bytes);
      size += bytes.length;
    }
    frames.push(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size));
    let pending = frames.length;
    let failure: Error | null = null;
    for (const frame of frames) {
      // Node passes Buffers to _write with the encoding 'buffer' (ws ignores it).
      write(frame, 'buffer' as BufferEncoding, (error?: Error | null) => {
        failure ??= error ?? null;
        if (--pending === 0) callback(failure);
      });
    }
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
