/**
 * The C codec (firmware-protocol/avr/src) as the TypeScript tests see it:
 * drives build/host/codec_host and turns its tab-separated answers into the
 * same shapes the TypeScript codec returns, so results compare with
 * toStrictEqual. Field conversion follows SCHEMAS, the TS table, so a C
 * table that disagrees shows up as a mismatch.
 */
import { SCHEMAS, type MessageType } from '../../../firmware-protocol/src/message.ts';
import type { DecodeResult } from '../../../firmware-protocol/src/error.ts';
import { hostProgram, makeTarget } from './avr-build.ts';
import { LineProcess } from './line-process.ts';

/** A decode result reduced to what both codecs must agree on. */
export type Outcome =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; code: string; field: string | undefined; type: string | undefined; seq: number | undefined };

/** Reduces a TypeScript DecodeResult to an Outcome (the message text and raw line are free-form). */
export function outcomeOf(r: DecodeResult): Outcome {
  return r.ok ? { ok: true, value: { ...r.value } } : { ok: false, code: r.code, field: r.field, type: r.type, seq: r.seq };
}

/** Parses one codec_host result line. */
export function parseOutcome(line: string): Outcome {
  const parts = line.split('\t');
  if (parts[0] === 'err') {
    return {
      ok: false,
      code: parts[1]!,
      field: parts[2],
      type: parts[3] === '-' ? undefined : parts[3],
      seq: parts[4] === '-' ? undefined : Number(parts[4]),
    };
  }
  if (parts[0] !== 'ok') throw new Error(`codec_host said "${line}"`);
  const type = parts[1] as MessageType;
  const value: Record<string, unknown> = { type };
  for (const [i, spec] of SCHEMAS[type].entries()) {
    const kv = parts[2 + i];
    // An optional trailing field the frame did not carry is absent on both sides (§10).
    if (kv === undefined && 'optional' in spec && spec.optional === true) break;
    const eq = kv?.indexOf('=') ?? -1;
    if (kv === undefined || kv.slice(0, eq) !== spec.name) throw new Error(`codec_host field ${i} of ${type} is "${kv}"`);
    const text = kv.slice(eq + 1);
    switch (spec.kind) {
      case 'num':
        value[spec.name] = Number(text);
        break;
      case 'nullable':
        value[spec.name] = text === 'null' ? null : Number(text);
        break;
      case 'bool':
        value[spec.name] = text === 'true';
        break;
      default:
        value[spec.name] = text;
    }
  }
  return { ok: true, value };
}

function hex(data: Uint8Array): string {
  return Buffer.from(data).toString('hex');
}

/** A running codec_host. */
export class CCodec {
  private readonly proc: LineProcess;

  private constructor() {
    this.proc = new LineProcess(hostProgram('codec_host'));
  }

  /** Builds (if needed) and starts codec_host. */
  static start(): CCodec {
    makeTarget('host-tests');
    return new CCodec();
  }

  /** Decodes each line (no terminator) with the C decoder. */
  async decodeMany(lines: readonly Uint8Array[]): Promise<Outcome[]> {
    if (lines.length === 0) return [];
    const n = lines.length;
    const answer = await this.proc.request(lines.map((l) => `F ${hex(l)}`).join('\n'), (_l, all) => all.length === n);
    return answer.map(parseOutcome);
  }

  /** Pushes bytes through the C stream receiver; returns the results of the lines they completed. */
  async stream(data: Uint8Array): Promise<Outcome[]> {
    const answer = await this.proc.request(`S ${hex(data)}`, (l) => l === '.');
    return answer.slice(0, -1).map(parseOutcome);
  }

  /** Resets the stream receiver (between independent streams). */
  async resetStream(): Promise<void> {
    await this.proc.request('R', (l) => l === '.');
  }

  /** CRC-16 of the bytes, as 4 hex digits. */
  async crc(data: Uint8Array): Promise<string> {
    const [line] = await this.proc.request(`C ${hex(data)}`, () => true);
    return line!;
  }

  /** Encodes with the C encoder: fields are numbers or strings in wire order. */
  async encode(type: string, fields: readonly (number | string)[]): Promise<string> {
    const args = fields.map((f) => (typeof f === 'number' ? `n${f}` : `s${f}`)).join(' ');
    const [line] = await this.proc.request(`E ${type} ${args}`, () => true);
    return line!;
  }

  /** Stops the process. */
  close(): Promise<void> {
    return this.proc.close();
  }
}
