/**
 * The kiosk's root view: a discreet header (counter, officer, connectivity
 * dot that also opens the hidden settings page), the citizen's screen, the
 * accessibility toggles, notices for screen readers and sighted users.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { OptionProblem, StaffSettings } from '../identity/kiosk-options.ts';
import { messages } from '../i18n/messages.ts';
import type { Lang } from '../i18n/messages.ts';
import type { KioskRuntime, KioskSnapshot } from '../runtime/kiosk-runtime.ts';
import { CitizenScreen } from './citizen-screen.tsx';
import { DossierScan, useWedgeScanner } from './dossier-scan.tsx';
import { SettingsPage, type PinLockStore } from './settings-page.tsx';

/** Taps on the dot, within `SECRET_WINDOW_MS`, that open the settings page. */
const SECRET_TAPS = 5;
const SECRET_WINDOW_MS = 3000;

function useSnapshot(runtime: KioskRuntime): KioskSnapshot {
  const [snapshot, setSnapshot] = useState(runtime.snapshot);
  useEffect(() => {
    setSnapshot(runtime.snapshot);
    return runtime.subscribe(setSnapshot);
  }, [runtime]);
  return snapshot;
}

function StatusDot({ snapshot, onSecret }: { snapshot: KioskSnapshot; onSecret: () => void }) {
  const m = messages(snapshot.options.lang);
  const taps = useRef<number[]>([]);
  const pending = snapshot.stats.pending;
  const label = `${m.link[snapshot.link]}${pending > 0 ? `, ${m.pending(pending)}` : ''}`;
  return (
    <button
      type="button"
      class="dot-button"
      title={label}
      aria-label={label}
      data-testid="status-dot"
      data-link={snapshot.link}
      onClick={() => {
        const now = Date.now();
        taps.current = [...taps.current.filter((t) => now - t < SECRET_WINDOW_MS), now];
        if (taps.current.length >= SECRET_TAPS) {
          taps.current = [];
          onSecret();
        }
      }}
    >
      <span class={`dot ${snapshot.link}`} aria-hidden="true" />
    </button>
  );
}

function Speaker() {
  return (
    <svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M4 9v6h4l5 4V5L8 9H4z" fill="currentColor" />
      <path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
    </svg>
  );
}

/** The running kiosk. */
export function KioskView(props: {
  runtime: KioskRuntime;
  onSave: (patch: StaffSettings) => void;
  onReset: () => void;
  pinLock: PinLockStore;
}) {
  const { runtime } = props;
  const snapshot = useSnapshot(runtime);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const lang = snapshot.options.lang;
  const m = messages(lang);
  const now = Date.now();
  const t = snapshot.terminal;
  // The receipt's code may be scanned whenever the citizen screen is up (not while staff use settings).
  useWedgeScanner(runtime, snapshot.ready && !settingsOpen && snapshot.conflict === undefined);
  const place = [snapshot.counterName, snapshot.officerName === undefined ? undefined : m.officer(snapshot.officerName)]
    .filter((x) => x !== undefined)
    .join(' · ');
  const notice = snapshot.fault ? m.storeFailed : t.notice?.kind === 'gated' ? m.notOpen : t.notice?.kind === 'recorded' ? m.recorded : '';
  const announce = t.screen.kind === 'thanks' ? m.thanks : notice;
  return (
    <div class={`kiosk${snapshot.contrast ? ' hc' : ''}`} lang={lang}>
      <header class="top">
        <span class="place">{place}</span>
        <StatusDot snapshot={snapshot} onSecret={() => setSettingsOpen(true)} />
      </header>
      {snapshot.conflict !== undefined ? (
        <main data-screen="conflict">
          <div class="problem" role="alert" data-testid="device-conflict">
            <h1>{m.conflictTitle}</h1>
            <p>{m.conflictDetail(snapshot.options.terminal)}</p>
            <button type="button" class="tool" onClick={() => runtime.reconnect()}>
              {m.conflictRetry}
            </button>
          </div>
        </main>
      ) : snapshot.ready ? (
        <>
          <CitizenScreen runtime={runtime} state={t} lang={lang} now={now} />
          {t.screen.kind === 'rate' ? (
            <DossierScan runtime={runtime} scanned={t.scanned} refused={snapshot.scanRefused} lang={lang} now={now} />
          ) : null}
        </>
      ) : (
        <main data-screen="loading" aria-busy="true" />
      )}
      <footer class="bottom">
        <button
          type="button"
          class="tool"
          aria-pressed={snapshot.contrast ? 'true' : 'false'}
          aria-label={m.contrastToggle}
          onClick={() => runtime.toggleContrast()}
        >
          <span aria-hidden="true">A+</span>
        </button>
        <button
          type="button"
          class="tool"
          aria-pressed={snapshot.voice ? 'true' : 'false'}
          aria-label={m.voiceToggle}
          onClick={() => runtime.toggleVoice()}
        >
          <Speaker />
        </button>
        <span class="brand" aria-hidden="true">
          hailong
        </span>
      </footer>
      {notice !== '' ? (
        <div class={`notice${snapshot.fault ? ' fault' : ''}`} role={snapshot.fault ? 'alert' : undefined} data-testid="notice">
          {notice}
        </div>
      ) : null}
      <p class="sr-only" role="status" aria-live="polite">
        {announce}
      </p>
      {settingsOpen ? (
        <SettingsPage
          snapshot={snapshot}
          pinLock={props.pinLock}
          onSave={props.onSave}
          onReset={props.onReset}
          onReconnect={() => runtime.reconnect()}
          onClose={() => setSettingsOpen(false)}
        />
      ) : null}
    </div>
  );
}

/** Shown instead of the kiosk when its identity is missing or wrong: no vote can be stored. */
export function ConfigProblem({ problems, lang }: { problems: readonly OptionProblem[]; lang: Lang }) {
  const m = messages(lang);
  return (
    <div class="kiosk" lang={lang}>
      <main data-screen="not-configured">
        <div class="problem" role="alert">
          <h1>{m.notConfigured}</h1>
          <p>{m.askStaff}</p>
          <ul>
            {problems.map((p) => (
              <li key={p.option}>{m.problem(p)}</li>
            ))}
          </ul>
        </div>
      </main>
    </div>
  );
}
