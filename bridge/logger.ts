import { pino, type Logger } from 'pino';

/**
 * Structured logger for every hailong process: one JSON line per event, for
 * journald and log shippers. On an interactive terminal (an installer
 * running `npm start`) the same lines go through pino-pretty, so the start
 * banner's URLs are readable; HAILONG_LOG_FORMAT=json|pretty forces either.
 */
export function createLogger(name: string, level = process.env.HAILONG_LOG_LEVEL ?? 'info'): Logger {
  const format = process.env.HAILONG_LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format === 'pretty') {
    return pino({
      name,
      level,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,endpoints,features' },
      },
    });
  }
  return pino({ name, level, base: { pid: process.pid } });
}

export type { Logger };
