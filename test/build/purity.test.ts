import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');

/** Compiler options of a project, read the way `tsc -b` reads them. */
function optionsOf(project: string): ts.CompilerOptions {
  const file = join(repo, project, 'tsconfig.json');
  const { config } = ts.readConfigFile(file, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config, ts.sys, join(repo, project)).options;
}

/** Type-checks one probe source under a project's options; returns the diagnostics' texts. */
function check(project: string, source: string): string[] {
  const options = { ...optionsOf(project), noEmit: true, composite: false, emitDeclarationOnly: false, declaration: false };
  const probe = join(repo, project, '__probe__.ts');
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError) => (name === probe ? ts.createSourceFile(name, source, lang) : read(name, lang, onError));
  host.fileExists = (
    (exists) => (name: string) =>
      name === probe || exists(name)
  )(host.fileExists.bind(host));
  const program = ts.createProgram([probe], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('runtime boundaries, enforced by tsconfig', () => {
  it('the pure core sees neither DOM nor Node', () => {
    const errors = check('core', 'export const leaks = [window, document, Buffer.from("x"), process.env];');
    expect(errors.join('\n')).toMatch(/Cannot find name 'window'/);
    expect(errors.join('\n')).toMatch(/Cannot find name 'document'/);
    expect(errors.join('\n')).toMatch(/Cannot find name 'Buffer'/);
    expect(errors.join('\n')).toMatch(/Cannot find name 'process'/);
  });

  it('the pure core still has the ECMAScript it needs (Intl, typed arrays)', () => {
    expect(check('core', 'export const x = [new Intl.NumberFormat("vi-VN"), new Uint8Array(1)];')).toEqual([]);
  });

  it('the bridge sees Node but not the DOM', () => {
    const errors = check('bridge', 'export const a = Buffer.from("x"); export const b = window;');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Cannot find name 'window'/);
  });

  it('the web apps see the DOM but not Node', () => {
    for (const app of ['dashboard', 'kiosk']) {
      const errors = check(app, 'export const a = document.title; export const b = Buffer.from("x");');
      expect(errors, app).toHaveLength(1);
      expect(errors[0], app).toMatch(/Cannot find name 'Buffer'/);
    }
  });

  it('no core or codec source imports a Node or browser module', () => {
    for (const dir of ['core', 'firmware-protocol/src']) {
      for (const file of readdirSync(join(repo, dir), { recursive: true }) as string[]) {
        if (!file.endsWith('.ts')) continue;
        const text = readFileSync(join(repo, dir, file), 'utf8');
        expect(text, `${dir}/${file}`).not.toMatch(/from ['"](node:|fs|path|os|child_process|serialport|mqtt|idb)/);
      }
    }
  });
});
