/**
 * The JSON Schemas (schema/*.schema.json) against the code validators: the
 * example files conform to both, and whatever the schema refuses the code
 * refuses too, at the same path (or one inside it), so an editor never flags
 * a file that `hailong check` would pass on the same grounds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { schemaProblems, type SchemaName } from '../../../bridge/config/config-schema.ts';
import { validateConfig } from '../../../bridge/config/validate-config.ts';
import { validateHubConfig } from '../../../bridge/hub/validate-hub-config.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');
const EXAMPLES: Record<SchemaName, string> = { hailong: 'hailong.example.yaml', hub: 'hub.example.yaml' };
const codeValidate = (name: SchemaName, tree: unknown) => (name === 'hailong' ? validateConfig(tree) : validateHubConfig(tree));
const example = (name: SchemaName): unknown => parse(readFileSync(join(REPO, EXAMPLES[name]), 'utf8'));

/**
 * Blocks the code decodes with a core parser that stops at the block's first
 * problem (core/opening-hours.ts), so a schema problem further on in it is
 * matched by the block.
 */
const FIRST_PROBLEM_ONLY = ['openingHours'];

/** True when one path is the other or lies inside it (`a.b` and `a.b[0].c`). */
function related(a: string, b: string): boolean {
  const inside = (x: string, y: string) => x === y || x.startsWith(`${y}.`) || x.startsWith(`${y}[`) || y === '(file)';
  const block = FIRST_PROBLEM_ONLY.find((k) => inside(a, k));
  return inside(a, b) || inside(b, a) || (block !== undefined && inside(b, block));
}

/** Values a config field may wrongly (or rightly) hold; no null (YAML's empty value is the same as absent to the code). */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.integer({ min: -2, max: 70_000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('auto', 'touch', 'button', 'open', 'gated', 'read', 'desk', 'phường', 'quay-9', '07:30', '602417', 'mqtt://10.0.0.1:1883', 'mqtts://hub.example:8883'),
  ),
  any: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('any'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('id', 'name', 'kind', 'x'), tie('any'), { maxKeys: 2, noNullPrototype: true })),
})).any;

type Tree = Record<string, unknown> | unknown[];

/** Every [container, key] in `tree`, so a mutation can reach any field. */
function slots(tree: unknown, out: [Tree, string | number][] = []): [Tree, string | number][] {
  if (typeof tree !== 'object' || tree === null) return out;
  for (const [k, v] of Object.entries(tree)) {
    out.push([tree as Tree, Array.isArray(tree) ? Number(k) : k]);
    slots(v, out);
  }
  return out;
}

/** The example with a few fields replaced, deleted or added. */
function mutated(name: SchemaName): fc.Arbitrary<unknown> {
  const edit = fc.record({ at: fc.nat(), op: fc.constantFrom('set', 'delete', 'add'), value, key: fc.constantFrom('id', 'uid', 'port', 'pin', 'password', 'kind', 'typo') });
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    const tree = example(name);
    for (const e of edits) {
      const all = slots(tree);
      const [parent, key] = all[e.at % all.length] as [Tree, string | number];
      const holder = parent as Record<string | number, unknown>;
      if (e.op === 'set') holder[key] = e.value;
      else if (e.op === 'delete' && !Array.isArray(parent)) delete holder[key];
      else if (typeof holder[key] === 'object' && holder[key] !== null && !Array.isArray(holder[key])) (holder[key] as Record<string, unknown>)[e.key] = e.value;
    }
    return tree;
  });
}

describe.each(['hailong', 'hub'] as const)('schema/%s.schema.json', (name) => {
  it('accepts the example file, as the code validator does', () => {
    expect(schemaProblems(name, example(name))).toEqual([]);
    expect(codeValidate(name, example(name)).ok).toBe(true);
  });

  it('names itself at the top of the example, for editors (yaml-language-server)', () => {
    const first = readFileSync(join(REPO, EXAMPLES[name]), 'utf8').split('\n')[0];
    expect(first).toBe(`# yaml-language-server: $schema=./schema/${name}.schema.json`);
  });

  it('refuses only what the code refuses, at the same path', () => {
    fc.assert(
      fc.property(mutated(name), (tree) => {
        const bySchema = schemaProblems(name, tree);
        if (bySchema.length === 0) return;
        const byCode = codeValidate(name, tree);
        expect(byCode.ok, `schema refused ${JSON.stringify(bySchema)} but the code accepted`).toBe(false);
        if (byCode.ok) return;
        for (const s of bySchema) {
          expect(
            byCode.problems.some((c) => related(s.path, c.path)),
            `schema: ${s.path} ${s.message}; code: ${byCode.problems.map((c) => c.path).join(', ')}`,
          ).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a typo, a wrong type and a value out of range, as the code does', () => {
    const tree = example(name) as Record<string, unknown>;
    tree.taget = 80;
    (tree.web as Record<string, unknown>).port = 70_000;
    tree.dataDir = 42;
    const paths = schemaProblems(name, tree).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['taget', 'web.port', 'dataDir']));
    const code = codeValidate(name, tree);
    expect(code.ok ? [] : code.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['taget', 'web.port', 'dataDir']));
  });

});

describe('found by the property above', () => {
  it('a list is neither a uid nor a PIN, for the code as for the schema ([1000] once passed as "1000")', () => {
    const tree = example('hailong') as { counters: { terminals: Record<string, unknown>[] }[] };
    (tree.counters[0]?.terminals[0] as Record<string, unknown>).uid = ['HL328P-1E9A0F3C'];
    (tree.counters[2]?.terminals[0] as Record<string, unknown>).pin = [602417];
    const code = validateConfig(tree);
    expect(code.ok ? [] : code.problems.map((p) => p.path)).toEqual(['counters[0].terminals[0].uid', 'counters[2].terminals[0].pin']);
    expect(schemaProblems('hailong', tree).map((p) => p.path)).toEqual(['counters[0].terminals[0].uid', 'counters[2].terminals[0].pin']);
  });
});
