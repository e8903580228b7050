/**
 * The JSON Schemas of the config files (schema/hailong.schema.json,
 * schema/hub.schema.json), compiled once with ajv: the validator of the
 * files' shape and of every per-field rule (types, ranges, patterns, keys
 * that belong together or exclude each other). The same files give editors
 * completion and checks (`# yaml-language-server: $schema=…` in the example
 * files), so an editor and `hailong check` judge a field alike. What a schema
 * cannot say (duplicates, references between sections, URLs that parse)
 * stays in code: office-rules.ts and bridge/hub/validate-hub-config.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { PACKAGE_ROOT } from '../package-root.ts';
import type { ConfigProblem } from './config-problem.ts';
import { wordErrors, type SchemaName } from './schema-messages.ts';

export type { SchemaName };

const compiled = new Map<SchemaName, ValidateFunction>();

/** The schema file of `name`, parsed. */
export function configSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schema', `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
}

function validator(name: SchemaName): ValidateFunction {
  let v = compiled.get(name);
  if (v === undefined) {
    // allErrors: every problem at once. verbose: each error carries the value
    // and the schema it failed, which the messages quote (schema-messages.ts).
    // strict refuses a typo'd keyword in the schema itself (strictRequired is
    // off: `required` inside `if` names keys defined beside it, not under it).
    v = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(configSchema(name));
    compiled.set(name, v);
  }
  return v;
}

/**
 * Every refusal of `tree` by the schema `name`, one worded problem per path
 * (`counters[0].terminals[1].uid`); empty when it conforms. Never throws.
 */
export function schemaProblems(name: SchemaName, tree: unknown): ConfigProblem[] {
  const v = validator(name);
  if (v(tree)) return [];
  return wordErrors(name, v.errors ?? [], tree);
}
