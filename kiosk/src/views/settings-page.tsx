/**
 * The hidden staff page (5 taps on the connectivity dot, then the PIN):
 * broker URL and credentials, PIN, language, voice and contrast defaults,
 * the outbox state and the problems seen. Saved values live in
 * localStorage for this terminal and apply after the kiosk restarts.
 */
import { useState } from 'preact/hooks';
import type { StaffSettings } from '../identity/kiosk-options.ts';
import { isBrokerUrl } from '../identity/kiosk-options.ts';
import { messages } from '../i18n/messages.ts';
import type { KioskSnapshot } from '../runtime/kiosk-runtime.ts';

interface Props {
  readonly snapshot: KioskSnapshot;
  readonly onSave: (patch: StaffSettings) => void;
  readonly onReset: () => void;
  readonly onReconnect: () => void;
  readonly onClose: () => void;
}

function PinGate({ pin, lang, onOpen, onClose }: { pin: string; lang: 'vi' | 'en'; onOpen: () => void; onClose: () => void }) {
  const m = messages(lang).settings;
  const [value, setValue] = useState('');
  const [wrong, setWrong] = useState(false);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (value === pin) onOpen();
        else {
          setWrong(true);
          setValue('');
        }
      }}
    >
      <label>
        {m.pin}
        <input
          type="password"
          inputMode="numeric"
          autoComplete="off"
          name="pin"
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
      </label>
      {wrong ? (
        <p class="error" role="alert">
          {m.wrongPin}
        </p>
      ) : null}
      <div class="row">
        <button type="submit" class="action primary">
          {m.unlock}
        </button>
        <button type="button" class="action" onClick={onClose}>
          {m.close}
        </button>
      </div>
    </form>
  );
}

function time(at: number | undefined, lang: 'vi' | 'en'): string {
  if (at === undefined) return '–';
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'vi-VN', { dateStyle: 'short', timeStyle: 'medium' }).format(at);
}

/** The settings page (PIN first). */
export function SettingsPage({ snapshot, onSave, onReset, onReconnect, onClose }: Props) {
  const o = snapshot.options;
  const lang = o.lang;
  const m = messages(lang).settings;
  const fmt = new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'vi-VN');
  const [unlocked, setUnlocked] = useState(false);
  const [form, setForm] = useState({
    broker: o.broker,
    username: o.username ?? '',
    password: o.password ?? '',
    pin: '',
    lang: o.lang,
    voice: o.voice,
    contrast: o.contrast,
  });
  const [note, setNote] = useState('');
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  return (
    <section class="settings" role="dialog" aria-modal="true" aria-label={m.title}>
      <h2>{m.title}</h2>
      {!unlocked ? (
        <PinGate pin={o.pin} lang={lang} onOpen={() => setUnlocked(true)} onClose={onClose} />
      ) : (
        <>
          <section>
            <h3>{m.identity}</h3>
            <dl>
              <dt>{m.place}</dt>
              <dd>
                {o.district} / {o.ward}
              </dd>
              <dt>{m.counterTerminal}</dt>
              <dd>
                {o.counter} / {o.terminal}
              </dd>
              <dt>MQTT</dt>
              <dd data-testid="link-state">{messages(lang).link[snapshot.link]}</dd>
              <dt>{m.outbox}</dt>
              <dd data-testid="pending">{fmt.format(snapshot.stats.pending)}</dd>
              <dt>{m.highWater}</dt>
              <dd data-testid="high-water">{fmt.format(snapshot.stats.highWater)}</dd>
              <dt>{m.lastSent}</dt>
              <dd>{time(snapshot.stats.lastDoneAt, lang)}</dd>
              <dt>{m.problems}</dt>
              <dd>
                {Object.keys(snapshot.problems).length === 0
                  ? m.none
                  : Object.entries(snapshot.problems)
                      .map(([k, n]) => `${k}: ${fmt.format(n)}`)
                      .join(', ')}
              </dd>
            </dl>
            {snapshot.problemLog.length > 0 ? <pre>{snapshot.problemLog.join('\n')}</pre> : null}
          </section>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (!isBrokerUrl(form.broker)) {
                setNote(`${m.broker}: ws://… / wss://…`);
                return;
              }
              if (form.pin !== '' && !/^[0-9]{4,8}$/.test(form.pin)) {
                setNote(m.newPin);
                return;
              }
              onSave({
                broker: form.broker,
                username: form.username,
                password: form.password,
                lang: form.lang,
                voice: form.voice,
                contrast: form.contrast,
                ...(form.pin === '' ? {} : { pin: form.pin }),
              });
              setNote(m.saved);
            }}
          >
            <label>
              {m.broker}
              <input type="url" name="broker" value={form.broker} onInput={(e) => set({ broker: (e.target as HTMLInputElement).value })} />
            </label>
            <label>
              {m.username}
              <input
                type="text"
                name="username"
                autoComplete="off"
                value={form.username}
                onInput={(e) => set({ username: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label>
              {m.password}
              <input
                type="password"
                name="password"
                autoComplete="off"
                value={form.password}
                onInput={(e) => set({ password: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label>
              {m.newPin}
              <input
                type="password"
                name="new-pin"
                inputMode="numeric"
                autoComplete="off"
                value={form.pin}
                onInput={(e) => set({ pin: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label>
              {m.language}
              <select name="lang" value={form.lang} onChange={(e) => set({ lang: (e.target as HTMLSelectElement).value === 'en' ? 'en' : 'vi' })}>
                <option value="vi">Tiếng Việt</option>
                <option value="en">English</option>
              </select>
            </label>
            <label class="check">
              <input type="checkbox" name="voice" checked={form.voice} onChange={(e) => set({ voice: (e.target as HTMLInputElement).checked })} />
              {m.voice}
            </label>
            <label class="check">
              <input
                type="checkbox"
                name="contrast"
                checked={form.contrast}
                onChange={(e) => set({ contrast: (e.target as HTMLInputElement).checked })}
              />
              {m.contrast}
            </label>
            {note !== '' ? <p role="status">{note}</p> : null}
            <div class="row">
              <button type="submit" class="action primary">
                {m.save}
              </button>
              <button type="button" class="action" onClick={onReconnect}>
                {m.reconnect}
              </button>
              <button type="button" class="action" onClick={onReset}>
                {m.reset}
              </button>
              <button type="button" class="action" onClick={onClose}>
                {m.close}
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}
