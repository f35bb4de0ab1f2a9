import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';

export type GitHubClient = InstanceType<typeof Octokit>;

export interface GitHubClientOptions {
  token: string;
  /** `https://api.github.com`, or `https://HOST/api/v3` for GHES. */
  baseUrl?: string;
  /** Retries for 5xx and 429 (plugin-retry); delays are retryAfterBaseValue * n² ms. */
  retries?: number;
  retryAfterBaseValue?: number;
  /** Longest wait accepted for a rate limit reset before giving up (the run resumes later). */
  maxRateLimitWaitSeconds?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  onWarning?: (message: string, details: Record<string, unknown>) => void;
}

const RetryingOctokit = Octokit.plugin(throttling, retry);

/**
 * Builds an Octokit with GitHub's own throttling and retry plugins: 5xx and timeouts retried with
 * backoff, secondary rate limits honoured through `retry-after`, primary limits waited out when
 * the reset is near. Build once per cold start; the token never appears in errors or logs.
 *
 * @example
 * const gh = createGitHubClient({ token: process.env.GITHUB_TOKEN ?? '' });
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const warn = options.onWarning ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new RetryingOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'alert-ledger',
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryAfterBaseValue ?? 1000 },
    request: {
      fetch: (url: string | URL | Request, init?: RequestInit) =>
        fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    },
    throttle: {
      onRateLimit: (
        retryAfter: number,
        opts: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        warn('primary rate limit reached', { retryAfter, method: opts.method, url: opts.url, retryCount });
        return retryCount < 2 && retryAfter <= maxWait;
      },
      onSecondaryRateLimit: (
        retryAfter: number,
        opts: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        warn('secondary rate limit reached', { retryAfter, method: opts.method, url: opts.url, retryCount });
        return retryCount < 3 && retryAfter <= maxWait;
      },
    },
    // Octokit logs every failed request; failures reach callers as mapped errors instead, and
    // request logs could carry URLs with query strings the caller did not mean to print.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}
