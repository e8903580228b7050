/**
 * Issue 13, item 1 in real Chromium (vitest browser mode): saved credentials
 * go only to the broker they were entered for, and the password is kept
 * session-only or WebCrypto-encrypted, never in clear in localStorage.
 */
import { describe, expect, it } from 'vitest';
import { SETTINGS_KEY } from '../../../dashboard/src/state/settings.ts';
import { SAVED_LOGIN_KEY, SESSION_LOGIN_KEY, browserVault, memoryVault } from '../../../dashboard/src/state/password-vault.ts';
import { mount, tick } from '../harness.tsx';

const OWN = 'wss://quan.example/mqtt';
const saved = { [SETTINGS_KEY]: JSON.stringify({ brokerUrl: OWN, credentialsUrl: OWN, username: 'quan-ba-dinh' }) };

async function vaultWith(password: string) {
  const vault = memoryVault();
  await vault.save({ brokerUrl: OWN, username: 'quan-ba-dinh', password }, false);
  return vault;
}

describe('dashboard credentials (issue 13, item 1)', () => {
  it('sends the saved account to the broker it was entered for', async () => {
    const h = await mount('', '', saved, await vaultWith('bí mật'));
    expect(h.connects[0]!.options).toMatchObject({ url: OWN, username: 'quan-ba-dinh', password: 'bí mật' });
  });

  it('a crafted ?broker= link connects WITHOUT the saved account, and the form asks afresh', async () => {
    const h = await mount('?broker=wss://evil.example/mqtt', '', saved, await vaultWith('bí mật'));
    const options = h.connects[0]!.options;
    expect(options.url).toBe('wss://evil.example/mqtt');
    expect(options).not.toHaveProperty('username');
    expect(options).not.toHaveProperty('password');
    h.connects[0]!.handlers.onState('refused', 'auth');
    await tick();
    const form = h.el.querySelector('[data-testid=sign-in] form') as HTMLFormElement;
    expect(h.el.querySelector('[data-testid=other-broker]')?.textContent).toContain('máy chủ khác');
    expect((form.querySelector('[name=username]') as HTMLInputElement).value).toBe('');
    expect((form.querySelector('[name=password]') as HTMLInputElement).value).toBe('');
    // Submitting that broker with an empty password sends no saved password there either.
    form.requestSubmit();
    await tick();
    expect(h.connects.at(-1)!.options).not.toHaveProperty('password');
  });

  it('changing the broker on the form asks for the password again; the same broker keeps it', async () => {
    const vault = await vaultWith('bí mật');
    const h = await mount('', '', saved, vault);
    h.connects[0]!.handlers.onState('refused', 'scope');
    await tick();
    const form = h.el.querySelector('[data-testid=sign-in] form') as HTMLFormElement;
    expect((form.querySelector('[name=password]') as HTMLInputElement).value).toBe(''); // never shown again
    const set = (name: string, value: string) => {
      const input = form.querySelector(`[name=${name}]`) as HTMLInputElement;
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    };
    set('district', 'ba-dinh');
    await tick();
    form.requestSubmit();
    await tick();
    expect(h.connects.at(-1)!.options).toMatchObject({ url: OWN, username: 'quan-ba-dinh', password: 'bí mật' });
    await h.app.submitSignIn({ url: 'wss://other.example/mqtt', username: 'quan-ba-dinh', password: '', district: '', ward: '' });
    expect(h.connects.at(-1)!.options).toMatchObject({ url: 'wss://other.example/mqtt', username: 'quan-ba-dinh' });
    expect(h.connects.at(-1)!.options).not.toHaveProperty('password');
    expect(vault.saved()).toBeUndefined();
  });

  it('keeps the password for the session unless "Ghi nhớ mật khẩu" is ticked (unticked by default)', async () => {
    const vault = memoryVault();
    const h = await mount('', '', {}, vault);
    h.connects[0]!.handlers.onState('refused', 'auth');
    await tick();
    const box = h.el.querySelector('[data-testid=sign-in] [name=remember]') as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect(box.parentElement?.textContent).toContain('Ghi nhớ mật khẩu');
    await h.app.submitSignIn({ url: OWN, username: 'quan', password: 'p1', district: '', ward: '' });
    expect(vault.saved()).toMatchObject({ brokerUrl: OWN, username: 'quan', password: 'p1', remember: false });
    await h.app.submitSignIn({ url: OWN, username: 'quan', password: 'p2', district: '', ward: '', remember: true });
    expect(vault.saved()).toMatchObject({ password: 'p2', remember: true });
  });

  it("an older version's password in clear is removed from localStorage at start", async () => {
    const h = await mount('', '', { [SETTINGS_KEY]: JSON.stringify({ brokerUrl: OWN, username: 'quan', password: 'in clear' }) });
    expect(h.storage.get(SETTINGS_KEY)).not.toContain('in clear');
    expect(h.connects[0]!.options).not.toHaveProperty('password');
  });

  it('the browser vault: session-only by default; remembered = AES-GCM with a non-extractable key, bound to broker and user', async () => {
    const session = new Map<string, string>();
    const local = new Map<string, string>();
    const kv = (m: Map<string, string>) => ({
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
      removeItem: (k: string) => void m.delete(k),
    });
    const vault = browserVault(kv(session), kv(local));
    await vault.save({ brokerUrl: OWN, username: 'quan', password: 'mật khẩu 1' }, false);
    expect(session.get(SESSION_LOGIN_KEY)).toContain('mật khẩu 1');
    expect(local.size).toBe(0);
    expect(await vault.load(OWN, 'quan')).toBe('mật khẩu 1');
    expect(await vault.load('wss://evil.example/mqtt', 'quan')).toBeUndefined();

    await vault.save({ brokerUrl: OWN, username: 'quan', password: 'mật khẩu 2' }, true);
    expect(session.size).toBe(0);
    const stored = local.get(SAVED_LOGIN_KEY)!;
    expect(stored).not.toContain('mật khẩu');
    expect(await vault.load(OWN, 'quan')).toBe('mật khẩu 2');
    // The ciphertext moved to another broker's entry does not decrypt (URL bound as additional data).
    local.set(SAVED_LOGIN_KEY, stored.replace(OWN, 'wss://evil.example/mqtt'));
    expect(await vault.load('wss://evil.example/mqtt', 'quan')).toBeUndefined();
    await vault.clear();
    expect(local.size + session.size).toBe(0);
  });
});
