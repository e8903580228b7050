/**
 * The embedded broker's sign-in check: a username and password against the
 * configured accounts (SHA-256 digests compared in constant time), or the
 * anonymous principal when allowed, then the client id against the account
 * (item 7 of issue 13). Answers with the principal or the CONNACK code to
 * refuse with.
 *
 * Separate from embedded-broker.ts because it is the one place passwords
 * are handled; the Aedes `authenticate` hook (aedes-hooks.ts) only calls it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { clientIdProblem, type Principal } from './access.ts';
import type { BrokerUser } from './broker-user.ts';

/** MQTT 3.1.1 CONNACK code 5, "not authorized": what Mosquitto 2.0 answers to a bad password too. */
export const CONNACK_NOT_AUTHORIZED = 5;

/** MQTT 3.1.1 CONNACK code 2, "identifier rejected": a client id that belongs to another account. */
export const CONNACK_IDENTIFIER_REJECTED = 2;

/** An account with the SHA-256 of its password, compared in constant time. */
export interface BrokerAccount {
  readonly user: BrokerUser;
  readonly digest: Buffer;
}

/** What `signIn` answers: the principal, or why not and the CONNACK code. */
export type SignInOutcome = { principal: Principal } | { reason: string; code: number };

function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/** The accounts by username, each with the digest of its password. */
export function brokerAccounts(users: readonly BrokerUser[]): ReadonlyMap<string, BrokerAccount> {
  return new Map(users.map((user) => [user.username, { user, digest: sha256(user.password) }]));
}

/**
 * Checks a CONNECT's credentials and client id. `anonymous` is the
 * principal of clients without a username, or undefined when they are not
 * allowed.
 */
export function signIn(
  accounts: ReadonlyMap<string, BrokerAccount>,
  anonymous: Principal | undefined,
  username: string | undefined,
  password: Buffer | undefined,
  clientId: string,
): SignInOutcome {
  const outcome = checkPassword(accounts, anonymous, username, password);
  if (!('principal' in outcome)) return { reason: outcome.reason, code: CONNACK_NOT_AUTHORIZED };
  // Item 7 of issue 13: a client id already in use takes that session over, so ids are bound to accounts.
  const problem = clientIdProblem(outcome.principal, clientId);
  return problem === undefined ? outcome : { reason: problem, code: CONNACK_IDENTIFIER_REJECTED };
}

function checkPassword(
  accounts: ReadonlyMap<string, BrokerAccount>,
  anonymous: Principal | undefined,
  username: string | undefined,
  password: Buffer | undefined,
): { principal: Principal } | { reason: string } {
  if (username === undefined) {
    if (password !== undefined) return { reason: 'a password without a username' };
    if (anonymous === undefined) return { reason: 'anonymous clients are not allowed' };
    return { principal: anonymous };
  }
  const account = accounts.get(username);
  // Hash and compare even for an unknown user, so timing does not tell which usernames exist.
  const given = sha256(password ?? '');
  const expected = account?.digest ?? sha256('\u0000no such user');
  const same = timingSafeEqual(given, expected);
  if (account === undefined) return { reason: 'unknown username' };
  if (password === undefined || !same) return { reason: 'wrong password' };
  return { principal: account.user };
}
