import { STATUS_CODES } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import PQueue from 'p-queue';
import { Agent, type Dispatcher, interceptors, request } from 'undici';
import {
  type GitHubAuth,
  isTokenCreationFailure,
  mapAppFailure,
  octokitAuth,
  SILENT_OCTOKIT_LOG,
} from './auth.ts';
import { GitHubAuthError } from './errors.ts';
import { type Admission, ENDPOINT_PACE, type EndpointPace, EndpointPacer } from './pacing.ts';

export type GitHubClient = InstanceType<typeof Octokit>;
export type { GitHubAuth } from './auth.ts';

export interface GitHubClientOptions {
  /** A token, or a GitHub App installation (tokens created and renewed as they expire). */
  auth?: GitHubAuth;
  /** Shorthand for `auth: { kind: 'token', token }`, kept for existing callers. */
  token?: string;
  /** `https://api.github.com`, or `https://HOST/api/v3` for GHES. */
  baseUrl?: string;
  /** Retries for 5xx, 429 and timeouts (plugin-retry). */
  retries?: number;
  /**
   * Milliseconds per unit of waiting (default 1000): plugin-retry waits `value * n²` before the
   * nth retry, the throttling plugin `value * retry-after seconds`. Tests shrink it.
   */
  retryAfterBaseValue?: number;
  /** Longest wait accepted for a rate limit reset before giving up (the run resumes later). */
  maxRateLimitWaitSeconds?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** HTTP requests on the wire at once, over all callers of this client (default REQUEST_CONCURRENCY). */
  concurrency?: number;
  /**
   * Requests to one endpoint allowed in any window, under GitHub's secondary rate limit (default
   * ENDPOINT_PACE, 850 a minute); `false` sends them as fast as the concurrency allows.
   */
  endpointPace?: EndpointPace | false;
  onWarning?: (message: string, details: Record<string, unknown>) => void;
}

const RetryingOctokit = Octokit.plugin(throttling, retry);

/**
 * HTTP requests a client keeps on the wire at once. GitHub asks integrations to stay well under
 * 100 concurrent requests (secondary rate limits); five keeps a snapshot's page latency hidden.
 */
export const REQUEST_CONCURRENCY = 5;

/** Statuses whose answers carry no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
/** Redirects followed, as `fetch` follows them (cross-origin ones drop the Authorization header). */
const MAX_REDIRECTS = 5;

const decoders: Record<string, (bytes: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
};

/**
 * A body as sent, decoded as `fetch` would (gzip, deflate, br; GitHub compresses its answers when
 * asked), off the main thread. Null when the body stands as sent: not encoded, or in an encoding
 * not one of those.
 */
async function decoded(bytes: Buffer, encoding: string | null): Promise<Buffer | null> {
  const codings = (encoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return null;
  let out = bytes;
  // Applied in the order listed: undone from the last.
  for (const coding of codings.reverse()) {
    const decode = decoders[coding];
    if (!decode) return null;
    out = await decode(out);
  }
  return out;
}

/** A request's headers as undici takes them, asking for a compressed answer unless the caller chose. */
function requestHeaders(init: RequestInit | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => {
    headers[name] = value;
  });
  headers['accept-encoding'] ??= 'gzip, deflate, br';
  return headers;
}

/**
 * `fetch` with a timeout, at most `concurrency` requests at once, for a given priority, each
 * endpoint paced by `pacer`. A request holds its place until its body has arrived, so the bound is
 * what GitHub sees; the plugins' own queueing and the parsing of the answer happen outside it, and
 * do not eat into the concurrency. Waiting requests go out highest priority first, in order of
 * arrival within one.
 *
 * The requests go through undici's `request`, not the global `fetch` (undici's too, behind web
 * streams): on the snapshot benchmark's 1,000 pages of 600 KB the collector spent about a second
 * less of CPU, 8%, for the same answers. What `fetch` did for Octokit is done here: redirects
 * followed, compressed answers asked for and decoded, the timeout and the caller's signal.
 */
function boundedFetch(concurrency: number, timeoutMs: number, pacer: EndpointPacer | null): Wire {
  const wire = new PQueue({ concurrency });
  const agent = new Agent();
  const following = agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));
  return (priority, onHeaders) => async (url, init) => {
    // Paced before it waits for the wire, so a request held back by its endpoint's pace never
    // holds a place there that a request to another endpoint could use; a place reserved for it
    // ahead (`reservePace`) is taken instead.
    const method = init?.method ?? 'GET';
    const endpoint = endpointOf(method, hrefOf(url));
    const admission = pacer
      ? (pacer.take(endpoint) ?? (await pacer.admit(endpoint, init?.signal ?? undefined)))
      : null;
    try {
      return await wire.add(
        async () => {
          admission?.sent();
          const timeout = AbortSignal.timeout(timeoutMs);
          const res = await request(hrefOf(url), {
            method: method as Dispatcher.HttpMethod,
            headers: requestHeaders(init),
            body: (init?.body as string | Buffer | undefined) ?? null,
            dispatcher: init?.redirect === 'manual' || init?.redirect === 'error' ? agent : following,
            signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
          });
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of [value ?? []].flat()) headers.append(name, v);
          }
          const status = res.statusCode;
          if (onHeaders && status >= 200 && status < 300) onHeaders(headers);
          if (init?.redirect === 'error' && status >= 300 && status < 400) {
            await res.body.dump();
            throw new TypeError(
              `GitHub answered ${url} with a redirect (${status}), and redirects were refused`,
            );
          }
          const statusText = STATUS_CODES[status] ?? '';
          if (NULL_BODY.has(status)) {
            await res.body.dump();
            return withUrl(new Response(null, { status, statusText, headers }), url);
          }
          // A body cut off here fails the fetch, which the retry plugin retries like a 5xx.
          const sent = await res.body.arrayBuffer();
          const plain = await decoded(Buffer.from(sent), headers.get('content-encoding'));
          if (plain) {
            headers.delete('content-encoding');
            headers.delete('content-length');
          }
          // Exactly the body's bytes, for `receivedBytes` to hand over without a copy.
          const body = plain
            ? (plain.buffer.slice(plain.byteOffset, plain.byteOffset + plain.byteLength) as ArrayBuffer)
            : sent;
          const whole = new Response(streamOf(body), { status, statusText, headers });
          if (whole.body) RECEIVED.set(whole.body, body);
          return withUrl(whole, url);
        },
        { priority },
      );
    } finally {
      // Sent already, this does nothing; otherwise it gives the place back.
      admission?.dropped();
    }
  };
}

/**
 * A made-up Response's `url` is empty; Octokit hands it on as `response.url`. The URL asked for:
 * undici's redirect interceptor does not say where a redirect ended.
 */
function withUrl(response: Response, url: string | URL | Request): Response {
  Object.defineProperty(response, 'url', { value: hrefOf(url) });
  return response;
}

const hrefOf = (url: string | URL | Request): string => (url instanceof Request ? url.url : String(url));

/** What GitHub's secondary limit counts requests by: the method and the path, without the query. */
const endpointOf = (method: string, url: string): string =>
  `${method.toUpperCase()} ${new URL(url).pathname}`;

/**
 * A stream of bytes already received, for a Response's body: given the bytes themselves, the
 * Response would copy them (600 KB an alert page). Through a stream it does not, and a body that
 * `receivedBytes` hands over is never read through it. On the snapshot benchmark's steady full
 * run: 1.0 s less of the collector's CPU (12.25 s to 11.2 s, the mean of four alternating runs
 * each), and 0.5 s less wall time.
 */
function streamOf(bytes: ArrayBuffer): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      controller.enqueue(new Uint8Array(bytes));
      controller.close();
    },
  });
}

/** The bytes behind each body stream this client's fetch returned (see `receivedBytes`). */
const RECEIVED = new WeakMap<object, ArrayBuffer>();

/**
 * The bytes of a body a client made by `createGitHubClient` has already received in full, as
 * `data` of a request made with `parseSuccessResponseBody: false`: read them without pumping
 * the stream through again. Undefined for any other body.
 */
export function receivedBytes(data: unknown): ArrayBuffer | undefined {
  return typeof data === 'object' && data !== null ? RECEIVED.get(data) : undefined;
}

/**
 * A client's fetch for a priority (see `fetchAt`), told the headers of a successful answer as soon
 * as they arrive, before its body.
 */
type Wire = (priority: number, onHeaders?: (headers: Headers) => void) => typeof fetch;

/** Each client's fetch, by priority (see `fetchAt`). */
const WIRES = new WeakMap<GitHubClient, Wire>();
/** Each client's pacer, when it paces. */
const PACERS = new WeakMap<GitHubClient, EndpointPacer>();

/**
 * Waits for a place under the endpoint pace of a client made by `createGitHubClient`, for a
 * request about to wait in a queue of the caller's own: the request, when it comes, takes the
 * place instead of waiting again inside the client, behind the plugins' queueing, where it would
 * hold places other endpoints' requests could use. Call `dropped()` on the result once the request
 * is done or will never be made (it does nothing once the request went on the wire). Null for a
 * client that does not pace.
 *
 * @example
 * const place = await reservePace(gh, 'GET', `${gh.request.endpoint.DEFAULTS.baseUrl}/orgs/octo/dependabot/alerts`);
 * try { await gh.request('GET /orgs/{org}/dependabot/alerts', { org: 'octo' }); } finally { place?.dropped(); }
 */
export async function reservePace(gh: GitHubClient, method: string, url: string): Promise<Admission | null> {
  return (await PACERS.get(gh)?.reserve(endpointOf(method, url))) ?? null;
}

/**
 * The fetch of a client made by `createGitHubClient`, for requests that should go out before
 * others waiting for a place on the wire (higher first; the client's own requests have 0). Pass
 * it as the request's `request.fetch`. Undefined for other clients: they use their own.
 *
 * @example
 * await gh.request(route, { ...params, request: { fetch: fetchAt(gh, 40) } });
 */
export function fetchAt(
  gh: GitHubClient,
  priority: number,
  /**
   * Told the headers of a successful answer as soon as they arrive, before its body (and before the
   * retry plugin has seen it: a body cut off afterwards is fetched again, so the headers can come
   * more than once).
   */
  onHeaders?: (headers: Headers) => void,
): typeof fetch | undefined {
  return WIRES.get(gh)?.(priority, onHeaders);
}

function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

function resolveAuth(options: GitHubClientOptions): GitHubAuth {
  if (options.auth) return options.auth;
  if (options.token !== undefined) return { kind: 'token', token: options.token };
  throw new GitHubAuthError(
    'No GitHub credentials: set GITHUB_TOKEN, or GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID.',
  );
}

/**
 * How many times one request waits out a rate limit (each wait at most `maxRateLimitWaitSeconds`)
 * before its caller is told: a snapshot checks its deadline between pages, and the snapshot
 * Lambda sets that deadline LONGEST_WAIT_MS before its own end. Waiting twice or three times (up
 * to three minutes) could outlast that, and the run would be cut off instead of pausing; stopped,
 * the lane resumes on the next run.
 */
const RATE_LIMIT_WAITS = 1;

/** The longest rate limit reset a client waits for by default, in seconds. */
const MAX_RATE_LIMIT_WAIT_SECONDS = 60;

/**
 * The longest one request of a default client waits before it goes or is answered: one rate
 * limit waited out, or its endpoint's pace (a request can wait for the oldest of its window to
 * leave it). A caller that checks a deadline only between requests keeps this much in hand.
 */
export const LONGEST_WAIT_MS = Math.max(MAX_RATE_LIMIT_WAIT_SECONDS * 1000, ENDPOINT_PACE.windowMs);

/**
 * Builds an Octokit with GitHub's own throttling and retry plugins: 5xx and timeouts retried with
 * backoff, secondary rate limits honoured through `retry-after`, primary limits waited out when
 * the reset is near. With a GitHub App, installation tokens come from `@octokit/auth-app` and are
 * renewed shortly before they expire (and once more if GitHub still answers 401); App-only
 * failures become GitHubAuthError / GitHubPermissionError saying what to fix. Build once per
 * cold start; tokens and keys never appear in errors or logs.
 *
 * @throws GitHubAuthError when the credentials are missing or malformed (before any request).
 * @example
 * const gh = createGitHubClient({ auth: { kind: 'token', token: process.env.GITHUB_TOKEN ?? '' } });
 * const app = createGitHubClient({ auth: { kind: 'app', appId: 123, privateKey: pem, installationId: 456 } });
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const maxWait = options.maxRateLimitWaitSeconds ?? MAX_RATE_LIMIT_WAIT_SECONDS;
  const warn = options.onWarning ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 30_000;
  const baseValue = options.retryAfterBaseValue ?? 1000;
  const auth = resolveAuth(options);
  const { options: authOptions, cache } = octokitAuth(auth, warn);
  const pace = options.endpointPace ?? ENDPOINT_PACE;
  const pacer = pace === false ? null : new EndpointPacer(pace);
  const wire = boundedFetch(options.concurrency ?? REQUEST_CONCURRENCY, timeoutMs, pacer);
  const octokit = new RetryingOctokit({
    ...authOptions,
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'alert-ledger',
    // 429 is the throttling plugin's: it honours `retry-after` and the reset, or gives up and the
    // lane stops. plugin-retry would send it again about a second later, several times.
    retry: {
      retries: options.retries ?? 3,
      retryAfterBaseValue: baseValue,
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    request: { fetch: wire(0) },
    throttle: {
      retryAfterBaseValue: baseValue,
      onRateLimit: (
        retryAfter: number,
        opts: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        warn('primary rate limit reached', { retryAfter, method: opts.method, url: opts.url, retryCount });
        return retryCount < RATE_LIMIT_WAITS && retryAfter <= maxWait;
      },
      onSecondaryRateLimit: (
        retryAfter: number,
        opts: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        warn('secondary rate limit reached', { retryAfter, method: opts.method, url: opts.url, retryCount });
        return retryCount < RATE_LIMIT_WAITS && retryAfter <= maxWait;
      },
    },
    log: SILENT_OCTOKIT_LOG,
  });

  if (auth.kind === 'app' && cache) {
    // Registered last, so it wraps the retry and throttling plugins and auth-app's own hook.
    octokit.hook.wrap('request', async (request, requestOptions) => {
      try {
        return await request(requestOptions);
      } catch (error) {
        // A token GitHub no longer accepts (expired early, revoked): forget it and try once more
        // with a new one. A refusal of the App itself would only fail again.
        if (statusOf(error) !== 401 || isTokenCreationFailure(error))
          throw mapAppFailure(error, auth) ?? error;
        warn('installation token refused; creating a new one', { appId: auth.appId });
        cache.clear();
        try {
          return await request(requestOptions);
        } catch (again) {
          throw mapAppFailure(again, auth) ?? again;
        }
      }
    });
  }
  WIRES.set(octokit, wire);
  if (pacer) PACERS.set(octokit, pacer);
  return octokit;
}
