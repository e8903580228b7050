import { useState } from 'preact/hooks';
import { DEFAULT_SCALE, formatPercent } from '../../core/index.ts';
import { MESSAGES, langFromUrl, type Lang } from './messages.ts';

/** Default district target: SIPAS national target of 80% (FIELD-NOTES). */
const DEFAULT_TARGET = 80;

/**
 * Dashboard shell. The live office and district views arrive with issue #4;
 * this shell already renders through the shared core (scale labels, vi-VN
 * percentages) so the build, the bundle budget and the browser tests have a
 * real app to work on.
 */
export function App() {
  const [lang, setLang] = useState<Lang>(langFromUrl(location.search));
  const t = MESSAGES[lang];
  return (
    <main lang={lang} style={{ fontFamily: 'system-ui, sans-serif', maxWidth: '48rem', margin: '2rem auto' }}>
      <header>
        <h1>{t.title}</h1>
        <p>{t.subtitle}</p>
        <button type="button" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
          {t.language}
        </button>
      </header>
      <p role="status" data-testid="connection">
        {t.offline}
      </p>
      <p data-testid="target">
        {t.target}: {formatPercent(DEFAULT_TARGET, { locale: lang })}
      </p>
      <section>
        <h2>{t.scale}</h2>
        <ol data-testid="scale">
          {DEFAULT_SCALE.levels.map((level) => (
            <li key={level.key}>
              {level.label[lang]} · {level.points} {t.points}
              {level.satisfied ? ` · ${t.satisfied}` : ''}
            </li>
          ))}
        </ol>
      </section>
    </main>
  );
}
