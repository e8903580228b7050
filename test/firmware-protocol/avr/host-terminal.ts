/**
 * The whole terminal firmware (terminal.c and below) on the host with a
 * fake clock, driven through build/host/terminal_host: tests play the
 * bridge with the TypeScript codec and read what the box sent, with
 * millisecond timestamps from the fake clock. Every frame the box sends
 * must decode with the reference codec, or the test fails.
 */
import { decode } from '../../../firmware-protocol/src/decode.ts';
import { encode } from '../../../firmware-protocol/src/encode.ts';
import type { ConfigMessage, Message } from '../../../firmware-protocol/src/message.ts';
import { hostProgram, makeTarget } from './avr-build.ts';
import { freshEeprom } from './eeprom-image.ts';
import { LineProcess } from './line-process.ts';

/** The CONFIG tests send unless they need another: the reference 4-button box, OPEN mode. */
export const DEFAULT_CONFIG: ConfigMessage = {
  type: 'CONFIG',
  buttons: 4,
  cooldownMs: 0,
  mode: 'OPEN',
  windowMs: 30000,
  leds: true,
  buzzer: true,
};

/** A frame the box sent. */
export interface Sent {
  /** Fake-clock ms when its LF left the UART. */
  readonly at: number;
  readonly line: string;
  readonly msg: Message;
}

/** Output pins after a change. */
export interface Outputs {
  readonly at: number;
  /** Bit i = LED of button i+1. */
  readonly leds: number;
  readonly status: boolean;
  readonly buzzer: boolean;
}

/** Options of HostTerminal.start. */
export interface HostTerminalOptions {
  /**
   * uid programmed in the EEPROM identity block.
   * @default 'HL328P-HOST0001'
   */
  readonly uid?: string;
  /**
   * Buttons fitted (identity block; 0 = firmware default 4).
   * @default 0
   */
  readonly buttons?: number;
  /**
   * Transforms the factory-new EEPROM image before power-on (e.g. adds a 1.1 ring with pending votes).
   * @default none
   */
  readonly eeprom?: (image: Uint8Array) => Uint8Array;
  /**
   * The send window the box asks for in HELLO (its Wmax, §7.6, §7.7); the firmware asks 16.
   * @default 16
   */
  readonly window?: number;
}

/** A running terminal_host. */
export class HostTerminal {
  /** Every frame sent since start, in order. */
  readonly sent: Sent[] = [];
  /** Every output change since start. */
  readonly outputs: Outputs[] = [];
  /** Fake-clock times of power cuts. */
  readonly powerCuts: number[] = [];
  private readonly proc: LineProcess;
  /** ms since the box's last power-on (the C side's clock). */
  private clock = 0;
  /** Time of the last power-on on the test's timeline, which spans reboots. */
  private offset = 0;
  /** Power was cut: the C clock is stopped until the next reboot. */
  private dead = false;

  private constructor() {
    this.proc = new LineProcess(hostProgram('terminal_host'));
  }

  /** Builds (if needed), starts, provisions the EEPROM and powers the box on (POWERON). */
  static async start(options: HostTerminalOptions = {}): Promise<HostTerminal> {
    makeTarget('host-tests');
    const t = new HostTerminal();
    const fresh = freshEeprom(options.uid ?? 'HL328P-HOST0001', options.buttons ?? 0);
    const image = options.eeprom === undefined ? fresh : options.eeprom(fresh);
    await t.command(`eeset ${Buffer.from(image).toString('hex')}`);
    if (options.window !== undefined) await t.command(`window ${options.window}`);
    await t.command('reset 1 0');
    return t;
  }

  /** The EEPROM image now. */
  async eeprom(): Promise<Uint8Array> {
    const lines = await this.proc.request('ee', () => true);
    return Uint8Array.from(Buffer.from(lines[0]!.slice(2), 'hex'));
  }

  /** Current time on the test's timeline (ms since the first power-on, across reboots). */
  get time(): number {
    return this.offset + this.clock;
  }

  /** Sends raw commands, then collects and records what the box did until "sync". */
  async command(commands: string): Promise<void> {
    const lines = await this.proc.request(`${commands}\nsync`, (l) => l === '.');
    for (const l of lines.slice(0, -1)) this.record(l);
  }

  private record(l: string): void {
    const [kind, at, ...rest] = l.split(' ');
    const t = this.offset + Number(at);
    if (kind === 'T') {
      const line = rest.join(' ');
      const r = decode(line);
      if (!r.ok) throw new Error(`the box sent a frame the reference codec rejects (${r.code}, ${r.field}): ${line}`);
      this.sent.push({ at: t, line, msg: r.value });
    } else if (kind === 'O') {
      this.outputs.push({ at: t, leds: Number(rest[0]), status: rest[1] === '1', buzzer: rest[2] === '1' });
    } else if (kind === 'P') {
      this.powerCuts.push(t);
      this.clock = Number(at);
      this.dead = true;
    } else if (kind === 'C') {
      // the C side's clock after a run or a power-on (a boot can take time: EEPROM writes)
      if (!this.dead) this.clock = Number(at);
    } else if (kind !== 'E') {
      throw new Error(`terminal_host said "${l}"`);
    }
  }

  /** Advances the fake clock by `ms` (it stops at a power cut). */
  async run(ms: number): Promise<void> {
    await this.command(`run ${ms}`);
  }

  /** Sets the raw button levels (bit i = button i+1 pressed). */
  async buttons(mask: number): Promise<void> {
    await this.command(`btn ${mask}`);
  }

  /** Presses `button` for `holdMs`, then releases it and lets `afterMs` pass. */
  async tap(button: number, holdMs = 80, afterMs = 60): Promise<void> {
    await this.buttons(1 << (button - 1));
    await this.run(holdMs);
    await this.buttons(0);
    await this.run(afterMs);
  }

  /** Delivers a message from the bridge (encoded by the reference codec). */
  async receive(m: Message): Promise<void> {
    await this.command(`rx ${encode(m).slice(0, -2)}`);
  }

  /** Delivers one line as it is written (a frame from the vectors, CRC included); CR LF is added. */
  async receiveLine(line: string): Promise<void> {
    await this.command(`rx ${line}`);
  }

  /** Sends the box back to the HELLO phase as its link-loss check does (§6.3), without 15 s of silence. */
  async loseLink(): Promise<void> {
    await this.command('hello');
  }

  /** Delivers raw bytes. */
  async receiveBytes(data: Uint8Array): Promise<void> {
    for (let i = 0; i < data.length; i += 2000) {
      await this.command(`rxhex ${Buffer.from(data.subarray(i, i + 2000)).toString('hex')}`);
    }
  }

  /** Plays the bridge's answer to HELLO: WELCOME,1 then CONFIG (§6.1), and lets 50 ms pass. */
  async welcome(config: Partial<ConfigMessage> = {}): Promise<void> {
    await this.receive({ type: 'WELCOME', proto: 1 });
    await this.receive({ ...DEFAULT_CONFIG, ...config });
    await this.run(50);
  }

  /** Lets `ms` pass while PINGing every 5 s like the bridge (§6.3), so the link stays up. */
  async keepAlive(ms: number): Promise<void> {
    for (let left = ms; left > 0; left -= 5000) {
      await this.receive({ type: 'PING', nonce: this.time });
      await this.run(Math.min(5000, left));
    }
  }

  /** Power dies during the (n+1)-th EEPROM byte write from now (mode: hal_host.h HL_TEAR_*). */
  async cutPowerAfterWrites(n: number, mode = 0): Promise<void> {
    await this.command(`cut ${n} ${mode}`);
  }

  /** The extended and high fuse bytes the chip returns from the next `reboot` on (default flash-isp's 0xFC, 0xD7). */
  async setFuses(efuse: number, hfuse: number): Promise<void> {
    await this.command(`fuses ${efuse.toString(16)} ${hfuse.toString(16)}`);
  }

  /** Power-on again (RAM lost, EEPROM kept) with MCUSR flags and Optiboot's r2. */
  async reboot(mcusr = 1, r2 = 0): Promise<void> {
    this.offset += this.clock;
    this.clock = 0;
    this.dead = false;
    await this.command(`reset ${mcusr} ${r2}`);
  }

  /** Frames sent at or after `since`, optionally of one type. */
  frames<T extends Message['type']>(type?: T, since = 0): (Sent & { msg: Extract<Message, { type: T }> })[] {
    return this.sent.filter((s) => s.at >= since && (type === undefined || s.msg.type === type)) as (Sent & {
      msg: Extract<Message, { type: T }>;
    })[];
  }

  /** The output state at the end of the history. */
  get lastOutputs(): Outputs {
    return this.outputs[this.outputs.length - 1] ?? { at: 0, leds: 0, status: false, buzzer: false };
  }

  /** Stops the process. */
  close(): Promise<void> {
    return this.proc.close();
  }
}
