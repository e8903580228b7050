/**
 * What the kiosk says aloud: the question with its choices, and the prompt
 * for each screen change (follow-up, thank-you, gate opened). Pure: the
 * runtime speaks the text only when the citizen turned voice on.
 *
 * Separate from kiosk-runtime.ts because it is wording, not sequencing.
 */
import type { Lang } from '../i18n/messages.ts';
import { levelLabel, messages, reasonText } from '../i18n/messages.ts';
import { gateOpen, type TerminalState } from '../terminal/terminal-machine.ts';

/** The question (or, in gated mode before the gate opens, the waiting notice) followed by the choices. */
export function questionSpeech(state: TerminalState, lang: Lang, now: number): string {
  const m = messages(lang);
  const levels = state.settings.scale.levels.map((l) => levelLabel(l, lang)).join(', ');
  const q = state.settings.mode === 'gated' && !gateOpen(state, now) ? m.gatedWaiting : m.question;
  return `${q} ${levels}`;
}

/** The prompt for the change from `before` to `after`, or undefined when nothing is said. */
export function announcement(before: TerminalState, after: TerminalState, lang: Lang): string | undefined {
  const m = messages(lang);
  if (after.screen.kind === 'reasons' && before.screen.kind !== 'reasons') {
    return `${m.reasonsQuestion} ${after.settings.reasons.map((r) => reasonText(r, lang)).join(', ')}`;
  }
  if (after.screen.kind === 'thanks' && before.screen.kind !== 'thanks') return m.thanks;
  if (after.gate.until > before.gate.until) return m.gatedOpen;
  return undefined;
}
