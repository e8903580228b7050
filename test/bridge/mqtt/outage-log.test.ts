/**
 * Issue 17: a broker outage is logged once, then summarised, then its end;
 * not one line per reconnect attempt. A real MqttLink retrying every 50 ms
 * against a closed port, then the embedded broker on that port.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../../../bridge/broker/embedded-broker.ts';
import { MqttLink } from '../../../bridge/mqtt/mqtt-link.ts';
import { freePort } from '../../helpers/ports.ts';
import { until } from '../bridge-rig.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('MqttLink outage logging', () => {
  it('logs the first failure, a summary per period and the reconnect, not every attempt', async () => {
    const port = await freePort();
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    let attempts = 0;
    const link = new MqttLink({
      urls: [`mqtt://127.0.0.1:${port}`],
      clientId: 'outage-log-test',
      reconnectPeriodMs: 50,
      outageSummaryMs: 400,
      log,
    });
    link.start();
    cleanups.push(() => link.stop(200));
    (link as unknown as { client: { on(e: string, f: () => void): void } }).client.on('reconnect', () => (attempts += 1));
    await new Promise((r) => setTimeout(r, 1300));
    expect(attempts).toBeGreaterThanOrEqual(10);
    const warnings = lines.filter((l) => l.level >= 40);
    expect(warnings[0]?.msg).toMatch(/^MQTT error: .*ECONNREFUSED/);
    // One first line, then at most one summary per 400 ms.
    expect(warnings.length).toBeLessThanOrEqual(1 + Math.ceil(1300 / 400));
    expect(warnings.some((l) => /^MQTT still unreachable after \d+ s: \d+ failed attempts/.test(l.msg))).toBe(true);
    const broker = new EmbeddedBroker({ port, host: '127.0.0.1', anonymous: 'read', logger: pino({ level: 'silent' }) });
    await broker.start();
    cleanups.push(() => broker.stop());
    await until(() => link.connected, 5000, 'the link connected');
    expect(lines.some((l) => /^MQTT connected after \d+ s without the broker \(\d+ failed attempts\)/.test(l.msg))).toBe(true);
  });
});
