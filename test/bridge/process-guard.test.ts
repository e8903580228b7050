import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FATAL_EXIT_CODE } from '../../bridge/process-guard.ts';

const guard = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'bridge', 'process-guard.ts');
const logger = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'bridge', 'logger.ts');

/** Runs a child process that installs the guards, then fails as `fail` says. */
function crash(fail: string): { status: number | null; lines: { level: number; msg: string; kind?: string; err?: { message: string } }[] } {
  const script = `
    import { installProcessGuards } from ${JSON.stringify(guard)};
    import { createLogger } from ${JSON.stringify(logger)};
    installProcessGuards(createLogger('hailong'));
    setTimeout(() => { ${fail} }, 10);
    setTimeout(() => {}, 5000); // would keep running without the guard's exit
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, HAILONG_LOG_FORMAT: 'json' },
    timeout: 30_000,
  });
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string });
  return { status: r.status, lines };
}

describe('installProcessGuards (issue 13, item 5)', () => {
  it('an uncaught exception is logged as one structured fatal line, and the process exits non-zero for systemd to restart it', () => {
    const r = crash(`throw new Error('boom in a timer')`);
    expect(r.status).toBe(FATAL_EXIT_CODE);
    const fatal = r.lines.filter((l) => l.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ kind: 'uncaught exception', err: { message: 'boom in a timer' } });
  });

  it('an unhandled rejection too', () => {
    const r = crash(`void Promise.reject(new Error('SQLITE_IOERR'))`);
    expect(r.status).toBe(FATAL_EXIT_CODE);
    expect(r.lines.filter((l) => l.level === 60)[0]).toMatchObject({
      kind: 'unhandled promise rejection',
      err: { message: 'SQLITE_IOERR' },
    });
  });
});
