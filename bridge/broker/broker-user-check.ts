/**
 * Validation of broker accounts (`BrokerUser`), shared by the embedded Aedes
 * broker and `hailong mosquitto-config`. Pure: no I/O. The config loader
 * calls `brokerUserProblems` to report every problem at once; the broker and
 * the generator call `requireBrokerUsers`, which throws on a programmer error
 * (an unvalidated list reaching them).
 */
import { parseId } from '../../core/ids.ts';
import { BROKER_ROLES, type BrokerUser } from './broker-user.ts';

/**
 * Usernames: ASCII letters, digits and `. _ @ -`, 1–64 chars. Deliberately
 * narrow: a username lands in config files of several brokers (Mosquitto's
 * dynamic-security JSON and role names, NATS accounts), logs and shell
 * commands, and none of those can be allowed to split or comment it.
 */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** Longest password, in characters (Mosquitto's `mosquitto_passwd` refuses longer ones). */
export const PASSWORD_MAX_LENGTH = 512;

/** Which place fields each role must have (`required`) and must not have (`forbidden`). */
const ROLE_FIELDS: Readonly<
  Record<BrokerUser['role'], { readonly required: readonly PlaceField[]; readonly forbidden: readonly PlaceField[] }>
> = {
  bridge: { required: ['district', 'ward'], forbidden: ['counter', 'terminal'] },
  kiosk: { required: ['district', 'ward', 'counter', 'terminal'], forbidden: [] },
  desk: { required: ['district', 'ward'], forbidden: ['terminal'] },
  dashboard: { required: ['district'], forbidden: ['counter', 'terminal'] },
  hub: { required: ['district'], forbidden: ['ward', 'counter', 'terminal'] },
};

type PlaceField = 'district' | 'ward' | 'counter' | 'terminal';
const PLACE_FIELDS: readonly PlaceField[] = ['district', 'ward', 'counter', 'terminal'];

/** Why `name` cannot be a broker username, or undefined when it can. */
export function usernameProblem(name: unknown, field = 'username'): string | undefined {
  if (typeof name !== 'string') return `${field} must be a string`;
  if (USERNAME_PATTERN.test(name)) return undefined;
  return `${field} ${JSON.stringify(name.slice(0, 80))} must be 1–64 chars of A-Z a-z 0-9 . _ @ -, starting with a letter or digit`;
}

/** Why `password` cannot be a broker password, or undefined when it can. */
export function passwordProblem(password: unknown, field = 'password'): string | undefined {
  if (typeof password !== 'string') return `${field} must be a string`;
  if (password.length === 0) return `${field} is empty`;
  if (password.length > PASSWORD_MAX_LENGTH) return `${field} is longer than ${PASSWORD_MAX_LENGTH} chars`;
  // Control characters cannot be typed into a client's settings screen and
  // would break the line-based files Mosquitto reads.
  if (/[\u0000-\u001f\u007f]/.test(password)) return `${field} contains a control character (newline, tab, …)`;
  return undefined;
}

/**
 * Every problem of a user list, each naming its field (`users[2].ward`):
 * bad usernames, passwords or ids, place fields missing or not allowed for the
 * role, duplicate usernames. Empty when the list is valid. Never throws.
 */
export function brokerUserProblems(users: unknown, argument = 'users'): string[] {
  if (!Array.isArray(users)) return [`${argument} must be an array`];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  users.forEach((user: unknown, i) => {
    const at = `${argument}[${i}]`;
    if (typeof user !== 'object' || user === null) {
      problems.push(`${at} must be an object`);
      return;
    }
    const u = user as Partial<Record<keyof BrokerUser, unknown>>;
    const nameProblem = usernameProblem(u.username, `${at}.username`);
    if (nameProblem) problems.push(nameProblem);
    else {
      const first = seen.get(u.username as string);
      if (first !== undefined) problems.push(`${at}.username ${String(u.username)} is also used by ${argument}[${first}]`);
      else seen.set(u.username as string, i);
    }
    const pwProblem = passwordProblem(u.password, `${at}.password`);
    if (pwProblem) problems.push(pwProblem);
    if (!BROKER_ROLES.includes(u.role as BrokerUser['role'])) {
      problems.push(`${at}.role must be one of ${BROKER_ROLES.join(', ')}, got ${JSON.stringify(u.role)}`);
      return;
    }
    const rules = ROLE_FIELDS[u.role as BrokerUser['role']];
    for (const field of PLACE_FIELDS) {
      const value = u[field];
      if (value === undefined) {
        if (rules.required.includes(field)) problems.push(`${at}.${field} is required for role ${String(u.role)}`);
      } else if (rules.forbidden.includes(field)) {
        problems.push(`${at}.${field} is not allowed for role ${String(u.role)}`);
      } else {
        const id = parseId(value, `${at}.${field}`);
        if (!id.ok) problems.push(id.message);
      }
    }
  });
  return problems;
}

/**
 * Asserts a validated user list (a programmer error otherwise): throws one
 * TypeError listing every problem. Returns a frozen copy of each user.
 */
export function requireBrokerUsers(users: readonly BrokerUser[], argument = 'users'): readonly BrokerUser[] {
  const problems = brokerUserProblems(users, argument);
  if (problems.length > 0) throw new TypeError(problems.join('; '));
  return Object.freeze(users.map((u) => Object.freeze({ ...u })));
}
