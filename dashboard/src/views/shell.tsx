/**
 * The app shell: skip link, title, navigation (keyboard: plain links and
 * buttons in tab order), live/offline status, language toggle, sign-out,
 * the "mất kết nối, số liệu lúc hh:mm" banner, and the current view.
 */
import { useEffect } from 'preact/hooks';
import type { AppState } from '../state/app-state.ts';
import { fill } from '../i18n/messages.ts';
import { formatMoment } from '../i18n/format.ts';
import { routeHash } from '../router/route.ts';
import type { View } from '../router/route.ts';
import { AlertsView } from './alerts/alerts-view.tsx';
import { DistrictView } from './district/district-view.tsx';
import { OfficeView } from './office/office-view.tsx';
import { PrintView } from './reports/print-view.tsx';
import { ReportsView } from './reports/reports-view.tsx';
import { SignIn } from './sign-in.tsx';
import { TvView } from './tv/tv-view.tsx';

const TABS: readonly [View, 'navOffice' | 'navDistrict' | 'navAlerts' | 'navReports' | 'navTv'][] = [
  ['office', 'navOffice'],
  ['district', 'navDistrict'],
  ['alerts', 'navAlerts'],
  ['reports', 'navReports'],
  ['tv', 'navTv'],
];

/** Live / connecting / offline status, and the banner when figures are not live. */
export function ConnectionBanner(props: { app: AppState }) {
  const { app } = props;
  const t = app.t.value;
  const state = app.connection.value;
  const asOf = app.asOf.value;
  if (app.signIn.value !== null) return null;
  if (state === 'online' || (state === 'connecting' && !app.hydrated.value)) return null;
  if (state === 'connecting' && asOf === null) return null;
  const text = asOf === null ? t.disconnectedNoData : fill(t.disconnectedAt, { time: formatMoment(asOf, app.clock.value, app.lang.value) });
  return (
    <p class="banner bad" role="status" data-testid="offline-banner">
      {state === 'connecting' && app.liveData.value ? t.connecting : text}
    </p>
  );
}

function StatusChip(props: { app: AppState }) {
  const { app } = props;
  const t = app.t.value;
  const state = app.connection.value;
  const live = state === 'online';
  return (
    <span class="chip" data-testid="connection" data-state={state}>
      <span class={`dot ${live ? 'online' : state === 'connecting' || state === 'idle' ? '' : 'offline'}`} aria-hidden="true" />
      {live ? t.live : state === 'connecting' || state === 'idle' ? t.connecting : t.offline}
    </span>
  );
}

// Its own component: alerts change every second while votes flow, the shell must not re-render with them.
function AlertsBadge(props: { app: AppState }) {
  const open = props.app.openAlerts.value.length;
  return open > 0 ? <span class="badge">{open}</span> : null;
}

/** The whole app. */
export function App(props: { app: AppState }) {
  const { app } = props;
  const route = app.route.value;
  const t = app.t.value;
  const lang = app.lang.value;
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `hailong · ${t.appTitle}`;
  }, [lang]);
  if (route.view === 'tv') return <TvView app={app} />;
  if (route.view === 'print') return <PrintView app={app} />;
  const signedIn = app.settings.value.username !== undefined;
  let view;
  switch (route.view) {
    case 'district':
      view = <DistrictView app={app} />;
      break;
    case 'alerts':
      view = <AlertsView app={app} />;
      break;
    case 'reports':
      view = <ReportsView app={app} />;
      break;
    default:
      view = <OfficeView app={app} />;
  }
  return (
    <div lang={lang}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t.skipToContent}
      </a>
      <header class="top">
        <div class="brand">
          <h1>{t.appTitle}</h1>
          <p>{t.appSubtitle}</p>
        </div>
        <nav class="tabs" aria-label={t.appTitle}>
          {TABS.map(([v, label]) => (
            <a
              key={v}
              href={routeHash(v === 'office' ? { view: v, ward: app.selection.officeWard.value } : { view: v })}
              aria-current={route.view === v ? 'page' : undefined}
            >
              {t[label]}
              {v === 'alerts' && <AlertsBadge app={app} />}
            </a>
          ))}
        </nav>
        <div class="tools">
          <StatusChip app={app} />
          <button
            type="button"
            lang={lang === 'vi' ? 'en' : 'vi'}
            aria-label={t.languageToggleLabel}
            onClick={() => app.setLang(lang === 'vi' ? 'en' : 'vi')}
          >
            {t.languageToggle}
          </button>
          {signedIn && (
            <button type="button" onClick={() => void app.signOut()}>
              {t.signOut}
            </button>
          )}
        </div>
      </header>
      <ConnectionBanner app={app} />
      {app.update.value !== null && (
        <p class="banner warn" role="status">
          {t.updateReady}{' '}
          <button type="button" onClick={() => app.update.value?.()}>
            {t.reload}
          </button>
        </p>
      )}
      <main id="main" tabIndex={-1}>
        {app.signIn.value !== null ? <SignIn app={app} /> : view}
      </main>
    </div>
  );
}
