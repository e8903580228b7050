import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTally } from '../../../core/tally.ts';
import { Journal } from '../../../bridge/journal/journal.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  // A failed or timed-out test must not leave its append loop running.
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs the append loop, SIGKILLs it after `acks` ACK lines, returns every ACK it printed. */
function crashAfter(path: string, acks: number): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'append-forever.ts'), path, '4'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const acked = new Map<string, number>();
    let seen = 0;
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const [, uid, seq] = line.split(' ');
        acked.set(uid as string, Number(seq));
        seen += 1;
        if (seen === acks) child.kill('SIGKILL');
      }
    });
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`append loop exited with ${code}: ${stderr}`));
    });
  });
}

describe('journal durability under kill -9', () => {
  it('every ACKed vote survives, and marks, votes and tallies agree after each crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hailong-crash-'));
    dirs.push(dir);
    const path = join(dir, 'journal.db');
    const everAcked = new Map<string, number>();
    for (const acks of [150, 400, 1000]) {
      const acked = await crashAfter(path, acks);
      for (const [uid, seq] of acked) everAcked.set(uid, Math.max(everAcked.get(uid) ?? 0, seq));
      const j = new Journal({ path });
      j.open();
      let total = 0;
      for (const [uid, seq] of everAcked) {
        // Durable before ACK: the mark covers every acknowledged seq…
        expect(j.highWaterMark(uid)).toBeGreaterThanOrEqual(seq);
        total += j.highWaterMark(uid);
      }
      // …and every seq up to the mark is stored exactly once (the loop never skips).
      const rows = j.outbox(0, 1_000_000);
      expect(rows.length).toBe(total);
      expect(new Set(rows.map((r) => r.payload)).size).toBe(total);
      const talliedVotes = j
        .tallies()
        .map((t) => parseTally(JSON.stringify(t)))
        .reduce((n, t) => n + (t.ok ? Object.values(t.value.days).reduce((m, d) => m + d.c.reduce((a, b) => a + b, 0), 0) : 0), 0);
      expect(talliedVotes).toBe(total);
      j.close();
    }
  });
});
