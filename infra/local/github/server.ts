/**
 * A simulated GitHub REST API over one or more demo orgs, on node:http: what the collector talks
 * to in the demo, the tests and the benchmark. State is shown as of a settable "now", so a demo
 * can replay weeks. It can also play an enterprise owning the orgs, a GitHub App with expiring
 * installation tokens, and a GHES server (under `/api/v3`).
 *
 * @example
 *   const gh = await startSimulatedGitHub({ demo, token: 'test-token' });
 *   gh.setNow(new Date('2026-10-05T00:00:00Z'));
 *   await fetch(`${gh.url}/orgs/octo-demo/dependabot/alerts`, { headers: { authorization: 'Bearer test-token' } });
 *   await gh.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AlertLists } from './alert-lists.ts';
import type { DemoOrg } from './demo-types.ts';
import {
  corruptBody,
  defaultFaultBody,
  type Fault,
  FaultRegistry,
  secondaryRateLimitFault,
} from './faults.ts';
import { DOCS, githubError, type RouteResult } from './github-errors.ts';
import type { RouteOutcome } from './list-response.ts';
import {
  EndpointWindows,
  GITHUB_SECONDARY_LIMITS,
  RateLimiter,
  type SecondaryLimits,
} from './rate-limiter.ts';
import { AlertRenderer } from './render.ts';
import {
  canonicalPath,
  type Feature,
  type GhesVersion,
  isAppPath,
  isPublicPath,
  type Principal,
  route,
} from './routes.ts';
import { JWT_MESSAGES, looksLikeJwt, SimulatedApp, type SimulatedAppOptions } from './simulated-app.ts';

export type { Fault } from './faults.ts';
export {
  badGatewayFault,
  invalidJsonFault,
  missingFieldsFault,
  primaryRateLimitFault,
  secondaryRateLimitFault,
  timeoutFault,
} from './faults.ts';
export type { Feature, GhesVersion } from './routes.ts';
export type { SimulatedAppOptions } from './simulated-app.ts';

export interface SimulatedGitHubOptions {
  /** The org served (kept for the demo and older tests); `demos` adds more. One is required. */
  demo?: DemoOrg;
  /** More orgs, e.g. the orgs of an enterprise. Logins and ids must be unique. */
  demos?: DemoOrg[];
  /** An enterprise slug owning every org: serves `/enterprises/{slug}/...` lists and audit log. */
  enterprise?: string;
  /**
   * The personal token accepted, as `Authorization: token X` or `Bearer X`, with access to every
   * org and the enterprise. Without it, only GitHub App installation tokens work.
   */
  token?: string;
  /** A GitHub App: JWT-authenticated installation endpoints and expiring installation tokens. */
  app?: SimulatedAppOptions;
  /** Behave as GitHub Enterprise Server: paths under `/api/v3`, `x-github-enterprise-version`. */
  ghes?: { version: GhesVersion };
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** The instant whose state is shown; default: the latest `endsAt` of the orgs. `setNow` replaces it. */
  now?: () => Date;
  /**
   * Every answer leaves this long after its request arrived (a page's latency on GitHub); the
   * simulator's own work on it happens within that time, so how fast this host runs the simulator
   * adds nothing unless the work takes longer (then the answer leaves when ready, counted in
   * `stats.late`). Concurrent requests each wait their own. Refusals for a secondary rate limit
   * leave at once.
   */
  latencyMs?: number;
  /** Features the token lacks permission for: their endpoints answer 403. */
  forbid?: Feature[];
  /** Requests per hour before 403 "API rate limit exceeded" (default 5000). */
  rateLimit?: number;
  /**
   * GitHub's secondary rate limits, enforced: a request beyond `concurrent` being answered at once,
   * or beyond `perEndpoint` to one endpoint (method and path, without the query) within
   * `windowMs`, is refused with 403, `retry-after` and GitHub's message (and not counted). Each
   * defaults to GitHub's: 100 at once, 900 a minute.
   */
  secondaryLimits?: Partial<SecondaryLimits>;
}

export interface SimulatedGitHubStats {
  requests: number;
  /** Request count per path as sent (without query string, with the GHES prefix). */
  byPath: Record<string, number>;
  /** Installation tokens issued to the GitHub App. */
  tokensCreated: number;
  /** Requests being answered right now (received, answer not yet sent in full). */
  inFlight: number;
  /** The most requests that were being answered at once. */
  maxInFlight: number;
  /** Requests refused for a secondary rate limit (concurrency or per endpoint). */
  secondaryLimited: number;
  /** Answers that left later than `latencyMs` after their request arrived: the simulator's own work took longer. */
  late: number;
  /** The most any answer left late (ms) since the start or the last `forgetRequests`. */
  latestMs: number;
}

export interface SimulatedGitHub {
  /**
   * The API root to use as `GITHUB_API_URL`: e.g. `http://127.0.0.1:41234`, or
   * `http://127.0.0.1:41234/api/v3` when simulating GHES.
   */
  url: string;
  /** The server's origin (`url` without `/api/v3`). */
  origin: string;
  close(): Promise<void>;
  setNow(d: Date): void;
  /** The instant currently shown. */
  now(): Date;
  stats: SimulatedGitHubStats;
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** The most requests one endpoint had within a secondary-limit window (see `forgetRequests`). */
  peakPerEndpoint(): { endpoint: string; requests: number };
  /**
   * Forgets the requests counted for the per-endpoint limit, its peak and the latest answer's
   * lateness: the next ones come as if after a quiet window (a benchmark's runs stand for runs
   * days apart).
   */
  forgetRequests(): void;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const GHES_PREFIX = '/api/v3';

function credentialOf(req: IncomingMessage): string | undefined | null {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

function collectOrgs(options: SimulatedGitHubOptions): DemoOrg[] {
  const orgs = [...(options.demo ? [options.demo] : []), ...(options.demos ?? [])];
  if (orgs.length === 0) throw new Error('startSimulatedGitHub needs `demo` or `demos`.');
  const logins = new Set(orgs.map((o) => o.org.toLowerCase()));
  const ids = new Set(orgs.map((o) => o.orgId));
  if (logins.size !== orgs.length || ids.size !== orgs.length) {
    throw new Error('startSimulatedGitHub: every org needs its own login and id (use different seeds).');
  }
  return orgs;
}

/** Drains a request body (token requests may send JSON) so the connection can be reused. */
async function drain(req: IncomingMessage): Promise<void> {
  for await (const _chunk of req) {
    // Nothing in a body changes the simulation.
  }
}

export async function startSimulatedGitHub(options: SimulatedGitHubOptions): Promise<SimulatedGitHub> {
  const orgs = collectOrgs(options);
  const { token, port = 0, host = '127.0.0.1', latencyMs = 0 } = options;
  const ghes = options.ghes?.version;
  const forbid = new Set(options.forbid ?? []);
  const limiter = new RateLimiter(options.rateLimit ?? 5000);
  const secondary = { ...GITHUB_SECONDARY_LIMITS, ...options.secondaryLimits };
  const endpointWindows = new EndpointWindows(secondary);
  const faults = new FaultRegistry();
  const app = options.app ? new SimulatedApp(options.app) : undefined;
  const lists = new AlertLists();
  const stats: SimulatedGitHubStats = {
    requests: 0,
    byPath: {},
    tokensCreated: 0,
    inFlight: 0,
    maxInFlight: 0,
    secondaryLimited: 0,
    late: 0,
    latestMs: 0,
  };
  const latestEnd = (): Date => new Date(Math.max(...orgs.map((o) => Date.parse(o.endsAt))));
  let clock: () => Date = options.now ?? latestEnd;
  let requestSeq = 0;
  let origin = '';
  let apiRoot = '';
  const renderers = new Map<DemoOrg, AlertRenderer>();
  const closing = new AbortController();

  const renderer = (demo: DemoOrg): AlertRenderer => {
    let r = renderers.get(demo);
    if (!r) {
      r = new AlertRenderer(
        demo,
        ghes ? { apiBaseUrl: apiRoot, webBaseUrl: origin } : { apiBaseUrl: apiRoot },
      );
      renderers.set(demo, r);
    }
    return r;
  };

  const send = (res: ServerResponse, result: RouteResult, rawBody?: string, bodyDelayMs = 0): void => {
    const json = (result as RouteOutcome).json;
    const snapshot = limiter.snapshot();
    requestSeq += 1;
    const headers: Record<string, string> = {
      'content-type': JSON_TYPE,
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `D3M0:${requestSeq.toString(16).toUpperCase().padStart(6, '0')}:${orgs[0]?.seed ?? 0}`,
      'x-ratelimit-limit': String(snapshot.limit),
      'x-ratelimit-remaining': String(snapshot.remaining),
      'x-ratelimit-reset': String(snapshot.reset),
      'x-ratelimit-used': String(snapshot.used),
      'x-ratelimit-resource': 'core',
      ...(ghes ? { 'x-github-enterprise-version': `${ghes}.0` } : {}),
      ...result.headers,
    };
    if (json && rawBody === undefined && bodyDelayMs === 0 && result.status !== 204) {
      // A kept page, part by part in one write: its length known, so not chunked.
      headers['content-length'] = String(json.reduce((n, part) => n + part.length, 0));
      res.writeHead(result.status, headers);
      res.cork();
      for (const part of json) res.write(part);
      res.end();
      return;
    }
    res.writeHead(result.status, headers);
    // A 204 has no body, and Node refuses to send one.
    const body =
      result.status === 204
        ? undefined
        : (rawBody ?? (json ? Buffer.concat(json) : undefined) ?? JSON.stringify(result.body));
    if (bodyDelayMs > 0 && body !== undefined) {
      // The headers and half the body now, the rest later: a slow transfer.
      const bytes = Buffer.from(body);
      const half = Math.floor(bytes.length / 2);
      res.write(bytes.subarray(0, half));
      sleep(bodyDelayMs, undefined, { signal: closing.signal }).then(
        () => res.end(bytes.subarray(half)),
        () => res.destroy(),
      );
      return;
    }
    res.end(body);
  };

  /** Who the request comes from, or the 401 GitHub would answer. */
  const authenticate = (req: IncomingMessage, path: string): Principal | RouteResult => {
    const credential = credentialOf(req);
    if (credential === undefined) {
      return isPublicPath(path) ? { kind: 'anonymous' } : githubError(401, 'Requires authentication');
    }
    if (credential !== null && token !== undefined && credential === token) return { kind: 'token' };
    if (credential !== null && app && looksLikeJwt(credential)) {
      const check = app.verifyJwt(credential);
      if (!check.ok) return githubError(401, check.message);
      return isAppPath(path) ? { kind: 'app' } : githubError(401, 'Bad credentials');
    }
    if (isAppPath(path)) return githubError(401, JWT_MESSAGES.undecodable);
    if (credential === null) return githubError(401, 'Bad credentials');
    const grant = app?.grantOf(credential);
    if (grant && !grant.expired) {
      return {
        kind: 'installation',
        installationId: grant.installationId,
        org: grant.org,
        token: credential,
      };
    }
    return githubError(401, 'Bad credentials');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrived = performance.now();
    /** Waits until the answer is due: `latencyMs` after the request arrived. */
    const due = async (): Promise<void> => {
      if (latencyMs <= 0) return;
      const left = arrived + latencyMs - performance.now();
      if (left > 0) await sleep(Math.ceil(left), undefined, { signal: closing.signal });
      else {
        stats.late += 1;
        stats.latestMs = Math.max(stats.latestMs, Math.round(-left));
      }
    };
    const target = req.url ?? '/';
    const url = new URL(target, origin);
    stats.requests += 1;
    stats.byPath[url.pathname] = (stats.byPath[url.pathname] ?? 0) + 1;
    await drain(req);
    const refusal =
      stats.inFlight > secondary.concurrent
        ? { refusedForMs: 1000 }
        : endpointWindows.arrive(`${req.method ?? 'GET'} ${url.pathname}`);
    if (refusal) {
      stats.secondaryLimited += 1;
      const { status, headers, body } = secondaryRateLimitFault(
        url.pathname,
        Math.max(1, Math.ceil(refusal.refusedForMs / 1000)),
      );
      send(res, { status: status ?? 403, body: null, headers: headers ?? {} }, body);
      return;
    }
    // The answer is worked out now and leaves when due (`due`): each request waits on its own
    // timer, so concurrent requests overlap as on GitHub.
    let path = url.pathname;
    if (ghes) {
      if (path !== GHES_PREFIX && !path.startsWith(`${GHES_PREFIX}/`)) {
        await due();
        send(res, githubError(404, 'Not Found'));
        return;
      }
      path = path.slice(GHES_PREFIX.length) || '/';
    }
    const apiUrl = new URL(`${path}${url.search}`, origin);

    const principal = authenticate(req, path);
    if (!('kind' in principal)) {
      await due();
      send(res, principal);
      return;
    }
    // GitHub does not count /rate_limit, and App JWT calls have their own budget.
    const counted = path !== '/rate_limit' && !isPublicPath(path) && !isAppPath(path);
    if (counted && !limiter.consume()) {
      await due();
      send(res, githubError(403, 'API rate limit exceeded for user ID 1.', DOCS.rateLimit));
      return;
    }
    const now = clock();
    const outcome = route(
      {
        orgs,
        enterprise: options.enterprise,
        baseUrl: apiRoot,
        now,
        lists,
        renderer,
        forbid,
        rateLimit: limiter.snapshot(),
        ghes,
        principal,
        app,
      },
      req.method ?? 'GET',
      apiUrl,
    );
    if (app) stats.tokensCreated = app.tokensCreated;

    const canonical = canonicalPath(orgs, path);
    const fault = faults.take({
      target: `${path}${url.search}`,
      canonicalTarget: `${canonical}${url.search}`,
      canonicalPath: canonical,
      page: outcome.page,
    });
    await due();
    if (fault?.delayMs) await sleep(fault.delayMs, undefined, { signal: closing.signal });
    if (fault?.status !== undefined) {
      const status = fault.status;
      send(res, { status, body: null, headers: fault.headers ?? {} }, fault.body ?? defaultFaultBody(status));
      return;
    }
    if (fault?.corrupt === 'cut-off') {
      const body = Buffer.from(corruptBody(fault, outcome.body));
      res.writeHead(outcome.status, {
        'content-type': JSON_TYPE,
        'content-length': String(body.length),
        ...outcome.headers,
        ...fault.headers,
      });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    if (fault?.corrupt !== undefined) {
      send(
        res,
        { ...outcome, headers: { ...outcome.headers, ...fault.headers } },
        corruptBody(fault, outcome.body),
      );
      return;
    }
    send(
      res,
      fault?.headers ? { ...outcome, headers: { ...outcome.headers, ...fault.headers } } : outcome,
      undefined,
      fault?.bodyDelayMs,
    );
  };

  const server = createServer((req, res) => {
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    // Answered once the last byte is handed to the socket ('finish'), or the socket is gone.
    let answered = false;
    const done = () => {
      if (answered) return;
      answered = true;
      stats.inFlight -= 1;
    };
    res.once('finish', done);
    res.once('close', done);
    handle(req, res).catch((error: unknown) => {
      // Closing aborts the sleeps of requests still waiting; their sockets are gone already.
      if (closing.signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': JSON_TYPE });
      res.end(JSON.stringify({ message: `Simulated GitHub failed: ${message}`, status: '500' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  apiRoot = ghes ? `${origin}${GHES_PREFIX}` : origin;

  return {
    url: apiRoot,
    origin,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    setNow: (d: Date) => {
      const fixed = new Date(d.getTime());
      clock = () => new Date(fixed.getTime());
      // Lists of the previous instant would only miss from now on; free their memory.
      lists.clear();
      // GitHub holds its current state already: every alert's state at the new instant is worked
      // out now, not by the first request after the clock moved (100,000 alerts take ~0.2 s).
      for (const demo of orgs) lists.index(demo, fixed);
    },
    now: () => clock(),
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    peakPerEndpoint: () => ({ ...endpointWindows.peak }),
    forgetRequests: () => {
      endpointWindows.forget();
      stats.latestMs = 0;
    },
  };
}
