/**
 * Every kiosk's broker account, derived from the office config: a kiosk
 * signs in as its terminal id with the password of its terminal entry.
 */
import type { BrokerUser } from './broker-user.ts';

/** The parts of the office config the kiosk accounts come from (HailongConfig fits). */
export interface KioskUsersSource {
  readonly district: { readonly id: string };
  readonly ward: { readonly id: string };
  readonly counters: readonly {
    readonly id: string;
    readonly terminals: readonly { readonly id: string; readonly kind: string; readonly password?: string }[];
  }[];
}

/**
 * The broker account of every kiosk (touch terminal): username = terminal id,
 * password from the terminal's entry, scoped to its terminal. The same accounts on
 * the embedded broker and in `hailong mosquitto-config`. Never throws.
 */
export function kioskUsersOf(config: KioskUsersSource): {
  readonly users: readonly BrokerUser[];
  readonly problems: readonly string[];
} {
  const users: BrokerUser[] = [];
  const problems: string[] = [];
  for (const counter of config.counters) {
    for (const t of counter.terminals) {
      if (t.kind !== 'touch') continue;
      if (t.password === undefined) {
        problems.push(`counters[${counter.id}].terminals[${t.id}].password is required: it is kiosk ${t.id}'s broker account`);
        continue;
      }
      users.push({
        username: t.id,
        password: t.password,
        role: 'kiosk',
        district: config.district.id,
        ward: config.ward.id,
        counter: counter.id,
        terminal: t.id,
      });
    }
  }
  return { users, problems };
}
