/** Local targets: one per district, and per-ward overrides (default: the office's target, 80%). */
import { useState } from 'preact/hooks';
import { formatPercent } from '../../../../core/index.ts';
import type { AppState } from '../../state/app-state.ts';
import { fill } from '../../i18n/messages.ts';

function clampPercent(text: string): number | undefined {
  const n = Number(text.replace(',', '.'));
  return text.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 100 ? n : undefined;
}

/**
 * The collapsible targets form. Saved on change, remembered on this PC. The
 * per-ward rows are rendered only while it is open: closed (the default) it
 * does not follow the ward list, which grows by one for each of a hub's
 * units as their `_office` arrive on a cold load.
 */
export function TargetsEditor(props: { app: AppState; districts: readonly string[] }) {
  const { app } = props;
  const [open, setOpen] = useState(false);
  const t = app.t.value;
  const targets = app.settings.value.targets;
  const set = (kind: 'districts' | 'wards', key: string, text: string) => {
    const value = clampPercent(text);
    app.updateSettings((s) => {
      const next = { ...s.targets[kind] };
      if (value === undefined) delete next[key];
      else next[key] = value;
      return { ...s, targets: { ...s.targets, [kind]: next } };
    });
  };
  return (
    <details class="panel" open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>
        <h3 style={{ display: 'inline' }}>{t.targets}</h3>
      </summary>
      {props.districts.map((d) => (
        <p key={d}>
          <label class="field">
            {app.names.district(d)} — {t.districtTarget}
            <input
              type="number"
              min={0}
              max={100}
              step={0.1}
              value={targets.districts[d] ?? ''}
              placeholder="80"
              onChange={(e) => set('districts', d, (e.target as HTMLInputElement).value)}
            />
          </label>
        </p>
      ))}
      {open && <WardTargets app={app} set={set} />}
    </details>
  );
}

function WardTargets(props: { app: AppState; set: (kind: 'wards', key: string, text: string) => void }) {
  const { app, set } = props;
  const t = app.t.value;
  const locale = app.lang.value;
  const targets = app.settings.value.targets;
  return (
    <table class="data">
      <tbody>
        {app.wardList.value.map((w) => (
          <tr key={w}>
            <td class="unit">{app.names.ward(w)}</td>
            <td>
              <label>
                <span class="muted">
                  {fill(t.targetDefault, { value: formatPercent(app.names.officeTarget(w), { locale, digits: 0 }) })}{' '}
                </span>
                <input
                  type="number"
                  min={0}
                  max={100}
                  step={0.1}
                  aria-label={`${t.wardTarget}: ${app.names.ward(w)}`}
                  value={targets.wards[w] ?? ''}
                  style={{ width: '6rem' }}
                  onChange={(e) => set('wards', w, (e.target as HTMLInputElement).value)}
                />
              </label>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
