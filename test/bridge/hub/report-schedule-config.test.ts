import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHubConfigText } from '../../../bridge/hub/load-hub-config.ts';

const example = readFileSync(join(import.meta.dirname, '..', '..', '..', 'hub.example.yaml'), 'utf8');

describe('hub config: reports (issue 15)', () => {
  it('defaults to packs in <dataDir>/reports and no e-mail; reads an smtp section', () => {
    const plain = parseHubConfigText(example, 'hub.yaml');
    expect(plain.ok && plain.config.reports).toEqual(expect.objectContaining({ dir: expect.any(String) }));
    const withSmtp = parseHubConfigText(
      `${example}\nreports:\n  dir: /srv/bao-cao\n  smtp:\n    host: mail.ba-dinh.example\n    from: hailong@ba-dinh.example\n    to: [vanphong@ba-dinh.example]\n`,
      'hub.yaml',
    );
    expect(withSmtp.ok, JSON.stringify(withSmtp)).toBe(true);
    if (withSmtp.ok)
      expect(withSmtp.config.reports).toEqual({
        dir: '/srv/bao-cao',
        smtp: { host: 'mail.ba-dinh.example', port: 587, secure: false, from: 'hailong@ba-dinh.example', to: ['vanphong@ba-dinh.example'] },
      });
  });

  it('names every problem of the smtp section with its path', () => {
    const bad = parseHubConfigText(
      `${example}\nreports:\n  smtp:\n    port: 99999\n    from: nobody\n    to: [ok@x.example, "not an address"]\n    username: u\n    colour: blue\n`,
      'hub.yaml',
    );
    expect(bad.ok).toBe(false);
    const text = JSON.stringify(bad);
    for (const path of [
      'reports.smtp.host',
      'reports.smtp.port',
      'reports.smtp.from',
      'reports.smtp.to[1]',
      'reports.smtp.colour',
      'reports.smtp',
    ])
      expect(text).toContain(path);
  });
});
