import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../use-cases/log.ts';

/** Powertools logger: structured JSON, with the org, period and snapshot id appended per call. */
export function createLogger(serviceName: string): Log {
  const logger = new Logger({ serviceName });
  const at =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, extra?: Record<string, unknown>): void =>
      extra ? logger[level](message, extra) : logger[level](message);
  return { info: at('info'), warn: at('warn'), error: at('error') };
}
