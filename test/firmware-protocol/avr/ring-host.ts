/**
 * The firmware's vote ring (vote_ring.c over the queued EEPROM writer) on a
 * fake EEPROM, driven through build/host/ring_host. Power cuts tear a chosen
 * byte write; `boot` re-scans the EEPROM like a reboot.
 */
import { hostProgram, makeTarget } from './avr-build.ts';
import { LineProcess } from './line-process.ts';

/** Votes the ring holds (HL_RING_SLOTS, src/hl_config.h; PROTOCOL.md §7.4). */
export const RING_SLOTS = 147;

/** How the byte being written when power dies ends up (hal_host.h). */
export const TEAR_MODES = { old: 0, erased: 1, partial: 2, done: 3 } as const;

/** A stored vote as the ring reports it; `pressedAt` is null after a reboot. */
export interface StoredVote {
  seq: number;
  button: number;
  flags: number;
  pressedAt: number | null;
  reason: number;
}

function parseVote(line: string): StoredVote | null {
  const parts = line.split(' ');
  if (parts[1] === '-') return null;
  return {
    seq: Number(parts[1]),
    button: Number(parts[2]),
    flags: Number(parts[3]),
    pressedAt: parts[4] === '-' ? null : Number(parts[4]),
    reason: Number(parts[5]),
  };
}

/** A running ring_host. */
export class RingHost {
  private readonly proc: LineProcess;

  private constructor() {
    this.proc = new LineProcess(hostProgram('ring_host'));
  }

  /** Builds (if needed) and starts ring_host with a blank (erased) EEPROM. */
  static start(): RingHost {
    makeTarget('host-tests');
    return new RingHost();
  }

  private async one(cmd: string): Promise<string> {
    const [line] = await this.proc.request(cmd, () => true);
    return line!;
  }

  /** Power-on and ring scan (converting a firmware 1.1 EEPROM first). */
  async boot(): Promise<{ next: number; pending: number }> {
    const r = await this.cutBoot(-1, 0);
    if (r === 'cut') throw new Error('power lost during boot without a cut armed');
    return r;
  }

  /** Power-on with the (n+1)-th byte write of the boot torn per `mode`: 'cut' when that write happened. */
  async cutBoot(n: number, mode: number): Promise<{ next: number; pending: number } | 'cut'> {
    const line = await this.one(n < 0 ? 'boot' : `cutboot ${n} ${mode}`);
    if (line === 'P') return 'cut';
    const [, next, pending] = line.split(' ');
    return { next: Number(next), pending: Number(pending) };
  }

  /** Stores and ACKs `n` votes (button 1), quickly. */
  async spin(n: number): Promise<void> {
    await this.one(`spin ${n}`);
  }

  /** Lets the fake clock run `ms`, with the ring's housekeeping. */
  async wait(ms: number): Promise<void> {
    await this.one(`wait ${ms}`);
  }

  /** Stores a vote and waits for its writes; the seq, 0 when full, or 'cut' if power died. */
  async append(button: number, flags = 0, reason = 0): Promise<number | 'cut'> {
    const line = await this.one(`append ${button} ${flags} ${reason}`);
    return line === 'P' ? 'cut' : Number(line.split(' ')[1]);
  }

  /** The oldest pending vote, or null. */
  async oldest(): Promise<StoredVote | null> {
    return parseVote(await this.one('oldest'));
  }

  /** The pending vote with the lowest seq above `seq`, or null. */
  async after(seq: number): Promise<StoredVote | null> {
    return parseVote(await this.one(`after ${seq}`));
  }

  /** ACKs the oldest pending vote: its seq, null if none, or 'cut'. */
  async ack(): Promise<number | null | 'cut'> {
    const line = await this.one('ack');
    if (line === 'P') return 'cut';
    const seq = line.split(' ')[1];
    return seq === '-' ? null : Number(seq);
  }

  /** Every pending vote, oldest first, by ACKing them one by one (destructive). */
  async drain(): Promise<StoredVote[]> {
    const out: StoredVote[] = [];
    for (let v = await this.oldest(); v !== null; v = await this.oldest()) {
      out.push(v);
      await this.ack();
    }
    return out;
  }

  /** WELCOME's mark (§7.6): whether the ring renumbered, and its next seq; or 'cut'. */
  async mark(n: number): Promise<{ renumbered: boolean; next: number } | 'cut'> {
    const line = await this.one(`mark ${n}`);
    if (line === 'P') return 'cut';
    const [, r, next] = line.split(' ');
    return { renumbered: r === '1', next: Number(next) };
  }

  /** Power dies during the (n+1)-th byte write from now. */
  async cut(n: number, mode: number): Promise<void> {
    await this.proc.request(`cut ${n} ${mode}\nsync`, (l) => l === '.');
  }

  /** Completed byte writes since the last boot. */
  async writes(): Promise<number> {
    return Number((await this.one('writes')).split(' ')[1]);
  }

  /** The EEPROM image as hex. */
  async eeprom(): Promise<string> {
    return (await this.one('ee')).slice(2);
  }

  /** Replaces the EEPROM image. */
  async setEeprom(hex: string): Promise<void> {
    await this.proc.request(`eeset ${hex}\nsync`, (l) => l === '.');
  }

  /** Stops the process. */
  close(): Promise<void> {
    return this.proc.close();
  }
}
