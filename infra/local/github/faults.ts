/**
 * Scripted failures for resilience tests: a 502 N times, rate limits, a page whose body is not
 * JSON, an alert missing required fields, a slow answer. A fault can target the nth matching
 * request or one page of a list ("page 3 is broken"), so the collector's handling of each case
 * can be tested at a precise point of a walk.
 *
 * @example
 *   gh.injectFault(invalidJsonFault('/orgs/octo-demo/dependabot/alerts', { page: 3 }));
 *   gh.injectFault(badGatewayFault(/code-scanning/, 2));
 */

export interface Fault {
  /**
   * Which requests it applies to. A RegExp is tested against the request target (path and
   * query, without a GHES `/api/v3` prefix), both as sent and in its canonical form
   * (`/organizations/{id}/…` rewritten to `/orgs/{login}/…`, as clients first ask for it).
   * A string must equal the canonical path exactly (no query string), e.g.
   * `/orgs/octo-demo/dependabot/alerts` or `/enterprises/octo-corp/audit-log`.
   */
  path: RegExp | string;
  /** Only from the nth matching request on (1-based, counted from when the fault was added). */
  nth?: number;
  /**
   * Only requests for this page of a list (1 = the first page), by position in the list whether
   * reached by cursor or by `page`; a retry of that page is hit again while `times` lasts.
   */
  page?: number;
  /** How many requests it applies to once it starts (default 1; `Infinity` for all). */
  times?: number;
  /** Answer with this status instead of the real response. Without it the fault only delays or corrupts. */
  status?: number;
  /** Raw body sent with `status`, as is (so invalid JSON is possible). Default: GitHub's error JSON. */
  body?: string;
  /** Headers sent with `status`, or over the real answer's (with `corrupt`, `bodyDelayMs` or alone). */
  headers?: Record<string, string>;
  /** Waits this long before answering (longer than the client's timeout makes a timeout). */
  delayMs?: number;
  /**
   * Sends the real answer's headers and half its body at once, and the rest this long after: a
   * slow transfer (a client can act on the headers before the body has arrived).
   */
  bodyDelayMs?: number;
  /**
   * Sends the real response (status, headers, `Link`) with a damaged body: `invalid-json` cuts the
   * JSON in half; `dropFields` removes top-level fields from one item (default the first).
   * `cut-off` promises the whole body (`content-length`), sends half and drops the connection.
   */
  corrupt?: 'invalid-json' | 'cut-off' | { dropFields: string[]; item?: number };
}

/** What the server knows about a request when it looks for a fault. */
export interface FaultRequest {
  /** Path and query as sent (GHES prefix removed). */
  target: string;
  /** Path and query with `/organizations/{id}` rewritten to `/orgs/{login}`. */
  canonicalTarget: string;
  /** `canonicalTarget` without the query string. */
  canonicalPath: string;
  /** The page of a list this request asked for; undefined for anything but a list. */
  page: number | undefined;
}

interface ActiveFault {
  fault: Fault;
  /** Matching requests seen so far (for `nth`). */
  seen: number;
  remaining: number;
}

function matches(fault: Fault, request: FaultRequest): boolean {
  if (fault.page !== undefined && fault.page !== request.page) return false;
  const pattern = fault.path;
  if (typeof pattern === 'string') return pattern === request.canonicalPath;
  const test = (text: string): boolean => {
    // A /g or /y RegExp remembers where it stopped; start over for every test.
    pattern.lastIndex = 0;
    return pattern.test(text);
  };
  return test(request.target) || test(request.canonicalTarget);
}

export class FaultRegistry {
  private readonly faults: ActiveFault[] = [];

  add(fault: Fault): void {
    if (fault.nth !== undefined && (!Number.isInteger(fault.nth) || fault.nth < 1))
      throw new Error(`Fault nth must be a positive integer, got ${fault.nth}`);
    this.faults.push({ fault, seen: 0, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The first fault that applies to `request`, consumed once; undefined when none applies. */
  take(request: FaultRequest): Fault | undefined {
    for (let index = 0; index < this.faults.length; index++) {
      const active = this.faults[index];
      if (!active || active.remaining <= 0 || !matches(active.fault, request)) continue;
      active.seen += 1;
      if (active.seen < (active.fault.nth ?? 1)) continue;
      active.remaining -= 1;
      if (active.remaining <= 0) this.faults.splice(index, 1);
      return active.fault;
    }
    return undefined;
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

/** Damages a real JSON body as `fault.corrupt` says; the body is returned unchanged without it. */
export function corruptBody(fault: Fault, body: unknown): string {
  const corrupt = fault.corrupt;
  if (corrupt === undefined) return JSON.stringify(body);
  if (corrupt === 'invalid-json') {
    const text = JSON.stringify(body);
    // Half a document: what a proxy cutting the connection short delivers.
    return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  }
  if (corrupt === 'cut-off' || !Array.isArray(body)) return JSON.stringify(body);
  const index = corrupt.item ?? 0;
  const damaged = body.map((item: unknown, i) => {
    if (i !== index || typeof item !== 'object' || item === null) return item;
    // A shallow copy: rendered alerts share nested objects with the server's caches.
    const copy: Record<string, unknown> = { ...(item as Record<string, unknown>) };
    for (const name of corrupt.dropFields) delete copy[name];
    return copy;
  });
  return JSON.stringify(damaged);
}

type Target = Fault['path'];
type Where = { nth?: number; page?: number; times?: number };

function where(options: Where): Pick<Fault, 'nth' | 'page' | 'times'> {
  return {
    ...(options.nth !== undefined ? { nth: options.nth } : {}),
    ...(options.page !== undefined ? { page: options.page } : {}),
    ...(options.times !== undefined ? { times: options.times } : {}),
  };
}

/** A 200 page whose body is cut in half; content type and `Link` to the next page stay valid. */
export function invalidJsonFault(path: Target, options: Where = {}): Fault {
  return { path, corrupt: 'invalid-json', ...where(options) };
}

/** A 200 page whose connection drops halfway through the body (the headers promised all of it). */
export function cutOffFault(path: Target, options: Where = {}): Fault {
  return { path, corrupt: 'cut-off', ...where(options) };
}

/** A 200 page where one item lacks required fields (default the first item). */
export function missingFieldsFault(
  path: Target,
  dropFields: string[],
  options: Where & { item?: number } = {},
): Fault {
  const corrupt = options.item === undefined ? { dropFields } : { dropFields, item: options.item };
  return { path, corrupt, ...where(options) };
}

/** 502 Bad Gateway `times` times in a row, then real answers. */
export function badGatewayFault(path: Target, times: number, options: Omit<Where, 'times'> = {}): Fault {
  return { path, status: 502, ...where({ ...options, times }) };
}

/** Answers only after `delayMs`: longer than the client's timeout, the client gives up first. */
export function timeoutFault(path: Target, delayMs: number, options: Where = {}): Fault {
  return { path, delayMs, ...where(options) };
}

/** GitHub's secondary rate limit: 403 with `retry-after` and the message clients look for. */
export function secondaryRateLimitFault(path: Target, retryAfterSeconds: number, options: Where = {}): Fault {
  return {
    path,
    status: 403,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: JSON.stringify({
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
      documentation_url:
        'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: '403',
    }),
    ...where(options),
  };
}

/**
 * GitHub's primary rate limit: 403 (or 429) with `x-ratelimit-remaining: 0` and
 * `x-ratelimit-reset` `resetInSeconds` after the fault is created.
 */
export function primaryRateLimitFault(
  path: Target,
  options: Where & { status?: 403 | 429; resetInSeconds?: number } = {},
): Fault {
  const status = options.status ?? 403;
  const reset = Math.floor(Date.now() / 1000) + (options.resetInSeconds ?? 60);
  return {
    path,
    status,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    body: JSON.stringify({
      message: 'API rate limit exceeded for installation ID 1.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      status: String(status),
    }),
    ...where(options),
  };
}
