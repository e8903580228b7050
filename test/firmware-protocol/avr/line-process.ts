/**
 * A child process spoken to in lines: each request writes command lines to
 * its stdin and collects answer lines until a predicate says the answer is
 * complete. Requests are answered in order, so many can be in flight (the
 * fuzz test pipelines 100,000 of them).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

interface Pending {
  readonly lines: string[];
  readonly done: (line: string, lines: readonly string[]) => boolean;
  readonly resolve: (lines: string[]) => void;
  readonly reject: (e: Error) => void;
}

/** A running line-protocol child process. */
export class LineProcess {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly queue: Pending[] = [];
  private stderr = '';
  private exited: string | undefined;

  /** Starts `file` with `args`. */
  constructor(file: string, args: readonly string[] = []) {
    this.proc = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    createInterface({ input: this.proc.stdout, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    this.proc.on('exit', (code, signal) => {
      this.exited = `${file} exited (code ${code}, signal ${signal}): ${this.stderr}`;
      for (const p of this.queue.splice(0)) p.reject(new Error(this.exited));
    });
    this.proc.on('error', (e) => {
      this.exited = `${file}: ${e.message}`;
      for (const p of this.queue.splice(0)) p.reject(new Error(this.exited));
    });
  }

  private onLine(line: string): void {
    const p = this.queue[0];
    if (p === undefined) return;
    p.lines.push(line);
    if (p.done(line, p.lines)) {
      this.queue.shift();
      p.resolve(p.lines);
    }
  }

  /** Sends `commands` (newline-joined) and resolves with the answer lines. */
  request(commands: string, done: (line: string, lines: readonly string[]) => boolean): Promise<string[]> {
    if (this.exited !== undefined) return Promise.reject(new Error(this.exited));
    return new Promise((resolve, reject) => {
      this.queue.push({ lines: [], done, resolve, reject });
      this.proc.stdin.write(commands.endsWith('\n') ? commands : commands + '\n');
    });
  }

  /** Closes stdin and waits for the process to end. */
  async close(): Promise<void> {
    if (this.exited !== undefined) return;
    await new Promise<void>((resolve) => {
      this.proc.once('exit', () => resolve());
      this.proc.stdin.end();
    });
  }
}
