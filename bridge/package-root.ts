/**
 * The package root: where package.json, schema/ and dist/ are, from the
 * sources (bridge/) as from the build (dist/node/bridge/) or an installed
 * package. Its own module so that config validation (which reads schema/)
 * does not import the command layer.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The nearest folder above this module with package.json. */
export const PACKAGE_ROOT = ((): string => {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
