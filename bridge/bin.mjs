#!/usr/bin/env node
// The `hailong` executable (package.json "bin"): runs the TypeScript CLI
// through tsx's loader, so installs need no build step for the bridge.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
