/**
 * Turns a terminal-machine effect into an outbox write: a `record` becomes a
 * vote of this kiosk's terminal (with the session's officer when the tap
 * named none), a `finalize` closes a stored draft with its reasons.
 *
 * Separate from kiosk-runtime.ts because it is the one place a vote's
 * fields are assembled; the runtime only sequences it before the thank-you.
 */
import type { Session } from '../../../core/index.ts';
import type { KioskOptions } from '../identity/kiosk-options.ts';
import type { Outbox } from '../outbox/outbox.ts';
import type { Effect } from '../terminal/terminal-machine.ts';

/** Stores `effect` in `outbox`; resolves with the seq of a recorded vote, undefined for a finalize. */
export async function storeEffect(
  outbox: Outbox,
  options: KioskOptions,
  session: Session | undefined,
  effect: Effect,
  now: number,
): Promise<number | undefined> {
  if (effect.type === 'finalize') {
    if (effect.draft > 0) await outbox.finalize(effect.draft, effect.reasons);
    return undefined;
  }
  const r = effect.record;
  const officer = r.officer ?? session?.officer ?? undefined;
  const vote = await outbox.record(
    {
      district: options.district,
      ward: options.ward,
      counter: options.counter,
      terminal: options.terminal,
      level: r.level,
      pressedAt: r.pressedAt,
      draft: r.draft,
      ...(r.draftUntil === undefined ? {} : { draftUntil: r.draftUntil }),
      ...(r.filtered === undefined ? {} : { filtered: r.filtered }),
      ...(r.ticket === undefined ? {} : { ticket: r.ticket }),
      ...(r.dossier === undefined ? {} : { dossier: r.dossier, ...(r.stage === undefined ? {} : { stage: r.stage }) }),
      ...(officer === undefined ? {} : { officer }),
    },
    now,
  );
  return vote.seq;
}
