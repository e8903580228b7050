/**
 * The sign-in form, shown when the broker refuses an anonymous or saved
 * login (CONNACK "not authorized"), when the account may not read the
 * scope, or after signing out. The saved password is never shown or
 * pre-filled: an empty field keeps it for the same broker only, and keeping
 * it across browser restarts is an explicit, unchecked-by-default choice
 * (issue 13, item 1).
 */
import { useState } from 'preact/hooks';
import type { AppState } from '../state/app-state.ts';
import { defaultBrokerUrl } from '../../../core/index.ts';

/** The form. */
export function SignIn(props: { app: AppState }) {
  const { app } = props;
  const t = app.t.value;
  const s = app.settings.value;
  const reason = app.signIn.value;
  const [error, setError] = useState<string | null>(null);
  const [remember, setRemember] = useState(false);
  const url = app.params.broker ?? s.brokerUrl ?? defaultBrokerUrl(location);
  // A saved account belongs to its broker: for another one, ask afresh.
  const otherBroker = s.credentialsUrl !== undefined && s.credentialsUrl !== url;
  const [form, setForm] = useState({
    url,
    username: otherBroker ? '' : (s.username ?? ''),
    password: '',
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
      {reason === 'auth' && (
        <p class="error" role="alert">
          {t.signInRefused}
        </p>
      )}
      {reason === 'scope' && (
        <p class="error" role="alert">
          {t.scopeRefused}
        </p>
      )}
      {otherBroker && (
        <p class="error" role="alert" data-testid="other-broker">
          {t.otherBroker}
        </p>
      )}
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void app.submitSignIn({ ...form, remember }).then((r) => setError(r === 'bad-url' ? t.badUrl : null));
        }}
      >
        {field('url', t.brokerUrl, 'url')}
        {field('username', t.username, 'text', 'username')}
        {field('password', t.password, 'password', 'current-password')}
        <label class="check">
          <input type="checkbox" name="remember" checked={remember} onChange={(e) => setRemember((e.target as HTMLInputElement).checked)} />
          {t.rememberPassword}
        </label>
        {field('district', t.scopeDistrict)}
        {field('ward', t.scopeWard)}
        <button type="submit" class="primary">
          {t.signIn}
        </button>
      </form>
    </section>
  );
}
