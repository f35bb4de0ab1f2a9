import type { Log } from '../use-cases/log.ts';

/**
 * Progress for long work: on a terminal one line rewritten in place with running counts; in CI
 * or a pipe, plain lines. Warnings and errors always get their own line on stderr.
 */
export interface Progress {
  /** A running count that replaces the previous one on a terminal. */
  update(text: string): void;
  /** A line that stays. */
  line(text: string): void;
  log: Log;
}

export function createProgress(options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const out = options.stream ?? process.stdout;
  const live = Boolean(out.isTTY) && !process.env.CI;
  let pending = false;
  const clear = () => {
    if (pending) {
      out.write('\r\x1b[2K');
      pending = false;
    }
  };
  const line = (text: string) => {
    if (options.quiet) return;
    clear();
    out.write(`${text}\n`);
  };
  const detail = (extra?: Record<string, unknown>) => {
    const reason = extra?.reason ?? extra?.error;
    return typeof reason === 'string' ? `: ${reason}` : '';
  };
  return {
    update(text) {
      if (options.quiet || !live) return;
      out.write(`\r\x1b[2K${text}`);
      pending = true;
    },
    line,
    log: {
      info: () => {},
      warn: (message, extra) => {
        clear();
        process.stderr.write(`warning: ${message}${detail(extra)}\n`);
      },
      error: (message, extra) => {
        clear();
        process.stderr.write(`error: ${message}${detail(extra)}\n`);
      },
    },
  };
}
