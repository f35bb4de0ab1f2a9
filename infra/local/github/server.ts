/**
 * A simulated GitHub REST API over the demo org, on node:http: what the collector talks to in
 * the demo and the tests. State is shown as of a settable "now", so a demo can replay weeks.
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
import type { DemoOrg } from './demo-types.ts';
import { defaultFaultBody, type Fault, FaultRegistry } from './faults.ts';
import { DOCS, githubError, type RouteResult } from './github-errors.ts';
import { RateLimiter } from './rate-limiter.ts';
import { AlertRenderer, type RenderedAlerts } from './render.ts';
import { type Feature, route } from './routes.ts';

export type { Fault } from './faults.ts';
export type { Feature } from './routes.ts';

export interface SimulatedGitHubOptions {
  demo: DemoOrg;
  /** The only token accepted, as `Authorization: token X` or `Bearer X`. */
  token: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** The instant whose state is shown; default: the demo's `endsAt`. `setNow` replaces it. */
  now?: () => Date;
  /** Added before every response. */
  latencyMs?: number;
  /** Features the token lacks permission for: their endpoints answer 403. */
  forbid?: Feature[];
  /** Requests per hour before 403 "API rate limit exceeded" (default 5000). */
  rateLimit?: number;
}

export interface SimulatedGitHubStats {
  requests: number;
  /** Request count per path (without query string). */
  byPath: Record<string, number>;
}

export interface SimulatedGitHub {
  /** e.g. `http://127.0.0.1:41234`; use as `GITHUB_API_URL`. */
  url: string;
  close(): Promise<void>;
  setNow(d: Date): void;
  /** The instant currently shown. */
  now(): Date;
  stats: SimulatedGitHubStats;
  injectFault(fault: Fault): void;
  clearFaults(): void;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function authorized(req: IncomingMessage, token: string): 'ok' | 'missing' | 'bad' {
  const header = req.headers.authorization;
  if (!header) return 'missing';
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header);
  return match?.[1] === token ? 'ok' : 'bad';
}

export async function startSimulatedGitHub(options: SimulatedGitHubOptions): Promise<SimulatedGitHub> {
  const { demo, token, port = 0, host = '127.0.0.1', latencyMs = 0 } = options;
  const forbid = new Set(options.forbid ?? []);
  const limiter = new RateLimiter(options.rateLimit ?? 5000);
  const faults = new FaultRegistry();
  const stats: SimulatedGitHubStats = { requests: 0, byPath: {} };
  let clock: () => Date = options.now ?? (() => new Date(demo.endsAt));
  let requestSeq = 0;
  let baseUrl = '';
  let renderer: AlertRenderer | undefined;
  let rendered: { at: number; alerts: RenderedAlerts } | undefined;

  const alertsAt = (now: Date): RenderedAlerts => {
    renderer ??= new AlertRenderer(demo, { apiBaseUrl: baseUrl });
    // Clients page through one instant many times; render it once.
    if (rendered?.at !== now.getTime()) rendered = { at: now.getTime(), alerts: renderer.renderAt(now) };
    return rendered.alerts;
  };

  const send = (res: ServerResponse, result: RouteResult, rawBody?: string): void => {
    const snapshot = limiter.snapshot();
    requestSeq += 1;
    const headers: Record<string, string> = {
      'content-type': JSON_TYPE,
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `D3M0:${requestSeq.toString(16).toUpperCase().padStart(6, '0')}:${demo.seed}`,
      'x-ratelimit-limit': String(snapshot.limit),
      'x-ratelimit-remaining': String(snapshot.remaining),
      'x-ratelimit-reset': String(snapshot.reset),
      'x-ratelimit-used': String(snapshot.used),
      'x-ratelimit-resource': 'core',
      ...result.headers,
    };
    res.writeHead(result.status, headers);
    res.end(rawBody ?? JSON.stringify(result.body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.url ?? '/';
    const url = new URL(target, baseUrl);
    stats.requests += 1;
    stats.byPath[url.pathname] = (stats.byPath[url.pathname] ?? 0) + 1;
    if (latencyMs > 0) await sleep(latencyMs);

    const fault = faults.take(target);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.status !== undefined) {
      const status = fault.status;
      send(res, { status, body: null, headers: fault.headers ?? {} }, fault.body ?? defaultFaultBody(status));
      return;
    }

    const auth = authorized(req, token);
    if (auth !== 'ok') {
      send(res, githubError(401, auth === 'missing' ? 'Requires authentication' : 'Bad credentials'));
      return;
    }
    // GitHub does not count /rate_limit against the limit.
    if (url.pathname !== '/rate_limit' && !limiter.consume()) {
      const result = githubError(403, 'API rate limit exceeded for user ID 1.', DOCS.rateLimit);
      send(res, result);
      return;
    }
    const now = clock();
    send(
      res,
      route(
        {
          demo,
          baseUrl,
          now,
          alerts: () => alertsAt(now),
          forbid,
          rateLimit: limiter.snapshot(),
        },
        req.method ?? 'GET',
        url,
      ),
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
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
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  return {
    url: baseUrl,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    setNow: (d: Date) => {
      const fixed = new Date(d.getTime());
      clock = () => new Date(fixed.getTime());
    },
    now: () => clock(),
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
  };
}
