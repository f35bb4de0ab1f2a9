/** Scripted failures for resilience tests: a 502 twice, a rate limit, a broken body, a slow answer. */

export interface Fault {
  /** Tested against the request target (path and query string), e.g. `/dependabot\/alerts/`. */
  path: RegExp;
  /** Answer with this status instead of the real response. Without it the fault only delays. */
  status?: number;
  /** How many requests it applies to (default 1; `Infinity` for all). */
  times?: number;
  /** Raw body, sent as is (so invalid JSON is possible). Default: GitHub's error JSON. */
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

export class FaultRegistry {
  private readonly faults: ActiveFault[] = [];

  add(fault: Fault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The first fault matching `target`, consumed once; undefined when none applies. */
  take(target: string): Fault | undefined {
    const index = this.faults.findIndex((f) => {
      // A /g or /y RegExp remembers where it stopped; start over for every request.
      f.fault.path.lastIndex = 0;
      return f.remaining > 0 && f.fault.path.test(target);
    });
    const active = this.faults[index];
    if (!active) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) this.faults.splice(index, 1);
    return active.fault;
  }
}

const REASONS: Record<number, string> = {
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function defaultFaultBody(status: number): string {
  return JSON.stringify({
    message: REASONS[status] ?? `Error ${status}`,
    documentation_url: 'https://docs.github.com/rest',
    status: String(status),
  });
}
