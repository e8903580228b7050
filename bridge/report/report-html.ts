/**
 * The report pack as one printable HTML page (A4, print CSS): the national
 * heading, the title, the period line, the unit table (ranked), per counter
 * and per officer, the low-rating reasons by TT 01 criterion, the formulas,
 * and the signature block with the place-and-date line. Self-contained (no
 * script, no external file): open it in any browser and print.
 */
import { formatCount, formatDecimal, formatPercent } from '../../core/format.ts';
import type { PackRow, ReportPack } from '../../core/report-pack.ts';
import { PACK_FORMULAS, packVerdict, subHeadings, unitHeadings, type PackHeading } from '../../core/report-pack-sheets.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pct = (v: number | null) => formatPercent(v, { locale: 'vi', digits: 2 });
const num = (v: number | null) => (v === null ? '—' : formatDecimal(v, 'vi', 2));
const int = (n: number) => formatCount(n, 'vi');

const CSS = `
@page { size: A4 landscape; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Times New Roman", "Liberation Serif", serif; font-size: 11pt; color: #000; margin: 0; padding: 12px; }
.head { display: flex; justify-content: space-between; text-align: center; gap: 24px; }
.head div { display: flex; flex-direction: column; }
.motto { white-space: nowrap; }
h1 { text-align: center; font-size: 14pt; margin: 18px 0 4px; }
h2 { font-size: 12pt; margin: 16px 0 6px; break-after: avoid; }
p.period { text-align: center; margin: 0 0 10px; font-style: italic; }
table { border-collapse: collapse; width: 100%; margin-bottom: 8px; break-inside: auto; }
th, td { border: 1px solid #000; padding: 3px 5px; font-size: 9.5pt; }
th { background: #e8eef4; font-weight: bold; text-align: center; }
td.n { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; }
tr { break-inside: avoid; }
.formulas td:first-child { font-weight: bold; width: 26%; }
.sign { display: flex; justify-content: space-between; margin-top: 24px; text-align: center; break-inside: avoid; }
.sign div { width: 40%; }
.sign .date { font-style: italic; margin: 0 0 4px; }
@media screen { body { max-width: 297mm; margin: 0 auto; background: #fff; } }
`;

function levelTds(r: PackRow): string {
  return r.counts.map((n, i) => `<td class="n">${int(n)}</td><td class="n">${pct(r.percents[i] ?? null)}</td>`).join('');
}

/** The printable HTML page of a pack. */
export function reportPackHtml(pack: ReportPack, h: PackHeading, office: string): string {
  const multi = pack.units.length > 1;
  const unitName = new Map(pack.units.map((u) => [u.key, u.name]));
  const th = (list: readonly string[]) => `<tr>${list.map((t) => `<th>${esc(t)}</th>`).join('')}</tr>`;
  const units = pack.units
    .map(
      (u) =>
        `<tr><td class="n">${u.rank}</td><td>${esc(u.name)}</td><td class="n">${int(u.total)}</td>${levelTds(u)}` +
        `<td class="n">${pct(u.satisfiedPercent)}</td><td class="n">${pct(u.target)}</td><td>${esc(packVerdict(u))}</td>` +
        `<td class="n">${pct(u.previousPercent)}</td><td class="n">${num(u.delta)}</td><td class="n">${pct(u.pointsIndex)}</td>` +
        `<td class="n">${num(u.qd766)}</td><td class="n">${int(u.filtered)}</td></tr>`,
    )
    .join('');
  const t = pack.total;
  const total =
    `<tr class="total"><td></td><td>${esc(t.name)}</td><td class="n">${int(t.total)}</td>${levelTds(t)}` +
    `<td class="n">${pct(t.satisfiedPercent)}</td><td></td><td></td><td></td><td></td><td class="n">${pct(t.pointsIndex)}</td>` +
    `<td class="n">${num(t.qd766)}</td><td class="n">${int(t.filtered)}</td></tr>`;
  const sub = (rows: readonly PackRow[], what: 'Quầy' | 'Cán bộ') =>
    `<table>${th(subHeadings(pack, what, multi))}${rows
      .map(
        (r) =>
          `<tr>${multi ? `<td>${esc(unitName.get(r.unit) ?? r.unit)}</td>` : ''}<td>${esc(r.name)}</td><td class="n">${int(r.total)}</td>${levelTds(r)}<td class="n">${pct(r.satisfiedPercent)}</td></tr>`,
      )
      .join('')}</table>`;
  const reasons = `<table>${th(['Tiêu chí (TT 01/2018/TT-VPCP)', 'Số lượt', 'Tỷ lệ (%)'])}${pack.reasons.criteria
    .map((c) => `<tr><td>${esc(c.label)}</td><td class="n">${int(c.n)}</td><td class="n">${pct(c.percent)}</td></tr>`)
    .join(
      '',
    )}<tr class="total"><td>Tổng số lượt không hài lòng (trong đó ${int(pack.reasons.withReason)} lượt có nêu lý do)</td><td class="n">${int(pack.reasons.low)}</td><td></td></tr></table>`;
  const formulas = `<table class="formulas">${PACK_FORMULAS.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>`;
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>${esc(h.title)} — ${esc(h.period)}</title><style>${CSS}</style></head>
<body>
<div class="head">
  <div><b>${esc(office.toUpperCase())}</b><span>BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ</span></div>
  <div><b class="motto">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><u class="motto">Độc lập - Tự do - Hạnh phúc</u></div>
</div>
<h1>${esc(h.title)}</h1>
<p class="period">${esc(h.scope)} — ${esc(h.period)}</p>
<h2>1. Tổng hợp theo đơn vị (xếp hạng)</h2>
<table data-testid="units">${th(unitHeadings(pack))}${units}${total}</table>
<h2>2. Theo quầy</h2>
${sub(pack.counters, 'Quầy')}
<h2>3. Theo cán bộ</h2>
${sub(pack.officers, 'Cán bộ')}
<h2>4. Lý do không hài lòng theo tiêu chí</h2>
${reasons}
<h2>5. Cách tính</h2>
${formulas}
<div class="sign">
  <div><p class="date">&nbsp;</p><b>NGƯỜI LẬP BIỂU</b></div>
  <div><p class="date">${esc(h.placeDate)}</p><b>THỦ TRƯỞNG ĐƠN VỊ</b></div>
</div>
</body></html>
`;
}
