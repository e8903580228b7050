/**
 * Broker URL lists of the config (`mqtt.urls`, `upstream.urls`): one URL or
 * a list, each a scheme mqtt.js can dial. Shared so that the ward's own
 * broker and its district/province hub are read by the same rules.
 */
import { join } from './config-problem.ts';
import type { ConfigReader } from './config-reader.ts';

/** Broker URL schemes mqtt.js can dial. */
export const URL_SCHEMES: readonly string[] = ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'];

/**
 * The valid URLs at `path` (a string or a list); every bad one is recorded
 * with its index. `rule` adds a check of its own (a problem, or undefined).
 */
export function brokerUrlsAt(r: ConfigReader, value: unknown, path: string, rule?: (url: string) => string | undefined): string[] | undefined {
  const raw = typeof value === 'string' ? [value] : r.list_(value, path);
  if (raw === undefined) return undefined;
  const urls: string[] = [];
  raw.forEach((u, i) => {
    const at = join(path, i);
    const text = r.text(u, at, 512);
    if (text === undefined) return;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      r.list.add(at, `${JSON.stringify(text)} is not a URL (e.g. mqtt://192.168.1.10:1883 or mqtts://broker.example:8883)`);
      return;
    }
    const problem = URL_SCHEMES.includes(url.protocol) ? rule?.(text) : `scheme ${url.protocol} is not one of ${URL_SCHEMES.join(' ')}`;
    if (problem === undefined) urls.push(text);
    else r.list.add(at, problem);
  });
  return urls;
}

/** `scheme://host:port` of a broker URL with the scheme's default port, to compare two URLs. */
export function brokerEndpoint(text: string): string {
  const url = new URL(text);
  const scheme = url.protocol.replace(':', '');
  const defaults: Record<string, string> = { mqtt: '1883', tcp: '1883', mqtts: '8883', ssl: '8883', ws: '80', wss: '443' };
  return `${url.hostname.toLowerCase()}:${url.port === '' ? (defaults[scheme] ?? '') : url.port}`;
}
