import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');

/**
 * Loads the bridge's MQTT, broker and serial adapters in a fresh Node (the
 * module cache and DEBUG are per process) and reports what mqtt-packet's,
 * mqtt.js's and serialport's `debug` hand out, and whether the silencer ran
 * before mqtt-packet's parser created its logger (require.cache keeps load order).
 */
function probe(debugEnv: string | undefined): Record<string, unknown> {
  const script = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(join(repo, 'bridge', 'mqtt', 'mqtt-link.ts'))});
    await import(${JSON.stringify(join(repo, 'bridge', 'broker', 'embedded-broker.ts'))});
    await import(${JSON.stringify(join(repo, 'bridge', 'serial', 'serialport-opener.ts'))});
    const at = (...chain) => chain.reduce((from, pkg) => createRequire(from).resolve(pkg), ${JSON.stringify(join(repo, 'package.json'))});
    const require = createRequire(import.meta.url);
    const out = {};
    for (const [name, chain, ns] of [
      ['mqtt-packet', ['mqtt', 'mqtt-packet'], 'mqtt-packet:parser'],
      ['mqtt', ['mqtt'], 'mqttjs:client'],
      ['serialport', ['serialport', '@serialport/stream'], 'serialport/stream'],
    ]) {
      const debugPath = createRequire(at(...chain)).resolve('debug');
      const logger = require(debugPath)(ns);
      out[name] = { enabled: logger.enabled, real: 'useColors' in logger, returns: logger('x %o', { y: 1 }) ?? null };
    }
    const keys = Object.keys(require.cache);
    const debugOfPacket = createRequire(at('mqtt', 'mqtt-packet')).resolve('debug');
    const parser = createRequire(at('mqtt', 'mqtt-packet')).resolve('./parser.js');
    out.silencedBeforeParser = keys.indexOf(debugOfPacket) < keys.indexOf(parser) && keys.includes(parser);
    console.log(JSON.stringify(out));
  `;
  const env = { ...process.env };
  delete env.DEBUG;
  if (debugEnv !== undefined) env.DEBUG = debugEnv;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repo, env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

describe('debug silencer', () => {
  it('hands mqtt-packet, mqtt.js and serialport silent loggers, installed before their modules load', () => {
    const out = probe(undefined);
    for (const name of ['mqtt-packet', 'mqtt', 'serialport']) expect(out[name]).toEqual({ enabled: false, real: false, returns: null });
    expect(out.silencedBeforeParser).toBe(true);
  });

  it('leaves a namespace DEBUG enables at start logging as before', () => {
    const out = probe('mqtt-packet:*');
    expect(out['mqtt-packet']).toMatchObject({ enabled: true, real: true });
    expect(out.mqtt).toMatchObject({ enabled: false, real: false });
  });
});
