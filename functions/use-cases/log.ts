/**
 * The logging port use cases write to. Lambda handlers pass a Powertools logger (structured JSON
 * with org, period and snapshot id); the CLI passes one that prints progress lines.
 */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} };
