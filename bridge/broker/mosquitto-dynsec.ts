/**
 * The configuration file of Mosquitto's dynamic-security plugin for
 * hailong's broker accounts: one client per account with its PBKDF2 password
 * hash, one role per account holding exactly the grants of access.ts, and
 * client ids bound to accounts.
 *
 * Format and semantics are those of Mosquitto 2.0.11's plugin
 * (https://mosquitto.org/documentation/dynamic-security/; source
 * eclipse/mosquitto plugins/dynamic-security, v2.0.11):
 * - a client's password is PBKDF2-HMAC-SHA512 over a 12-byte salt, both
 *   base64, with `iterations` (auth.c `dynsec_auth__pw_hash`, SALT_LEN 12 in
 *   src/password_mosq.h); a client whose salt or hash has the wrong length
 *   is silently left out, so `mosquittoDynsec` checks what it writes;
 * - a client with `clientid` may connect only with that id (auth.c
 *   `dynsec_auth__basic_auth_callback`); nothing keeps other accounts off an
 *   id, so the ids of kiosks and bridges end in a password-derived suffix
 *   (core/client-id.ts);
 * - `publishClientSend` is checked on every publish, `publishClientReceive`
 *   on every delivery (retained ones included), first match wins, then
 *   `defaultACLAccess` (acl.c). Subscribing is allowed by default and every
 *   delivery filtered: the semantics of Mosquitto's `acl_file` that access.ts
 *   is written for. `$CONTROL/…` (the plugin's admin API) never falls through
 *   to a default, and no role grants it: nobody can change accounts at run time.
 * - `anonymousGroup`: the roles of clients without a username.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { anonymousPrincipal, grantsOf, ownKioskClientId, type Principal } from './access.ts';
import type { AnonymousAccess, BrokerUser } from './broker-user.ts';
import { requireBrokerUsers } from './broker-user-check.ts';

/** PBKDF2 iterations: Mosquitto's own default (`PW_DEFAULT_ITERATIONS`, what `mosquitto_passwd` writes). */
export const DYNSEC_ITERATIONS = 101;

/** Salt length the plugin requires, in bytes (`SALT_LEN`). */
export const DYNSEC_SALT_BYTES = 12;

/** Name of the role and group of clients without a username. */
export const ANONYMOUS_ROLE = 'hailong-anonymous';

/** Options of `mosquittoDynsec`. */
export interface DynsecOptions {
  /**
   * Username → the only client id that account may connect with, for
   * accounts other than kiosks (a kiosk is always bound to its own id,
   * `ownKioskClientId`). Accounts not listed may use any id.
   * @default {}
   */
  readonly clientIds?: Readonly<Record<string, string>>;
  /**
   * A fresh 12-byte salt per account (tests inject a fixed one).
   * @default crypto.randomBytes
   */
  readonly salt?: () => Uint8Array;
}

/** One role ACL entry of the plugin's JSON. */
interface DynsecAcl {
  readonly acltype: 'publishClientSend' | 'publishClientReceive';
  readonly topic: string;
  readonly allow: true;
}

/** The name of the role holding `username`'s grants. */
export function roleOf(username: string): string {
  return `hailong-account-${username}`;
}

function aclsOf(principal: Principal): DynsecAcl[] {
  return grantsOf(principal).map((g) => ({
    acltype: g.access === 'write' ? 'publishClientSend' : 'publishClientReceive',
    topic: g.filter,
    allow: true,
  }));
}

function describeUser(u: BrokerUser): string {
  const place = [u.district, u.ward, u.counter, u.terminal].filter((x) => x !== undefined).join('/');
  return `${u.role} of ${place}`;
}

/**
 * The client id `user` is bound to on Mosquitto, or undefined when it may
 * use any: a kiosk its own; others as listed in `clientIds`.
 */
export function boundClientId(user: BrokerUser, clientIds: Readonly<Record<string, string>> = {}): string | undefined {
  return user.role === 'kiosk' ? ownKioskClientId(user) : clientIds[user.username];
}

/**
 * The plugin's JSON config (`plugin_opt_config_file`) for `users` and the
 * anonymous setting. Throws on invalid users or a bad salt (programmer errors).
 */
export function mosquittoDynsec(users: readonly BrokerUser[], anonymous: AnonymousAccess, options: DynsecOptions = {}): string {
  const valid = requireBrokerUsers(users);
  const salt = options.salt ?? (() => randomBytes(DYNSEC_SALT_BYTES));
  const clientIds = options.clientIds ?? {};
  for (const name of Object.keys(clientIds)) {
    if (!valid.some((u) => u.username === name)) throw new TypeError(`"clientIds" names ${name}, who is not among the users`);
  }
  const roles = valid.map((u) => ({ rolename: roleOf(u.username), textname: describeUser(u), acls: aclsOf(u) }));
  const clients = valid.map((u) => {
    const s = Buffer.from(salt());
    if (s.length !== DYNSEC_SALT_BYTES) throw new TypeError(`"salt" must give ${DYNSEC_SALT_BYTES} bytes, got ${s.length}`);
    // The plugin hashes the password bytes of CONNECT (UTF-8) with strlen: the same bytes as here.
    const hash = pbkdf2Sync(Buffer.from(u.password, 'utf8'), s, DYNSEC_ITERATIONS, 64, 'sha512');
    const id = boundClientId(u, clientIds);
    return {
      username: u.username,
      textname: describeUser(u),
      ...(id === undefined ? {} : { clientid: id }),
      password: hash.toString('base64'),
      salt: s.toString('base64'),
      iterations: DYNSEC_ITERATIONS,
      roles: [{ rolename: roleOf(u.username) }],
    };
  });
  const read = anonymous === 'read';
  const config = {
    // Deliveries and publishes are refused unless a role grants them; subscribing is free and every delivery filtered.
    defaultACLAccess: { publishClientSend: false, publishClientReceive: false, subscribe: true, unsubscribe: true },
    clients,
    groups: read ? [{ groupname: ANONYMOUS_ROLE, textname: 'clients without a username', roles: [{ rolename: ANONYMOUS_ROLE }] }] : [],
    ...(read ? { anonymousGroup: ANONYMOUS_ROLE } : {}),
    roles: read
      ? [
          ...roles,
          { rolename: ANONYMOUS_ROLE, textname: 'clients without a username: read-only', acls: aclsOf(anonymousPrincipal('read')) },
        ]
      : roles,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
