/**
 * Comments cite public sources (RFCs, datasheets, upstream issues with their
 * repository) or documents in this repository (docs/ARCHITECTURE.md,
 * "Conventions"): never notes a reader of the repository cannot open, nor
 * hearsay. This scans every tracked source file for the citations that
 * slipped in before.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');

/** Citations a reader of the repository cannot follow. */
const VAGUE: readonly RegExp[] = [
  /FIELD-NOTES|field notes/, // the team's working notes: not in the repository
  /\/work\/shared|\/work\/notes/, // a path on one machine
  /stack ?overflow|\bsee (the )?forum|someone (said|says|reported)|\b(a|some) blog\b/i,
];

/** This file names the patterns it looks for. */
const EXEMPT = [/^test\/build\/citations\.test\.ts$/];

function sources(): string[] {
  const out = execFileSync(
    'git',
    ['ls-files', '-z', '--', '*.ts', '*.tsx', '*.mjs', '*.c', '*.h', '*.sh', '*.css', '*.html', '*.md', '*.yaml'],
    { cwd: repo, encoding: 'utf8' },
  );
  return out.split('\0').filter((f) => f !== '' && !EXEMPT.some((e) => e.test(f)));
}

/** `file:line: text` of every line that matches a vague citation. */
function vagueCitations(files: readonly string[], read: (file: string) => string): string[] {
  const found: string[] = [];
  for (const file of files) {
    read(file)
      .split('\n')
      .forEach((line, i) => {
        if (VAGUE.some((re) => re.test(line))) found.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  return found;
}

describe('citations', () => {
  it('finds the kinds of citation it forbids', () => {
    const text: Record<string, string> = {
      'a.ts': '// MQTT.js stores are not durable (FIELD-NOTES, "MQTT.js")\nconst x = 1;',
      'b.md': 'As someone said on a forum, see StackOverflow.',
      'c.ts': '// mqttjs/MQTT.js#2015 (a public issue): fine',
    };
    expect(vagueCitations(Object.keys(text), (f) => text[f]!)).toEqual([
      'a.ts:1: // MQTT.js stores are not durable (FIELD-NOTES, "MQTT.js")',
      'b.md:1: As someone said on a forum, see StackOverflow.',
    ]);
  });

  it('no tracked source or document cites notes outside the repository or hearsay', () => {
    const files = sources();
    expect(files.length).toBeGreaterThan(100);
    expect(vagueCitations(files, (f) => readFileSync(join(repo, f), 'utf8'))).toEqual([]);
  });
});
