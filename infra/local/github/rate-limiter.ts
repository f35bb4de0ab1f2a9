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
