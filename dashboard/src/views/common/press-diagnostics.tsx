/**
 * Filtered presses (pressed again inside the cooldown, or outside a
 * service in gated mode) are a diagnostic for supervisors: they never count
 * in a percentage, and on the TV or a citizen-facing screen they read as
 * noise or as distrust of the citizens. So they live here, in a folded
 * diagnostics panel of the supervisor's views, per counter or per unit.
 */
import { useState } from 'preact/hooks';
import { formatCount } from '../../../../core/index.ts';
import type { Locale, Summary } from '../../../../core/index.ts';
import { fill } from '../../i18n/messages.ts';
import type { Messages } from '../../i18n/messages.ts';
import { CountTable } from './count-table.tsx';

/** One line of the panel: a counter or a unit and its summary. */
export interface PressLine {
  readonly key: string;
  readonly name: string;
  readonly summary: Summary;
}

/**
 * The folded panel; shows nothing when no press was filtered. Its table is
 * rendered only while open: at a hub it has a row per unit (100), which a
 * cold load would otherwise build for a closed panel.
 */
export function PressDiagnostics(props: { lines: readonly PressLine[]; t: Messages; locale: Locale; heading: string }) {
  const { lines, t, locale } = props;
  const [open, setOpen] = useState(false);
  const shown = lines.filter((l) => l.summary.filtered.cooldown + l.summary.filtered.gated > 0);
  if (shown.length === 0) return null;
  const all = shown.reduce((n, l) => n + l.summary.filtered.cooldown + l.summary.filtered.gated, 0);
  return (
    <details
      class="panel diagnostics"
      data-testid="press-diagnostics"
      open={open}
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>
        {t.diagnostics}: {props.heading} · {fill(t.filteredTotal, { n: formatCount(all, locale) })}
      </summary>
      <p class="muted">{t.filteredExplained}</p>
      {open && (
        <CountTable
          nameHeading={t.unit}
          headings={[t.filteredCooldown, t.filteredGated]}
          rowAttribute="key"
          rows={shown.map((l) => ({
            key: l.key,
            name: l.name,
            cells: [formatCount(l.summary.filtered.cooldown, locale), formatCount(l.summary.filtered.gated, locale)],
          }))}
        />
      )}
    </details>
  );
}
