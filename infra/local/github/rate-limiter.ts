/**
 * GitHub's primary rate limit for one token: a budget per hour, reported in `x-ratelimit-*`.
 * The window follows the wall clock, not the simulated "now", because clients wait on it in
 * real time.
 */
export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  used: number;
  /** Epoch seconds when the window resets. */
  reset: number;
}

const WINDOW_SECONDS = 3600;

export class RateLimiter {
  private used = 0;
  private resetAt = 0;

  constructor(
    private readonly limit: number,
    private readonly clock: () => number = Date.now,
  ) {}

  private roll(): void {
    const nowSeconds = Math.floor(this.clock() / 1000);
    if (nowSeconds >= this.resetAt) {
      this.used = 0;
      this.resetAt = nowSeconds + WINDOW_SECONDS;
    }
  }

  /** Counts one request; false when the budget is spent (the request must be refused). */
  consume(): boolean {
    this.roll();
    if (this.used >= this.limit) return false;
    this.used += 1;
    return true;
  }

  snapshot(): RateLimitSnapshot {
    this.roll();
    return { limit: this.limit, remaining: this.limit - this.used, used: this.used, reset: this.resetAt };
  }
}

/**
 * GitHub's secondary rate limits as documented: no more than `concurrent` requests at once, and no
 * more than `perEndpoint` points a minute to one REST endpoint (a GET is one point). The window
 * follows the wall clock, like the primary limit's.
 */
export interface SecondaryLimits {
  concurrent: number;
  perEndpoint: number;
  windowMs: number;
}

export const GITHUB_SECONDARY_LIMITS: Readonly<SecondaryLimits> = {
  concurrent: 100,
  perEndpoint: 900,
  windowMs: 60_000,
};

/** Requests to each endpoint in the last window, counted as they arrive. */
export class EndpointWindows {
  readonly #arrivals = new Map<string, number[]>();
  /** The most requests one endpoint had within a window (refused ones not counted). */
  peak = { endpoint: '', requests: 0 };

  constructor(
    private readonly limits: Readonly<SecondaryLimits>,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Counts a request to `endpoint`; when the endpoint already had its limit within the window,
   * the request is refused (not counted) and the answer says in how many ms the oldest leaves it.
   */
  arrive(endpoint: string): { refusedForMs: number } | null {
    const now = this.clock();
    const recent = (this.#arrivals.get(endpoint) ?? []).filter((t) => t > now - this.limits.windowMs);
    this.#arrivals.set(endpoint, recent);
    const oldest = recent[0];
    if (recent.length >= this.limits.perEndpoint && oldest !== undefined) {
      return { refusedForMs: oldest + this.limits.windowMs - now };
    }
    recent.push(now);
    if (recent.length > this.peak.requests) this.peak = { endpoint, requests: recent.length };
    return null;
  }

  /** Forgets every request so far, as if the next came after a quiet window. */
  forget(): void {
    this.#arrivals.clear();
    this.peak = { endpoint: '', requests: 0 };
  }
}
