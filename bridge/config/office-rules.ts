/**
 * The office config's rules that a JSON Schema cannot say, because they
 * compare fields with each other or read a value the way a library will
 * (schema/hailong.schema.json says the rest): ids, uids, ports and accounts
 * listed twice; a kiosk's password that the embedded broker needs only when
 * there is no external one; accounts that name a counter of `counters`; two
 * listeners on one port; broker URLs that parse and dial. They run beside
 * the schema on a tree it may have refused, reading it defensively
 * (config-tree.ts), so one run names every problem.
 */
import { STANDARD_REASON_IDS } from '../../core/reason.ts';
import { brokerUrlProblem } from './broker-urls.ts';
import { join, type ConfigProblem } from './config-problem.ts';
import { intAt, listAt, nodeAt, scalarText, textAt, valueAt } from './config-tree.ts';
import { upstreamProblems } from './upstream-config.ts';

/** Username the bridge itself uses on the embedded broker; no configured account may take it. */
export const BRIDGE_USERNAME = 'hailong-bridge';

/** Records the first place of each value; a second one is a problem at its path. */
class Seen {
  private readonly first = new Map<string, string>();
  constructor(private readonly problems: ConfigProblem[]) {}

  /** Records `value` at `path`; `message(firstPath)` words a repeat. */
  note(value: string | undefined, path: string, message: (firstPath: string) => string): void {
    if (value === undefined) return;
    const first = this.first.get(value);
    if (first === undefined) this.first.set(value, path);
    else this.problems.push({ path, message: message(first) });
  }
}

/** The URLs of `mqtt.urls` that parse and dial; the others are problems. */
function mqttUrls(tree: unknown, problems: ConfigProblem[]): string[] {
  const good: string[] = [];
  listAt(nodeAt(tree, 'mqtt'), 'urls').forEach((u, i) => {
    if (typeof u !== 'string') return;
    const problem = brokerUrlProblem(u);
    if (problem === undefined) good.push(u);
    else problems.push({ path: join('mqtt.urls', i), message: problem });
  });
  return good;
}

function counterProblems(tree: unknown, embedded: boolean, problems: ConfigProblem[]): void {
  const counters = new Seen(problems);
  // Vote ids are `terminal:seq` and consumers dedupe per ward, so a terminal
  // id must be unique in the whole ward, not just its counter.
  const terminals = new Seen(problems);
  const uids = new Seen(problems);
  const ports = new Seen(problems);
  listAt(tree, 'counters').forEach((counter, i) => {
    const path = join('counters', i);
    counters.note(textAt(counter, 'id'), join(path, 'id'), () => `counter ${String(textAt(counter, 'id'))} is listed twice`);
    listAt(counter, 'terminals').forEach((t, j) => {
      const at = join(join(path, 'terminals'), j);
      const id = textAt(t, 'id');
      terminals.note(id, join(at, 'id'), (first) => `terminal ${String(id)} is already used at ${first}`);
      uids.note(textAt(t, 'uid'), join(at, 'uid'), (first) => `uid ${String(textAt(t, 'uid'))} is already assigned at ${first}`);
      const port = valueAt(t, 'port');
      if (typeof port === 'string') ports.note(port, join(at, 'port'), (first) => `port ${port} is already pinned at ${first}`);
      // Kiosks log in to the embedded broker with their terminal id and this password.
      if (embedded && valueAt(t, 'kind') === 'touch' && valueAt(t, 'password') === undefined) {
        problems.push({
          path: join(at, 'password'),
          message: `is required: it is kiosk ${String(id)}'s account on the embedded broker (username = terminal id)`,
        });
      }
    });
  });
}

function brokerUserProblems(tree: unknown, problems: ConfigProblem[]): void {
  const counters = listAt(tree, 'counters');
  const counterIds = new Set(counters.map((c) => textAt(c, 'id')));
  const kiosks = new Set(
    counters.flatMap((c) =>
      listAt(c, 'terminals')
        .filter((t) => valueAt(t, 'kind') === 'touch')
        .map((t) => textAt(t, 'id')),
    ),
  );
  const usernames = new Seen(problems);
  listAt(nodeAt(tree, 'broker'), 'users').forEach((u, i) => {
    const path = join('broker.users', i);
    const username = valueAt(u, 'username');
    if (typeof username === 'string') {
      // The bridge's and each kiosk's accounts are derived, not listed (bridge/hailong-app.ts).
      if (username === BRIDGE_USERNAME)
        problems.push({ path: join(path, 'username'), message: `${username} is reserved for the bridge itself` });
      else if (kiosks.has(username))
        problems.push({ path: join(path, 'username'), message: `${username} is a kiosk's terminal id, which is that kiosk's account` });
      else usernames.note(username, join(path, 'username'), () => `${username} is listed twice`);
    }
    const counter = textAt(u, 'counter');
    if (counter !== undefined && !counterIds.has(counter))
      problems.push({ path: join(path, 'counter'), message: `no counter ${counter} in counters` });
  });
}

/** Ports on this PC: one process opens the broker's and the web server's listener (issue 17). */
function portProblems(tree: unknown, urls: readonly string[], problems: ConfigProblem[]): void {
  const web = intAt(nodeAt(tree, 'web'), 'port', 8080);
  const broker = intAt(nodeAt(tree, 'broker'), 'port', 1883);
  if (web === undefined || web === 0) return;
  if (urls.length === 0 && broker === web) {
    problems.push({
      path: 'web.port',
      message: `is ${web}, the same port as broker.port: the embedded MQTT broker and the web server each need a port of their own`,
    });
  }
  // An external broker on this PC cannot share the web server's port either.
  listAt(nodeAt(tree, 'mqtt'), 'urls').forEach((u, i) => {
    if (typeof u !== 'string' || !urls.includes(u)) return;
    const url = new URL(u);
    if (['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) && Number(url.port) === web) {
      problems.push({
        path: join('mqtt.urls', i),
        message: `${u} is on this PC at web.port (${web}): the broker and the web server each need a port of their own`,
      });
    }
  });
}

/** Every problem of the office config's rules across fields; empty when there is none. Never throws. */
export function officeRuleProblems(tree: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const officers = new Seen(problems);
  listAt(tree, 'officers').forEach((o, i) =>
    officers.note(textAt(o, 'id'), join(join('officers', i), 'id'), () => `officer ${String(textAt(o, 'id'))} is listed twice`),
  );
  const rating = nodeAt(tree, 'rating');
  const reasons = new Seen(problems);
  (rating.reasons === undefined ? STANDARD_REASON_IDS : listAt(rating, 'reasons')).forEach((r, i) => {
    const id = scalarText(r);
    reasons.note(id, join('rating.reasons', i), () => `${String(id)} is listed twice`);
  });
  const urls = mqttUrls(tree, problems);
  counterProblems(tree, urls.length === 0, problems);
  brokerUserProblems(tree, problems);
  portProblems(tree, urls, problems);
  const own = { urls, ...(urls.length === 0 ? { embeddedPort: intAt(nodeAt(tree, 'broker'), 'port', 1883) ?? 1883 } : {}) };
  problems.push(...upstreamProblems(valueAt(tree, 'upstream'), own));
  return problems;
}
