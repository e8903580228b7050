/**
 * Alerts: active and recent episodes with an acknowledge button, desktop
 * notifications on request, the thresholds, and the diagnostics people can
 * see (invalid messages ignored, by error code).
 */
import { useState } from 'preact/hooks';
import { formatCount } from '../../../../core/index.ts';
import { alertText } from '../../alerts/alert-text.ts';
import type { AlertRules } from '../../alerts/rules.ts';
import type { AppState } from '../../state/app-state.ts';
import { fill } from '../../i18n/messages.ts';
import { formatMoment } from '../../i18n/format.ts';

const RULE_FIELDS: readonly [
  keyof AlertRules,
  'ruleWindow' | 'ruleMinVotes' | 'ruleUnhappy' | 'ruleOfflineGrace' | 'ruleStuffing',
  number,
][] = [
  ['windowMs', 'ruleWindow', 60_000],
  ['minVotes', 'ruleMinVotes', 1],
  ['unhappyPercent', 'ruleUnhappy', 1],
  ['offlineGraceMs', 'ruleOfflineGrace', 60_000],
  ['stuffingPresses', 'ruleStuffing', 1],
];

/** The alerts view. */
export function AlertsView(props: { app: AppState }) {
  const { app } = props;
  const t = app.t.value;
  const locale = app.lang.value;
  const alerts = app.alerts.value;
  const acked = app.acked.value;
  const rules = app.settings.value.rules;
  const now = app.clock.value;
  const [permission, setPermission] = useState(app.notifier?.permission() ?? 'unsupported');
  const store = app.store;
  return (
    <>
      <h2>{t.alertsTitle}</h2>
      <div class="bar-row">
        {permission === 'granted' ? (
          <span class="chip good">{t.notificationsOn}</span>
        ) : permission === 'denied' ? (
          <span class="chip muted">{t.notificationsBlocked}</span>
        ) : permission === 'default' ? (
          <button type="button" onClick={() => void app.notifier?.request().then(setPermission)}>
            {t.enableNotifications}
          </button>
        ) : null}
      </div>
      {alerts.length === 0 ? (
        <p class="panel">{t.noAlerts}</p>
      ) : (
        <ul class="alert-list" data-testid="alerts">
          {alerts.map((a) => {
            const done = !a.active || acked.has(a.id);
            return (
              <li key={a.id} class={done ? 'done' : ''} data-kind={a.kind}>
                <span class="num">{formatMoment(a.since, now, locale)}</span>
                <p>
                  {alertText(a, t, app.names, rules, now, locale)} · <em>{a.active ? t.activeNow : t.ended}</em>
                </p>
                {acked.has(a.id) ? (
                  <span class="muted">{t.acknowledged}</span>
                ) : (
                  <button type="button" onClick={() => app.acknowledge(a.id)}>
                    {t.acknowledge}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <details class="panel">
        <summary>
          <h3 style={{ display: 'inline' }}>{t.rulesTitle}</h3>
        </summary>
        <div class="bar-row">
          {RULE_FIELDS.map(([key, label, unit]) => (
            <label key={key} class="field">
              {t[label]}
              <input
                type="number"
                min={1}
                value={rules[key] / unit}
                style={{ width: '7rem' }}
                onChange={(e) => {
                  const n = Number((e.target as HTMLInputElement).value);
                  if (Number.isFinite(n) && n > 0) app.updateSettings((s) => ({ ...s, rules: { ...s.rules, [key]: n * unit } }));
                }}
              />
            </label>
          ))}
        </div>
      </details>
      <section class="panel" data-testid="diagnostics">
        <h3>{t.diagnostics}</h3>
        <p>{fill(t.messagesSeen, { n: formatCount(store.stats.messages, locale), d: formatCount(store.stats.duplicates, locale) })}</p>
        <p class={store.rejects.total > 0 ? 'bad' : ''} data-testid="rejected">
          {fill(t.rejected, { n: formatCount(store.rejects.total, locale) })}
          {store.rejects.total > 0 &&
            ` (${store.rejects
              .byCode()
              .map(([code, n]) => `${code}: ${n}`)
              .join(', ')})`}
        </p>
        {store.rejects.recent().length > 0 && (
          <ul class="muted" style={{ fontSize: '0.85rem' }}>
            {store.rejects
              .recent()
              .slice(0, 5)
              .map((r, i) => (
                <li key={i}>
                  {formatMoment(r.at, now, locale)} · <code>{r.topic}</code> · {r.code}: {r.message}
                </li>
              ))}
          </ul>
        )}
      </section>
    </>
  );
}
