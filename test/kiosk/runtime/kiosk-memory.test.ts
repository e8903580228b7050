/** What a kiosk keeps across reloads, in the real IndexedDB outbox. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../../core/index.ts';
import { openIdbOutbox } from '../../../kiosk/src/outbox/idb-outbox.ts';
import type { Outbox } from '../../../kiosk/src/outbox/outbox.ts';
import { recall, remember } from '../../../kiosk/src/runtime/kiosk-memory.ts';

const T0 = Date.UTC(2025, 4, 12, 2, 0, 0);
let n = 0;
const opened: Outbox[] = [];

afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});

/** A terminal of its own for each test, so databases never meet. */
function place() {
  n++;
  return { district: 'test', ward: `mem-${Date.now().toString(36)}-${n}`, counter: 'quay-1', terminal: 'kiosk-1' };
}

async function open(p: ReturnType<typeof place>): Promise<Outbox> {
  const o = await openIdbOutbox(p, { seqBase: 'zero' });
  opened.push(o);
  return o;
}

describe('kiosk memory', () => {
  it('a first start makes an install id and takes the terminal now; a reload keeps both', async () => {
    const p = place();
    const first = await recall(await open(p), T0);
    expect(first.installId).not.toBe('');
    expect(first.claimedAt).toBe(T0);
    expect([first.config, first.session, first.office]).toEqual([undefined, undefined, undefined]);
    const again = await recall(await open(p), T0 + 60_000);
    expect(again.installId).toBe(first.installId);
    expect(again.claimedAt).toBe(T0); // the earlier claim is what keeps the terminal
  });

  it('what the leader heard comes back after a reload', async () => {
    const p = place();
    const session: Session = { v: 1, officer: 'lan', name: 'Nguyễn Thị Lan', at: T0 };
    await remember(await open(p), 'session', session);
    expect((await recall(await open(p), T0)).session).toEqual(session);
  });
});
