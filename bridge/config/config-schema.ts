/**
 * The JSON Schemas of the config files (schema/hailong.schema.json,
 * schema/hub.schema.json), compiled with ajv, and their refusals as
 * `ConfigProblem`s with the validator's paths (`counters[0].terminals[1].uid`),
 * so a line can be added by the same YAML mapping as load-config.ts does.
 * The schemas give editors completion and checks (`# yaml-language-server:
 * $schema=…` in the example files); the rules across fields stay in
 * validate-config.ts / validate-hub-config.ts, and
 * test/bridge/config/config-schema.test.ts keeps the two in step: whatever
 * the schema refuses, the validator refuses at the same path.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { PACKAGE_ROOT } from '../commands/command-io.ts';
import { join as joinPath, type ConfigProblem } from './config-problem.ts';

/** Which config file a schema describes. */
export type SchemaName = 'hailong' | 'hub';

const compiled = new Map<SchemaName, ValidateFunction>();

/** The schema file of `name`, parsed. */
export function configSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schema', `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
}

function validator(name: SchemaName): ValidateFunction {
  let v = compiled.get(name);
  if (v === undefined) {
    // allErrors: every problem at once, like the code validator; strict
    // refuses a typo'd keyword in the schema itself (strictRequired is off:
    // `not: {required: [uid]}` names keys defined beside it, not under it).
    v = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(configSchema(name));
    compiled.set(name, v);
  }
  return v;
}

/** `/counters/0/uid` → `counters[0].uid` (JSON Pointer, RFC 6901, to the validator's path syntax). */
function pathOf(pointer: string, child?: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    path = /^[0-9]+$/.test(key) ? joinPath(path, Number(key)) : joinPath(path, key);
  }
  return child === undefined ? path : joinPath(path, child);
}

/** The path an ajv error is about: the missing or unknown key itself where it names one. */
function errorPath(e: ErrorObject): string {
  const params = e.params as { missingProperty?: string; additionalProperty?: string };
  return pathOf(e.instancePath, params.missingProperty ?? params.additionalProperty);
}

/** Every refusal of `tree` by the schema `name`; empty when it conforms. Never throws. */
export function schemaProblems(name: SchemaName, tree: unknown): ConfigProblem[] {
  const v = validator(name);
  if (v(tree)) return [];
  return (v.errors ?? []).map((e) => ({ path: errorPath(e) || '(file)', message: e.message ?? e.keyword }));
}
