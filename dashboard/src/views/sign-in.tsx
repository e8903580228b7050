/**
 * The sign-in form, shown when the broker refuses an anonymous or saved
 * login (CONNACK "not authorized"), when the account may not read the
 * scope, or after signing out. The account is remembered on this PC.
 */
import { useState } from 'preact/hooks';
import type { AppState } from '../state/app-state.ts';
import { defaultBrokerUrl } from '../mqtt/link.ts';

/** The form. */
export function SignIn(props: { app: AppState }) {
  const { app } = props;
  const t = app.t.value;
  const s = app.settings.value;
  const reason = app.signIn.value;
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({
    url: app.params.broker ?? s.brokerUrl ?? defaultBrokerUrl(location),
    username: s.username ?? '',
    password: s.password ?? '',
    district: s.district ?? '',
    ward: s.ward ?? '',
  });
  const field = (key: keyof typeof form, label: string, type = 'text', autocomplete = 'off') => (
    <label>
      {label}
      <input
        type={type}
        name={key}
        value={form[key]}
        autocomplete={autocomplete}
        onInput={(e) => {
          const value = (e.target as HTMLInputElement).value;
          // Functional update: autofill fires several inputs before a re-render.
          setForm((f) => ({ ...f, [key]: value }));
        }}
      />
    </label>
  );
  return (
    <section class="panel signin" aria-labelledby="signin-h" data-testid="sign-in">
      <h2 id="signin-h">{t.signInTitle}</h2>
      <p>{t.signInIntro}</p>
      {reason === 'auth' && <p class="error" role="alert">{t.signInRefused}</p>}
      {reason === 'scope' && <p class="error" role="alert">{t.scopeRefused}</p>}
      {error !== null && <p class="error" role="alert">{error}</p>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setError(app.submitSignIn(form) === 'bad-url' ? t.badUrl : null);
        }}
      >
        {field('url', t.brokerUrl, 'url')}
        {field('username', t.username, 'text', 'username')}
        {field('password', t.password, 'password', 'current-password')}
        {field('district', t.scopeDistrict)}
        {field('ward', t.scopeWard)}
        <button type="submit" class="primary">
          {t.signIn}
        </button>
      </form>
    </section>
  );
}
