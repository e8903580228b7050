/**
 * The latest votes of a ward, newest first (filtered presses marked). A new
 * vote is PREPENDED as one list item by a synchronous signal effect (and the
 * oldest dropped) — no re-render of the list, part of the ≤ 2 ms live-vote
 * budget. The list is rebuilt from the store only when the ward or the
 * language changes, or when votes arrived out of order.
 */
import { effect } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { LEVEL_LABELS, voteKey } from '../../../../core/index.ts';
import type { Locale, Vote } from '../../../../core/index.ts';
import type { AppState } from '../../state/app-state.ts';
import { formatTimeSeconds } from '../../i18n/format.ts';
import { LEVEL_COLORS } from '../../theme/palette.ts';

/** Rows shown. */
export const RECENT_ROWS = 15;

function rowOf(app: AppState, ward: string, v: Vote, locale: Locale, filtered: string): HTMLLIElement {
  const li = document.createElement('li');
  li.dataset.vote = voteKey(v);
  const time = document.createElement('span');
  time.className = 'num';
  time.textContent = formatTimeSeconds(v.pressedAt);
  const what = document.createElement('span');
  const dot = document.createElement('i');
  dot.className = 'dot';
  dot.setAttribute('aria-hidden', 'true');
  dot.style.background = LEVEL_COLORS[v.level] ?? 'transparent';
  what.append(dot, ` ${LEVEL_LABELS[v.level][locale]}${v.filtered !== undefined ? ` (${filtered})` : ''}`);
  const where = document.createElement('span');
  where.className = 'where';
  where.textContent = `${app.names.counter(`${ward}/${v.counter}`)}${v.officer !== undefined ? ` · ${app.names.officer(`${ward}/${v.officer}`)}` : ''}`;
  li.append(time, what, where);
  return li;
}

/** Recent votes of ward `ward` (`d/w`). */
export function RecentVotes(props: { app: AppState; ward: string }) {
  const { app, ward } = props;
  const t = app.t.value;
  const locale = app.lang.value;
  const list = useRef<HTMLOListElement>(null);
  const empty = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    const ol = list.current;
    if (ol === null) return;
    const [d, w] = ward.split('/');
    const inWard = (v: Vote) => v.ward === w && v.district === d;
    const render = () => {
      ol.replaceChildren(...app.store.votes.latest(RECENT_ROWS, inWard).map((v) => rowOf(app, ward, v, locale, t.filtered)));
    };
    render();
    let shown = ol.childElementCount;
    // Synchronous (not deferred to a frame): the measured update includes it.
    return effect(() => {
      void app.wardVotes(ward).value;
      const [newest] = app.store.votes.latest(1, inWard);
      if (newest === undefined) return;
      const key = voteKey(newest);
      const top = ol.firstElementChild as HTMLElement | null;
      if (top?.dataset.vote === key) return;
      const previous = top === null ? undefined : app.store.votes.latest(2, inWard)[1];
      // The common case: the new vote is the newest and the old top is next to it.
      if (top === null || (previous !== undefined && top.dataset.vote === voteKey(previous))) {
        ol.prepend(rowOf(app, ward, newest, locale, t.filtered));
        if (++shown > RECENT_ROWS) {
          ol.lastElementChild?.remove();
          shown = RECENT_ROWS;
        }
      } else {
        render();
        shown = ol.childElementCount;
      }
      if (empty.current) empty.current.hidden = true;
    });
  }, [app, ward, locale]);
  const none = app.store.votes.latest(1, (v) => `${v.district}/${v.ward}` === ward).length === 0;
  return (
    <section class="panel recent" aria-labelledby="recent-h">
      <h2 id="recent-h">{t.recentVotes}</h2>
      <p class="muted" ref={empty} hidden={!none}>
        {t.noRecentVotes}
      </p>
      <ol ref={list} />
    </section>
  );
}
