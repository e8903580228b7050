/**
 * Environment variables that override the config file, so a service unit or
 * a container can change ports, the broker or the data folder without
 * editing the office's YAML. Applied to the parsed tree BEFORE validation,
 * so overridden values are checked like any other.
 */

/** One supported variable, the config path it sets, and how its text becomes a value. */
interface Override {
  readonly env: string;
  readonly path: readonly string[];
  readonly parse: (text: string) => unknown;
}

/** Digits become a number (the file must write numbers unquoted; a variable is always text); anything else is kept for the validator to name. */
const integer = (text: string): unknown => (/^\s*\d+\s*$/.test(text) ? Number(text) : text);

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Every environment override, by variable name. */
export const ENV_OVERRIDES: readonly Override[] = [
  { env: 'HAILONG_MQTT_URLS', path: ['mqtt', 'urls'], parse: list },
  { env: 'HAILONG_MQTT_USERNAME', path: ['mqtt', 'username'], parse: (t) => t },
  { env: 'HAILONG_MQTT_PASSWORD', path: ['mqtt', 'password'], parse: (t) => t },
  { env: 'HAILONG_MQTT_CA_FILE', path: ['mqtt', 'caFile'], parse: (t) => t },
  { env: 'HAILONG_BROKER_PORT', path: ['broker', 'port'], parse: integer },
  { env: 'HAILONG_WEB_PORT', path: ['web', 'port'], parse: integer },
  { env: 'HAILONG_SERIAL_PORTS', path: ['serial', 'ports'], parse: (t) => (t.trim() === 'auto' ? 'auto' : list(t)) },
  { env: 'HAILONG_DATA_DIR', path: ['dataDir'], parse: (t) => t },
  { env: 'HAILONG_UPSTREAM_URLS', path: ['upstream', 'urls'], parse: list },
  { env: 'HAILONG_UPSTREAM_USERNAME', path: ['upstream', 'username'], parse: (t) => t },
  { env: 'HAILONG_UPSTREAM_PASSWORD', path: ['upstream', 'password'], parse: (t) => t },
  { env: 'HAILONG_UPSTREAM_CA_FILE', path: ['upstream', 'caFile'], parse: (t) => t },
];

/**
 * Returns a copy of `tree` with every set variable applied, and a map from
 * the config path (`web.port`) to the variable that set it, so problems
 * can name the variable rather than a line the file does not have.
 */
export function applyEnvOverrides(
  tree: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { tree: unknown; fromEnv: Map<string, string> } {
  const fromEnv = new Map<string, string>();
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) return { tree, fromEnv };
  const root: Record<string, unknown> = { ...(tree as Record<string, unknown>) };
  for (const o of ENV_OVERRIDES) {
    const text = env[o.env];
    if (text === undefined || text === '') continue;
    let node = root;
    for (const key of o.path.slice(0, -1)) {
      const child = node[key];
      const copy = typeof child === 'object' && child !== null && !Array.isArray(child) ? { ...(child as Record<string, unknown>) } : {};
      node[key] = copy;
      node = copy;
    }
    node[o.path[o.path.length - 1] as string] = o.parse(text);
    fromEnv.set(o.path.join('.'), o.env);
  }
  return { tree: root, fromEnv };
}
