/**
 * Random mutations of the shipped example configs (hailong.example.yaml,
 * hub.example.yaml) for the property tests of the loader and the schemas:
 * a few fields replaced, deleted or added anywhere in the tree, or a line of
 * the file dropped or doubled. Most results are broken; some stay valid.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';

/** The two kinds of config file. */
export type ExampleName = 'hailong' | 'hub';

const REPO = join(import.meta.dirname, '..', '..', '..');

/** Path of the example file of `name`. */
export const EXAMPLE_FILES: Readonly<Record<ExampleName, string>> = {
  hailong: join(REPO, 'hailong.example.yaml'),
  hub: join(REPO, 'hub.example.yaml'),
};

/** The example's text. */
export function exampleText(name: ExampleName): string {
  return readFileSync(EXAMPLE_FILES[name], 'utf8');
}

/** The example, parsed (a fresh copy each call). */
export function exampleTree(name: ExampleName): unknown {
  return parse(exampleText(name));
}

/** Values a config field may wrongly (or rightly) hold; no null (YAML's empty value is the same as absent). */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.integer({ min: -2, max: 70_000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      'auto',
      'touch',
      'button',
      'open',
      'gated',
      'read',
      'desk',
      'phường',
      'quay-9',
      'hop-1',
      'HL-1',
      '07:30',
      '602417',
      'mqtt://10.0.0.1:1883',
      'mqtts://hub.example:8883',
      'mqtt://localhost:8080',
    ),
  ),
  any: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('any'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('id', 'name', 'kind', 'x'), tie('any'), { maxKeys: 2, noNullPrototype: true }),
  ),
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

/** The example's tree with one to three fields replaced, deleted or added. */
export function mutatedTree(name: ExampleName): fc.Arbitrary<unknown> {
  const edit = fc.record({
    at: fc.nat(),
    op: fc.constantFrom('set', 'delete', 'add'),
    value,
    key: fc.constantFrom('id', 'uid', 'port', 'pin', 'password', 'kind', 'counter', 'unit', 'username', 'typo'),
  });
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    const tree = exampleTree(name);
    for (const e of edits) {
      const all = slots(tree);
      const [parent, key] = all[e.at % all.length] as [Tree, string | number];
      const holder = parent as Record<string | number, unknown>;
      if (e.op === 'set') holder[key] = e.value;
      else if (e.op === 'delete' && !Array.isArray(parent)) delete holder[key];
      else if (typeof holder[key] === 'object' && holder[key] !== null && !Array.isArray(holder[key]))
        (holder[key] as Record<string, unknown>)[e.key] = e.value;
    }
    return tree;
  });
}

/** The example's text after a tree mutation (written back as YAML), or with one of its lines dropped or doubled. */
export function mutatedText(name: ExampleName): fc.Arbitrary<string> {
  const lines = exampleText(name).split('\n');
  const byLine = fc
    .record({ i: fc.nat({ max: lines.length - 1 }), twice: fc.boolean() })
    .map(({ i, twice }) =>
      [...lines.slice(0, i), ...(twice ? [lines[i] as string, lines[i] as string] : []), ...lines.slice(i + 1)].join('\n'),
    );
  return fc.oneof(
    mutatedTree(name).map((tree) => stringify(tree)),
    byLine,
  );
}
