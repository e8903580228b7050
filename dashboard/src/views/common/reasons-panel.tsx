/**
 * Reasons for low ratings ("Chưa hài lòng về điều gì?") as people read them:
 * each reason in words with how many low votes named it and its share of
 * the low votes. Shared by the office tiles, the district view and reports.
 */
import { formatCount, formatPercent, reasonLabel } from '../../../../core/index.ts';
import type { Locale, ReasonSummary } from '../../../../core/index.ts';
import { fill } from '../../i18n/messages.ts';
import type { Messages } from '../../i18n/messages.ts';
import { CountTable } from './count-table.tsx';

/** "Thời gian chờ 3 (75,0%)": a reason, its count and its share of the low votes. */
export function reasonText(r: ReasonSummary['reasons'][number], locale: Locale): string {
  return `${reasonLabel(r.id, locale)} ${formatCount(r.n, locale)} (${formatPercent(r.share, { locale, digits: 1 })})`;
}

/** The top `n` reasons on one line, or '' when none was given. */
export function reasonsLine(summary: ReasonSummary | undefined, locale: Locale, n = 3): string {
  return (summary?.reasons ?? [])
    .slice(0, n)
    .map((r) => reasonText(r, locale))
    .join(' · ');
}

/** A panel listing every reason of a scope and period. */
export function ReasonsPanel(props: { summary: ReasonSummary | undefined; t: Messages; locale: Locale; heading: string }) {
  const { summary, t, locale } = props;
  const reasons = summary?.reasons ?? [];
  return (
    <section class="panel reasons" data-testid="reasons">
      <h3>
        {t.reasonsTitle} · {props.heading}
      </h3>
      {reasons.length === 0 ? (
        <p class="muted">{t.reasonsNone}</p>
      ) : (
        <>
          <p class="muted">{fill(t.reasonsBasis, { n: formatCount(summary?.low ?? 0, locale) })}</p>
          <CountTable
            nameHeading={t.reason}
            headings={[t.votes, t.reasonShare]}
            rowAttribute="reason"
            rows={reasons.map((r) => ({
              key: r.id,
              name: reasonLabel(r.id, locale),
              cells: [formatCount(r.n, locale), formatPercent(r.share, { locale, digits: 1 })],
            }))}
          />
        </>
      )}
    </section>
  );
}
