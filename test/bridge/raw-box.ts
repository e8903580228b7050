/**
 * A hand-driven box on the device end of a pty: writes exactly the frames a
 * test gives (what a foreign device, an impostor or a box before its first
 * CONFIG would send) and records every frame the bridge answers.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { encode } from '../../firmware-protocol/src/encode.ts';
import { FrameDecoder } from '../../firmware-protocol/src/frame-decoder.ts';
import type { Message } from '../../firmware-protocol/src/message.ts';

/** A raw box and what it heard. */
export interface RawBox {
  /** Every decoded frame from the bridge, oldest first. */
  readonly heard: Message[];
  send(message: Message): Promise<void>;
  /** Resolves with the first frame heard from index `from` on that matches, or rejects after `timeoutMs`. */
  waitFor(match: (m: Message) => boolean, from?: number, timeoutMs?: number): Promise<Message>;
  close(): Promise<void>;
}

/** Opens `devicePath` (the device end of a socat pair) as a raw box. */
export async function openRawBox(devicePath: string): Promise<RawBox> {
  const file: FileHandle = await open(devicePath, 'r+');
  const decoder = new FrameDecoder({ raw: false });
  const heard: Message[] = [];
  let open_ = true;
  void (async () => {
    const buf = Buffer.alloc(1024);
    while (open_) {
      const { bytesRead } = await file.read(buf, 0, buf.length, null).catch(() => ({ bytesRead: 0 }));
      if (bytesRead === 0) return;
      for (const r of decoder.push(new Uint8Array(buf.subarray(0, bytesRead)))) if (r.ok) heard.push(r.value);
    }
  })();
  return {
    heard,
    async send(message) {
      await file.write(encode(message));
    },
    async waitFor(match, from = 0, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = heard.slice(from).find(match);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no matching frame within ${timeoutMs} ms; heard ${JSON.stringify(heard.slice(from))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      open_ = false;
      // A FileHandle closes only after its pending read: that ends when the pty goes (socat killed), so do not wait here.
      void file.close().catch(() => undefined);
    },
  };
}
