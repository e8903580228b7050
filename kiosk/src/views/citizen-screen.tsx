/**
 * What the citizen sees: the question and the level buttons, the optional
 * follow-up ("Chưa hài lòng về điều gì?"), and the thank-you. The level
 * buttons stay in place on the thank-you screen (dimmed), so that the
 * second half of a double tap lands on a level and is recorded as a
 * `cooldown`-filtered press, as on a button box, instead of vanishing.
 */
import { useLayoutEffect } from 'preact/hooks';
import type { Level } from '../../../core/index.ts';
import { gateOpen } from '../terminal/terminal-machine.ts';
import type { TerminalState } from '../terminal/terminal-machine.ts';
import { levelLabel, messages, reasonText } from '../i18n/messages.ts';
import type { Lang } from '../i18n/messages.ts';
import type { KioskRuntime } from '../runtime/kiosk-runtime.ts';
import { Check, Face, LEVEL_TONES } from './faces.tsx';

interface Props {
  readonly runtime: KioskRuntime;
  readonly state: TerminalState;
  readonly lang: Lang;
  readonly now: number;
}

function LevelButtons({ runtime, state, lang, dim }: Props & { dim: boolean }) {
  const m = messages(lang);
  const chosen = state.screen.kind === 'thanks' ? state.screen.level : undefined;
  return (
    <ul class={`levels${dim ? ' dim' : ''}`} role="list" aria-label={m.levelsGroup}>
      {state.settings.scale.levels.map((level: Level) => (
        <li key={level.key} style={{ display: 'contents' }}>
          <button
            type="button"
            class={`level${chosen === level.key ? ' chosen' : ''}`}
            style={{ '--tone': LEVEL_TONES[level.key] }}
            aria-label={levelLabel(level, lang)}
            data-level={level.key}
            onClick={() => void runtime.tap(level.key)}
          >
            <Face level={level.key} />
            <span class="label" aria-hidden="true">
              {levelLabel(level, lang)}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function Countdown({ until, now }: { until: number; now: number }) {
  const left = Math.max(0, until - now);
  // Keyed by the deadline so that a restarted window restarts the bar.
  return (
    <div class="countdown" aria-hidden="true">
      <span key={until} style={{ animationDuration: `${left}ms` }} />
    </div>
  );
}

function Reasons({ runtime, state, lang, now }: Props) {
  const m = messages(lang);
  if (state.screen.kind !== 'reasons') return null;
  const chosen = state.screen.chosen;
  return (
    <>
      <h1 id="hl-reasons-q">{m.reasonsQuestion}</h1>
      <p class="sub">{m.reasonsHint}</p>
      <div class="reasons" role="group" aria-labelledby="hl-reasons-q">
        {state.settings.reasons.map((id) => (
          <button
            type="button"
            key={id}
            class="reason"
            data-reason={id}
            aria-pressed={chosen.includes(id) ? 'true' : 'false'}
            onClick={() => runtime.toggleReason(id)}
          >
            {reasonText(id, lang)}
          </button>
        ))}
      </div>
      <div class="actions">
        <button type="button" class="action" data-action="skip" onClick={() => void runtime.finishReasons(true)}>
          {m.skip}
        </button>
        <button type="button" class="action primary" data-action="send" onClick={() => void runtime.finishReasons(false)}>
          {m.send}
        </button>
      </div>
      <Countdown until={state.screen.until} now={now} />
    </>
  );
}

function Thanks({ lang }: { lang: Lang }) {
  const m = messages(lang);
  // Marks the moment the thank-you is in the DOM: `npm run bench` reads tap → thank-you from it.
  useLayoutEffect(() => {
    try {
      globalThis.performance?.measure?.('hailong:tap-to-thanks', 'hailong:tap');
    } catch {
      // no tap mark (e.g. the follow-up timed out): nothing to measure
    }
  }, []);
  return (
    <div class="thanks" data-screen="thanks">
      <Check />
      <h1>{m.thanks}</h1>
      <p>{m.thanksDetail}</p>
    </div>
  );
}

/** The citizen's screen for the current state. */
export function CitizenScreen(props: Props) {
  const { state, lang, now } = props;
  const m = messages(lang);
  const screen = state.screen;
  if (screen.kind === 'reasons') {
    return (
      <main data-screen="reasons">
        <Reasons {...props} />
      </main>
    );
  }
  const gated = state.settings.mode === 'gated';
  const open = gateOpen(state, now);
  return (
    <main data-screen={screen.kind === 'thanks' ? 'thanks' : open ? 'rate' : 'waiting'}>
      {screen.kind === 'thanks' ? (
        <Thanks lang={lang} />
      ) : (
        <>
          <h1>{gated ? (open ? m.gatedOpen : m.gatedWaiting) : m.question}</h1>
          {gated && open && state.gate.ticket !== undefined ? <span class="ticket">{m.ticket(state.gate.ticket)}</span> : null}
        </>
      )}
      <LevelButtons {...props} dim={screen.kind === 'thanks' || !open} />
      {gated && open && screen.kind === 'rate' ? <Countdown until={state.gate.until} now={now} /> : null}
    </main>
  );
}
