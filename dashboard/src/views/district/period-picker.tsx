/** The period picker: today … year as toggle buttons, and a custom date range. */
import { useState } from 'preact/hooks';
import type { Signal } from '@preact/signals';
import type { Messages } from '../../i18n/messages.ts';
import { PERIOD_CHOICES } from '../../period/period-choice.ts';
import type { PeriodChoice, PeriodChoiceKind } from '../../period/period-choice.ts';

const LABEL: Readonly<Record<PeriodChoiceKind, keyof Messages>> = {
  today: 'periodToday',
  week: 'periodWeek',
  month: 'periodMonth',
  quarter: 'periodQuarter',
  half: 'periodHalf',
  year: 'periodYear',
  custom: 'periodCustom',
};

/** Edits `choice`; `range` pre-fills the custom dates. */
export function PeriodPicker(props: { choice: Signal<PeriodChoice>; t: Messages; range: { from: string; to: string } }) {
  const { choice, t } = props;
  const [from, setFrom] = useState(choice.value.from ?? props.range.from);
  const [to, setTo] = useState(choice.value.to ?? props.range.to);
  const kind = choice.value.kind;
  return (
    <div class="bar-row" role="group" aria-label={t.period}>
      {PERIOD_CHOICES.map((k) => (
        <button
          key={k}
          type="button"
          aria-pressed={kind === k}
          onClick={() => (choice.value = k === 'custom' ? { kind: k, from, to } : { kind: k })}
        >
          {t[LABEL[k]]}
        </button>
      ))}
      {kind === 'custom' && (
        <form
          class="bar-row"
          style={{ margin: 0 }}
          onSubmit={(e) => {
            e.preventDefault();
            choice.value = { kind: 'custom', from, to };
          }}
        >
          <label class="field">
            {t.from}
            <input type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
          </label>
          <label class="field">
            {t.to}
            <input type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit" class="primary">
            {t.apply}
          </button>
        </form>
      )}
    </div>
  );
}
