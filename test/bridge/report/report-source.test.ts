import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HubArchive } from '../../../bridge/hub/hub-archive.ts';
import { hubSource } from '../../../bridge/report/report-source.ts';
import { revocationMessages } from '../../../core/revocation.ts';
import { hubConfig, vote } from '../hub/hub-fixtures.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("a hub's report source", () => {
  it('leaves out the votes a unit revoked, as an office report does, whichever arrived first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hailong-report-source-'));
    dirs.push(dir);
    const archive = new HubArchive({ path: join(dir, 'archive.db') });
    archive.open();
    const [revocation] = revocationMessages(
      { district: 'ba-dinh', ward: 'phuc-xa' },
      { id: 2, at: 1, by: 'Phạm Thu', reason: 'Bấm thử', terminal: 'hop-1', votes: ['hop-1:2', 'hop-1:3'] },
    );
    // The revocation overtakes vote 3 on the WAN.
    const [v1, v2, v3] = [1, 2, 3].map((s) => vote('phuc-xa', s));
    const other = vote('truc-bach', 2); // the same id in another unit is not revoked
    for (const v of [v1, v2, other])
      await archive.store({ type: 'vote', unit: v!.ward, id: v!.id, pressedAt: v!.pressedAt, payload: JSON.stringify(v) });
    await archive.store({ type: 'revocation', unit: 'phuc-xa', revocation: revocation! });
    await archive.store({ type: 'vote', unit: 'phuc-xa', id: v3!.id, pressedAt: v3!.pressedAt, payload: JSON.stringify(v3) });
    const source = hubSource(hubConfig(dir), archive);
    const { votes, bad } = source.votes(0, Number.MAX_SAFE_INTEGER);
    source.close();
    expect(bad).toBe(0);
    expect(votes.map((v) => `${v.ward}/${v.id}`).sort()).toEqual(['phuc-xa/hop-1:1', 'truc-bach/hop-1:2']);
  });
});
