/**
 * Two devices opened on one kiosk's address: they share the MQTT client id,
 * so the broker keeps knocking one off for the other (issue 12: 46 flips in
 * 20 s). Given our own retained status as another device published it, this
 * decides whether to ignore it, keep the terminal (we were first, core
 * keepsTerminal) or yield it.
 *
 * Separate from kiosk-runtime.ts because the decision is pure and the
 * runtime only carries it out.
 */
import { keepsTerminal, type Status } from '../../../core/index.ts';
import { CLAIM_FRESH_MS } from './terminal-topics.ts';

/** What to do about a status seen on our own status topic. */
export type ClaimOutcome = { readonly action: 'ignore' } | { readonly action: 'keep' | 'yield'; readonly other: string };

/** Decides about `status` for this device (`installId`, which took the terminal at `claimedAt`). */
export function claimOutcome(status: Status, now: number, installId: string, claimedAt: number | undefined): ClaimOutcome {
  const other = status.uid;
  if (status.state !== 'online' || other === undefined || other === installId || Math.abs(now - status.at) > CLAIM_FRESH_MS)
    return { action: 'ignore' };
  const mine = { uid: installId, ...(claimedAt === undefined ? {} : { claimedAt }) };
  const theirs = { uid: other, ...(status.claimedAt === undefined ? {} : { claimedAt: status.claimedAt }) };
  return { action: keepsTerminal(mine, theirs) ? 'keep' : 'yield', other };
}

/** The problem a kept or yielded claim shows staff, naming the other device and this kiosk's terminal id. */
export function claimProblem(outcome: { readonly action: 'keep' | 'yield'; readonly other: string }, terminal: string): string {
  return outcome.action === 'keep'
    ? `another device (${outcome.other}) was opened on this kiosk's address (${terminal}); this device was here first and keeps it`
    : `another device (${outcome.other}) was here first on this kiosk's address (${terminal}): this device stops`;
}
