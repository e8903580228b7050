import { pino, type Logger } from 'pino';

/** Structured logger for every hailong process: one JSON line per event. */
export function createLogger(name: string, level = process.env.HAILONG_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}

export type { Logger };
