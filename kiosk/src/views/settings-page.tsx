/**
 * The hidden staff page (5 taps on the connectivity dot, then the PIN):
 * broker URL and credentials, PIN, language, voice and contrast defaults,
 * the outbox state and the problems seen. Saved values live in
 * localStorage for this terminal and apply after the kiosk restarts.
 *
 * Issue 13, item 2: there is no default PIN (without one set at
 * provisioning the page stays locked); wrong PINs lock it with a growing
 * delay kept across reloads (pin-lock.ts); the saved password is never
 * shown again, and a new broker URL needs its password typed again.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { isBrokerUrl } from '../../../core/index.ts';
import { afterWrongPin, lockedForMs, NO_LOCK, type PinLock } from '../identity/pin-lock.ts';
import type { StaffSettings } from '../identity/kiosk-options.ts';
import { messages } from '../i18n/messages.ts';
import type { KioskSnapshot } from '../runtime/kiosk-runtime.ts';

/** Reads and writes this terminal's PIN lock (storage-backed in the app). */
export interface PinLockStore {
  load(): PinLock;
  save(lock: PinLock): void;
}

interface Props {
  readonly snapshot: KioskSnapshot;
  readonly pinLock: PinLockStore;
  readonly onSave: (patch: StaffSettings) => void;
  readonly onReset: () => void;
  readonly onReconnect: () => void;
  readonly onClose: () => void;
}

function PinGate({
  pin,
  lang,
  store,
  onOpen,
  onClose,
}: {
  pin: string | undefined;
  lang: 'vi' | 'en';
  store: PinLockStore;
  onOpen: () => void;
  onClose: () => void;
}) {
  const m = messages(lang).settings;
  const [value, setValue] = useState('');
  const [wrong, setWrong] = useState(false);
  const [lock, setLock] = useState<PinLock>(() => store.load());
  const [now, setNow] = useState(Date.now());
  const left = lockedForMs(lock, now);
  useEffect(() => {
    if (left === 0) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [left > 0]);
  if (pin === undefined) {
    return (
      <div>
        <p class="error" role="alert" data-testid="no-pin">
          {m.noPin}
        </p>
        <div class="row">
          <button type="button" class="action" onClick={onClose}>
            {m.close}
          </button>
        </div>
      </div>
    );
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const at = Date.now();
        setNow(at);
        // Checked against the stored lock, so another tab or a reload cannot skip it.
        const current = store.load();
        if (lockedForMs(current, at) > 0) {
          setLock(current);
          setValue('');
          return;
        }
        if (value === pin) {
          store.save(NO_LOCK);
          onOpen();
          return;
        }
        const next = afterWrongPin(current, at);
        store.save(next);
        setLock(next);
        setWrong(true);
        setValue('');
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
          disabled={left > 0}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
      </label>
      {left > 0 ? (
        <p class="error" role="alert" data-testid="pin-locked">
          {m.locked.replace('{s}', new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'vi-VN').format(Math.ceil(left / 1000)))}
        </p>
      ) : wrong ? (
        <p class="error" role="alert">
          {m.wrongPin}
        </p>
      ) : null}
      <div class="row">
        <button type="submit" class="action primary" disabled={left > 0}>
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

/** A labelled input of the settings form (never autocompleted: a public touchscreen keeps no logins). */
function Field({
  label,
  note,
  onValue,
  ...input
}: { label: string; note?: string; onValue: (value: string) => void } & JSX.InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label>
      {label}
      <input {...input} autoComplete="off" onInput={(e) => onValue((e.target as HTMLInputElement).value)} />
      {note === undefined ? null : <small>{note}</small>}
    </label>
  );
}

/** The settings page (PIN first). */
export function SettingsPage({ snapshot, pinLock, onSave, onReset, onReconnect, onClose }: Props) {
  const o = snapshot.options;
  const lang = o.lang;
  const m = messages(lang).settings;
  const fmt = new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'vi-VN');
  const [unlocked, setUnlocked] = useState(false);
  const [form, setForm] = useState({
    broker: o.broker,
    username: o.username ?? '',
    // Never pre-filled: the saved password is not shown again.
    password: '',
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
        <PinGate pin={o.pin} lang={lang} store={pinLock} onOpen={() => setUnlocked(true)} onClose={onClose} />
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
              <dt>{m.unconfirmed}</dt>
              <dd data-testid="unconfirmed">{fmt.format(snapshot.stats.unconfirmed)}</dd>
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
              // The saved password belongs to the saved broker: a new broker needs its own.
              const newBroker = form.broker !== o.broker;
              if (newBroker && form.password === '') {
                setNote(m.passwordForBroker);
                return;
              }
              onSave({
                broker: form.broker,
                username: form.username,
                ...(form.password === '' ? {} : { password: form.password }),
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
            <Field label={m.username} type="text" name="username" value={form.username} onValue={(username) => set({ username })} />
            <Field
              label={m.password}
              type="password"
              name="password"
              value={form.password}
              placeholder="••••••"
              note={m.passwordKept}
              onValue={(password) => set({ password })}
            />
            <Field label={m.newPin} type="password" name="new-pin" inputMode="numeric" value={form.pin} onValue={(pin) => set({ pin })} />
            <label>
              {m.language}
              <select
                name="lang"
                value={form.lang}
                onChange={(e) => set({ lang: (e.target as HTMLSelectElement).value === 'en' ? 'en' : 'vi' })}
              >
                <option value="vi">Tiếng Việt</option>
                <option value="en">English</option>
              </select>
            </label>
            <label class="check">
              <input
                type="checkbox"
                name="voice"
                checked={form.voice}
                onChange={(e) => set({ voice: (e.target as HTMLInputElement).checked })}
              />
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
