/**
 * Broker URLs of the config (`mqtt.urls`, `upstream.urls`): each must parse
 * (WHATWG URL, as mqtt.js parses it) and use a scheme mqtt.js can dial. The
 * schema checks they are one line of text; parsing is a rule it cannot say.
 * Shared so that the ward's own broker and its hub are read by one rule.
 */

/** Broker URL schemes mqtt.js can dial. */
export const URL_SCHEMES: readonly string[] = ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'];

/** Why `text` is not a broker URL, or undefined when it is one. */
export function brokerUrlProblem(text: string): string | undefined {
  if (!URL.canParse(text)) return `${JSON.stringify(text)} is not a URL (e.g. mqtt://192.168.1.10:1883 or mqtts://broker.example:8883)`;
  const { protocol } = new URL(text);
  return URL_SCHEMES.includes(protocol) ? undefined : `scheme ${protocol} is not one of ${URL_SCHEMES.join(' ')}`;
}

/** `scheme://host:port` of a broker URL with the scheme's default port, to compare two URLs. */
export function brokerEndpoint(text: string): string {
  const url = new URL(text);
  const scheme = url.protocol.replace(':', '');
  const defaults: Record<string, string> = { mqtt: '1883', tcp: '1883', mqtts: '8883', ssl: '8883', ws: '80', wss: '443' };
  return `${url.hostname.toLowerCase()}:${url.port === '' ? (defaults[scheme] ?? '') : url.port}`;
}
