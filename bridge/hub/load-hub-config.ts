/**
 * Reads a hub's YAML config file and validates it once, every problem with
 * its path and line (the office config's loader, with the hub validator).
 * Also tells the two kinds of config apart for `hailong check`.
 */
import { parseYamlConfig, readConfigFile, type LoadOutcome } from '../config/load-config.ts';
import type { HubConfig } from './hub-config.ts';
import { validateHubConfig } from './validate-hub-config.ts';

/** Which kind of config a file is: an office's (`counters:`) or a hub's (`units:`, or `province:`). */
export type ConfigKind = 'office' | 'hub';

/**
 * The kind of a config by its top-level keys: a hub lists `units` (or is a
 * `province`), an office lists `counters`. Anything else is judged an
 * office, whose validator then names what is missing.
 */
export function configKindOf(text: string): ConfigKind {
  // A light look at top-level keys (column 0), before any parsing: a
  // broken file still gets the validator of the kind it was meant to be.
  const keys = new Set([...text.matchAll(/^([A-Za-z]+)\s*:/gm)].map((m) => m[1]));
  if (keys.has('counters')) return 'office';
  return keys.has('units') || keys.has('province') ? 'hub' : 'office';
}

/** Parses and validates hub config text; `file` names it in messages. */
export function parseHubConfigText(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>> = {},
): LoadOutcome<HubConfig> {
  return parseYamlConfig(text, file, env, validateHubConfig);
}

/** Reads `file` and validates it as a hub config; a missing file is a problem, not an exception. */
export async function loadHubConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<LoadOutcome<HubConfig>> {
  const text = await readConfigFile(file, 'hub.example.yaml');
  if (typeof text !== 'string') return text;
  return parseHubConfigText(text, file, env);
}
