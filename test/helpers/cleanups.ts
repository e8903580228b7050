/**
 * Undo after each test: a test pushes what it started (a process, a
 * browser, a temp dir) and the list is run last first once it ends, passed
 * or failed, so the next test starts on a clean machine.
 */
import { afterEach } from 'vitest';

/** Things to undo after each test, last first. */
export type Cleanups = (() => Promise<void> | void)[];

/** A list of cleanups run (last first) after each test of the file that calls this at its top level. */
export function cleanupsAfterEach(): Cleanups {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return cleanups;
}
