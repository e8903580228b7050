/**
 * The citizen's phone page for a QR rating (issue 15): the kiosk's question
 * and faces in a phone layout, Vietnamese first (`lang=en` for English),
 * self-contained (inline style and script, no external file), served by the
 * ward office's web server at `/qr/?t=<token>`. A token that cannot rate is
 * told in words at once, without the buttons.
 */
import { LEVEL_LABELS } from '../../core/scale.ts';
import { SCALE_3 } from '../../core/scale.ts';
import type { QrRefusal } from './qr-tokens.ts';

/** Texts of the page. */
export const QR_TEXT = {
  vi: {
    title: 'Đánh giá mức độ hài lòng',
    question: 'Ông/Bà có hài lòng với sự phục vụ hôm nay không?',
    dossier: (d: string) => `Hồ sơ ${d}`,
    thanks: 'Cảm ơn Ông/Bà đã đánh giá!',
    thanksDetail: 'Ý kiến của Ông/Bà giúp chúng tôi phục vụ tốt hơn.',
    used: 'Mã đánh giá này đã được sử dụng. Mỗi mã chỉ đánh giá được một lần.',
    expired: 'Mã đánh giá này đã hết hạn. Vui lòng đề nghị cán bộ cấp mã mới.',
    unknown: 'Mã đánh giá không hợp lệ. Vui lòng quét lại mã QR do cán bộ cung cấp.',
    failed: 'Chưa gửi được đánh giá. Vui lòng thử lại.',
  },
  en: {
    title: 'Rate our service',
    question: 'Were you satisfied with our service today?',
    dossier: (d: string) => `Dossier ${d}`,
    thanks: 'Thank you for your feedback!',
    thanksDetail: 'Your opinion helps us serve you better.',
    used: 'This rating code has already been used. Each code rates once.',
    expired: 'This rating code has expired. Please ask the officer for a new one.',
    unknown: 'This rating code is not valid. Please scan the QR code the officer gave you again.',
    failed: 'Your rating could not be sent. Please try again.',
  },
} as const;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const TONES: Record<string, string> = { 'rat-hai-long': '#2e9d4f', 'hai-long': '#8cc63f', 'khong-hai-long': '#ef8a5a' };
const MOUTHS: Record<string, string> = {
  'rat-hai-long': '<path d="M18 34 Q32 50 46 34 Z" fill="#1f2937"/>',
  'hai-long': '<path d="M20 38 Q32 48 44 38" stroke="#1f2937" stroke-width="4" fill="none" stroke-linecap="round"/>',
  'khong-hai-long': '<path d="M20 46 Q32 36 44 46" stroke="#1f2937" stroke-width="4" fill="none" stroke-linecap="round"/>',
};

const CSS = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,"Noto Sans",sans-serif;background:#f3f6fb;color:#13213c}
main{max-width:480px;margin:0 auto;padding:24px 16px;display:flex;flex-direction:column;gap:16px;min-height:100vh}
h1{font-size:24px;line-height:1.3;text-align:center;margin:8px 0}
.dossier{align-self:center;background:#e6eefb;color:#0b57a4;font-weight:700;border-radius:999px;padding:6px 16px}
.levels{display:flex;flex-direction:column;gap:14px}
.level{display:flex;align-items:center;gap:16px;width:100%;padding:14px 18px;border-radius:18px;border:2px solid transparent;background:#fff;font-size:22px;font-weight:700;color:#13213c;box-shadow:0 2px 8px #0001}
.level svg{width:64px;height:64px;flex:none}
.level:active{border-color:#0b57a4}
.message{font-size:20px;text-align:center;padding:24px 12px;background:#fff;border-radius:18px}
.message.error{color:#9b1c1c}
`;

/** The page for a token that may rate. */
export function qrRatePage(token: string, lang: 'vi' | 'en', dossier: string | undefined): string {
  const t = QR_TEXT[lang];
  const buttons = SCALE_3.levels
    .map(
      (l) =>
        `<button type="button" class="level" data-level="${l.key}" aria-label="${esc(LEVEL_LABELS[l.key][lang])}">` +
        `<svg viewBox="0 0 64 64" aria-hidden="true"><circle cx="32" cy="32" r="30" fill="${TONES[l.key]}"/>` +
        '<circle cx="22" cy="24" r="4" fill="#1f2937"/><circle cx="42" cy="24" r="4" fill="#1f2937"/>' +
        `${MOUTHS[l.key] ?? ''}</svg><span>${esc(LEVEL_LABELS[l.key][lang])}</span></button>`,
    )
    .join('');
  const script = `
const token=${JSON.stringify(token)};const texts=${JSON.stringify({ thanks: t.thanks, thanksDetail: t.thanksDetail, used: t.used, expired: t.expired, unknown: t.unknown, failed: t.failed })};
const main=document.querySelector('main');
function show(cls,html){main.innerHTML='<div class="message '+cls+'" role="status" data-testid="message">'+html+'</div>';}
document.querySelectorAll('button.level').forEach(b=>b.addEventListener('click',async()=>{
  document.querySelectorAll('button.level').forEach(x=>x.disabled=true);
  try{
    const r=await fetch('vote',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({token,level:b.dataset.level})});
    const body=await r.json().catch(()=>({}));
    if(r.ok){show('ok','<b>'+texts.thanks+'</b><br>'+texts.thanksDetail);return;}
    show('error',texts[body.error]||texts.failed);
  }catch(e){show('error',texts.failed);document.querySelectorAll('button.level').forEach(x=>x.disabled=false);}
}));`;
  return page(
    lang,
    t.title,
    `<h1>${esc(t.question)}</h1>${dossier === undefined ? '' : `<span class="dossier">${esc(t.dossier(dossier))}</span>`}<div class="levels" role="group">${buttons}</div><script>${script}</script>`,
  );
}

/** The page for a token that cannot rate: the reason in words. */
export function qrRefusedPage(reason: QrRefusal, lang: 'vi' | 'en'): string {
  const t = QR_TEXT[lang];
  return page(lang, t.title, `<div class="message error" role="alert" data-testid="message">${esc(t[reason])}</div>`);
}

function page(lang: 'vi' | 'en', title: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${CSS}</style></head><body><main>${body}</main></body></html>`;
}
