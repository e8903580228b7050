import { describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../bridge/commands/command-io.ts';
import { runRevoke } from '../../../bridge/commands/revoke.ts';

function io(): CommandIo & { err: () => string } {
  let err = '';
  return { env: {}, stdout: () => undefined, stderr: (t) => void (err += t), err: () => err };
}

describe('hailong revoke: what it refuses before touching the journal', () => {
  it('refuses a reason or a name the hub could not take as typed (line breaks, invisible characters, too long), naming the option', async () => {
    const out = io();
    const code = await runRevoke(
      [
        '--config',
        '/nonexistent/hailong.yaml',
        '--terminal',
        'kiosk-1',
        '--ids',
        'kiosk-1:4',
        '--reason',
        'dòng 1\ndòng 2',
        '--by',
        'x'.repeat(121),
      ],
      out,
    );
    expect(code).toBe(2);
    expect(out.err()).toMatch(/"--reason" contains a line break/);
    expect(out.err()).toMatch(/"--by" must be 1–120 characters, got 121/);
  });
});
