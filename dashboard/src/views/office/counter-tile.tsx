/**
 * One counter's tile: the live % satisfied in large type, votes today, the
 * distribution bar, the last vote time, the terminals' state, the officer,
 * filtered presses apart, the target line, a box's low supply — and a
 * gentle pulse on each new vote. Figures are computed signals bound straight to text nodes and
 * attributes (@preact/signals), so a live vote updates a handful of DOM
 * nodes without a virtual-DOM diff; the tile re-renders only when its shape
 * changes (a terminal appears or drops, filtered presses start, the
 * language switches).
 */
import { computed } from '@preact/signals';
import type { ReadonlySignal } from '@preact/signals';
import { useMemo } from 'preact/hooks';
import { PERCENT_DIGITS, fewVotes, formatCount, formatDecimal, meetsTarget, percent } from '../../../../core/index.ts';
import { scaleOf } from '../../store/names.ts';
import { counterFigure, lastVoteAt } from '../../store/office-figures.ts';
import type { CounterFigure } from '../../store/office-figures.ts';
import type { AppState } from '../../state/app-state.ts';
import { fill } from '../../i18n/messages.ts';
import { formatMoment, formatTimeSeconds } from '../../i18n/format.ts';
import { LEVEL_COLORS } from '../../theme/palette.ts';
import { pct, satisfied } from '../common/figures.tsx';
import { reasonsLine } from '../common/reasons-panel.tsx';

/** The signals of one tile. */
interface TileModel {
  readonly figure: ReadonlySignal<CounterFigure>;
  readonly shape: ReadonlySignal<string>;
  readonly cls: ReadonlySignal<string>;
  readonly bigCls: ReadonlySignal<string>;
  readonly percent: ReadonlySignal<string>;
  /** "hài lòng hôm nay" under a percentage; nothing under "Chưa có lượt đánh giá". */
  readonly caption: ReadonlySignal<string>;
  /** The votes the percentage stands on, and "ít lượt" under the ward's minimum. */
  readonly basis: ReadonlySignal<string>;
  readonly basisCls: ReadonlySignal<string>;
  readonly gaugeCls: ReadonlySignal<string>;
  readonly gaugeStyle: ReadonlySignal<string>;
  readonly gaugeLabel: ReadonlySignal<string>;
  readonly targetStyle: ReadonlySignal<string>;
  readonly targetLine: ReadonlySignal<string>;
  readonly distLabel: ReadonlySignal<string>;
  readonly segments: readonly ReadonlySignal<string>[];
  readonly counts: readonly ReadonlySignal<string>[];
  readonly votes: ReadonlySignal<string>;
  readonly lastVote: ReadonlySignal<string>;
  readonly officer: ReadonlySignal<string>;
  readonly officerCls: ReadonlySignal<string>;
  /** Today's reasons for low ratings in words, '' when none. */
  readonly reasons: ReadonlySignal<string>;
  /**
   * `pulse a` / `pulse b` on alternate votes: switching the animation name
   * restarts the CSS animation without a forced reflow or a script animation.
   */
  readonly pulseCls: ReadonlySignal<string>;
}

function tileModel(app: AppState, key: string, digits: number): TileModel {
  const ward = key.split('/').slice(0, 2).join('/');
  const t = app.t;
  const locale = app.lang;
  const figure = computed(() => {
    void app.counterRev(key).value;
    void app.wardRev(ward).value;
    return counterFigure(app.store, key, app.today.value);
  });
  const scale = computed(() => {
    void app.wardRev(ward).value;
    return scaleOf(app.store.offices.get(ward));
  });
  const target = computed(() => {
    void app.settings.value;
    void app.wardRev(ward).value;
    return app.wardTarget(ward);
  });
  const value = computed(() => satisfied(figure.value.today, digits));
  const few = computed(() => {
    void app.wardRev(ward).value;
    return fewVotes(figure.value.today.total, app.names.minVotes(ward));
  });
  // Too few votes to judge: no "below target" alarm on 1 unhappy vote of 3.
  const below = computed(() => !few.value && meetsTarget(figure.value.today, target.value) === false);
  const targetText = computed(() => pct(target.value, locale.value, 0));
  const level = (i: number) =>
    computed(() => {
      const s = figure.value.today;
      const l = scale.value.levels[i];
      return l === undefined ? 0 : (s.counts[l.key] ?? 0);
    });
  const levelCounts = [0, 1, 2, 3, 4].map(level);
  return {
    figure,
    shape: computed(() => {
      const f = figure.value;
      return JSON.stringify([
        scale.value.id,
        f.terminals.map((x) => [
          x.id,
          x.state,
          x.state === 'offline' ? x.since : 0,
          x.conflict === true,
          x.supplyMv ?? 0,
          x.fusesMissing ?? [],
        ]),
      ]);
    }),
    cls: computed(() => (value.value === null ? 'tile empty' : below.value ? 'tile below' : 'tile')),
    bigCls: computed(() => (value.value === null ? 'big none' : below.value ? 'big bad' : 'big')),
    // No votes: said in words, not a big dash (a dash reads as a broken figure on the TV).
    percent: computed(() => (value.value === null ? t.value.noVotes : pct(value.value, locale.value, digits))),
    caption: computed(() => (value.value === null ? '' : t.value.satisfiedToday)),
    basis: computed(() => {
      const n = figure.value.today.total;
      if (n === 0) return '';
      const votes = fill(t.value.votesShort, { n: formatCount(n, locale.value) });
      return few.value ? `${votes} · ${t.value.fewVotes}` : votes;
    }),
    basisCls: computed(() => (few.value && figure.value.today.total > 0 ? 'basis few' : 'basis')),
    gaugeCls: computed(() => (below.value ? 'gauge below' : 'gauge')),
    gaugeStyle: computed(() => `width: ${value.value ?? 0}%`),
    gaugeLabel: computed(() => `${pct(value.value, locale.value, digits)} / ${t.value.target} ${targetText.value}`),
    targetStyle: computed(() => `left: calc(${target.value}% - 1px)`),
    targetLine: computed(() => `${fill(t.value.targetLine, { value: targetText.value })}${below.value ? ` · ${t.value.belowTarget}` : ''}`),
    distLabel: computed(() => {
      const total = figure.value.today.total;
      return scale.value.levels
        .map(
          (l, i) =>
            `${l.label[locale.value]}: ${formatCount(levelCounts[i]!.value, locale.value)} (${pct(percent(levelCounts[i]!.value, total, PERCENT_DIGITS.live), locale.value)})`,
        )
        .join('; ');
    }),
    segments: levelCounts.map((n) =>
      computed(() => {
        const total = figure.value.today.total;
        return total === 0 ? 'width: 0%' : `width: ${(n.value / total) * 100}%`;
      }),
    ),
    counts: levelCounts.map((n) => computed(() => formatCount(n.value, locale.value))),
    votes: computed(() => (figure.value.today.total > 0 ? formatCount(figure.value.today.total, locale.value) : t.value.noVotesToday)),
    lastVote: computed(() => {
      void app.pulse(key).value;
      const at = lastVoteAt(app.store, key, app.today.value) ?? figure.value.lastVoteAt;
      return at === null ? t.value.noLastVote : formatTimeSeconds(at);
    }),
    officer: computed(() => figure.value.officer?.name ?? t.value.noOfficer),
    officerCls: computed(() => (figure.value.officer === null ? 'muted' : '')),
    reasons: computed(() => {
      const line = reasonsLine(figure.value.reasons, locale.value);
      return line === '' ? '' : fill(t.value.reasonsToday, { list: line });
    }),
    pulseCls: computed(() => {
      const n = app.pulse(key).value;
      return n === 0 ? 'pulse' : n % 2 === 1 ? 'pulse a' : 'pulse b';
    }),
  };
}

/** The tile of counter `counterKey` (`d/w/c`). */
export function CounterTile(props: { app: AppState; counterKey: string }) {
  const { app, counterKey } = props;
  const m = useMemo(() => tileModel(app, counterKey, PERCENT_DIGITS.live), [app, counterKey]);
  // Subscribes to the shape and the language only; figures update through bound signals.
  void m.shape.value;
  const t = app.t.value;
  const locale = app.lang.value;
  const fig = m.figure.peek();
  const scale = scaleOf(app.store.offices.get(counterKey.split('/').slice(0, 2).join('/')));
  const id = `tile-${counterKey.replace(/\//g, '-')}`;
  return (
    <article class={m.cls} aria-labelledby={id} data-counter={counterKey}>
      <span class={m.pulseCls} aria-hidden="true" />
      <div class="tile-head">
        <h3 id={id}>{app.names.counter(counterKey)}</h3>
        <span class="terminals">
          {fig.terminals.map((term) => {
            const label = `${t.terminal} ${term.id}: ${term.state === 'online' ? t.online : term.state === 'offline' ? t.offline : t.unknownState}`;
            return <span key={term.key} class={`dot ${term.state}`} title={label} role="img" aria-label={label} />;
          })}
        </span>
      </div>
      <div class={m.bigCls} data-testid="live-percent">
        {m.percent}
        <small>{m.caption}</small>
      </div>
      <div class={m.basisCls} data-testid="basis">
        {m.basis}
      </div>
      <div class={m.gaugeCls} role="img" aria-label={m.gaugeLabel}>
        <span style={m.gaugeStyle} />
        <i style={m.targetStyle} />
      </div>
      <div class="gauge-label">{m.targetLine}</div>
      <div>
        <div class="dist" role="img" aria-label={m.distLabel}>
          {scale.levels.map((l, i) => (
            <span key={l.key} style={m.segments[i]} data-level={l.key} class={`lv-${l.key}`} />
          ))}
        </div>
        <ul class="legend" aria-hidden="true">
          {scale.levels.map((l, i) => (
            <li key={l.key}>
              <i style={{ background: `var(--lv-${l.key}, ${LEVEL_COLORS[l.key]})` }} />
              {l.label[locale]} <b class="num">{m.counts[i]}</b>
            </li>
          ))}
        </ul>
      </div>
      <dl class="facts">
        <dt>{t.votes}</dt>
        <dd class="num" data-testid="votes-today">
          {m.votes}
        </dd>
        <dt>{t.lastVoteLabel}</dt>
        <dd class="num" data-testid="last-vote">
          {m.lastVote}
        </dd>
        <dt>{t.officer}</dt>
        <dd class={m.officerCls}>{m.officer}</dd>
      </dl>
      <div class="reasons-line" data-testid="tile-reasons">
        {m.reasons}
      </div>
      {fig.terminals
        .filter((term) => term.state === 'offline')
        .map((term) => (
          <div key={term.key} class="offline-note" role="status">
            {fill(t.terminalOffline, { id: term.id, time: term.since === null ? '—' : formatMoment(term.since, app.clock.peek(), locale) })}
          </div>
        ))}
      {fig.terminals
        .filter((term) => term.supplyMv !== undefined)
        .map((term) => (
          <div key={`${term.key}/supply`} class="offline-note" role="status" data-testid="low-supply">
            {fill(t.lowSupply, { id: term.id, volts: `${formatDecimal((term.supplyMv ?? 0) / 1000, locale, 1)} V` })}
          </div>
        ))}
      {fig.terminals
        .filter((term) => term.fusesMissing !== undefined)
        .map((term) => (
          <div key={`${term.key}/fuses`} class="offline-note" role="status" data-testid="unprotected-box">
            {fill(t.unprotectedBox, {
              id: term.id,
              // BOD is the 4.3 V brown-out reset of flash-isp's efuse (firmware-protocol/avr/README.md).
              missing: (term.fusesMissing ?? []).map((p) => (p === 'BOD' ? `BOD ${formatDecimal(4.3, locale, 1)} V` : p)).join(' / '),
            })}
          </div>
        ))}
      {fig.terminals
        .filter((term) => term.conflict === true)
        .map((term) => (
          <div key={`${term.key}/conflict`} class="offline-note" role="alert" data-testid="device-conflict">
            {fill(t.deviceConflict, { id: term.id })}
          </div>
        ))}
    </article>
  );
}
