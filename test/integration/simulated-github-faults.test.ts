import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGitHubClient } from '../../functions/github/client.ts';
import { AlertLists } from '../../infra/local/github/alert-lists.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoOrg } from '../../infra/local/github/demo-types.ts';
import { validateAgainstSchema } from '../../infra/local/github/openapi.ts';
import {
  badGatewayFault,
  invalidJsonFault,
  missingFieldsFault,
  primaryRateLimitFault,
  type SimulatedGitHub,
  secondaryRateLimitFault,
  startSimulatedGitHub,
  timeoutFault,
} from '../../infra/local/github/server.ts';

const TOKEN = 'fault-token';
const ENDS_AT = '2026-11-16T00:00:00Z';

type Item = Record<string, unknown>;

let demo: DemoOrg;
let gh: SimulatedGitHub;
let dependabotPath: string;

beforeAll(async () => {
  demo = generateDemoOrg({ endsAt: ENDS_AT });
  gh = await startSimulatedGitHub({ demo, token: TOKEN });
  dependabotPath = `/orgs/${demo.org}/dependabot/alerts`;
});

afterAll(async () => {
  await gh.close();
});

afterEach(() => {
  gh.clearFaults();
});

function get(path: string, server: SimulatedGitHub = gh): Promise<Response> {
  const url = path.startsWith('http') ? path : `${server.url}${path}`;
  return fetch(url, { headers: { authorization: `token ${TOKEN}` } });
}

function nextLink(response: Response): string | undefined {
  return /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
}

/** The pages of a walk, as raw text, following rel="next" even when a body is broken. */
async function walkRaw(path: string): Promise<{ status: number; text: string; type: string | null }[]> {
  const pages: { status: number; text: string; type: string | null }[] = [];
  let next: string | undefined = path;
  while (next) {
    const response = await get(next);
    pages.push({
      status: response.status,
      text: await response.text(),
      type: response.headers.get('content-type'),
    });
    next = nextLink(response);
    expect(pages.length).toBeLessThan(20);
  }
  return pages;
}

function numbers(text: string): string[] {
  return (JSON.parse(text) as Item[]).map(
    (i) => `${(i.repository as { name: string }).name}#${String(i.number)}`,
  );
}

const client = (extra: Parameters<typeof createGitHubClient>[0] = {}) =>
  createGitHubClient({ token: TOKEN, baseUrl: gh.url, retries: 3, retryAfterBaseValue: 10, ...extra });

describe('faults aimed at one page or one request', () => {
  it('breaks the JSON of page 3 only, keeping its content type and its Link to page 4', async () => {
    const clean = await walkRaw(`${dependabotPath}?per_page=50`);
    gh.injectFault(invalidJsonFault(dependabotPath, { page: 3 }));
    const broken = await walkRaw(`${dependabotPath}?per_page=50`);
    expect(broken.length).toBe(clean.length);
    expect(broken.length).toBeGreaterThanOrEqual(4);
    expect(broken[2]?.status).toBe(200);
    expect(broken[2]?.type).toBe('application/json; charset=utf-8');
    expect(() => JSON.parse(broken[2]?.text ?? '')).toThrow();
    // Every other page is intact, and page 4 follows page 3's own link.
    for (const i of [0, 1, 3]) expect(numbers(broken[i]?.text ?? '')).toEqual(numbers(clean[i]?.text ?? ''));
  });

  it('sends a slow page its headers and Link at once, and the rest of its body later', async () => {
    const path = `/orgs/${demo.org}/code-scanning/alerts?per_page=20&page=2`;
    const clean = await get(path);
    const cleanText = await clean.text();
    gh.injectFault({ path: `/orgs/${demo.org}/code-scanning/alerts`, page: 2, bodyDelayMs: 600 });
    const started = Date.now();
    const slow = await get(path);
    const headersAfter = Date.now() - started;
    expect(slow.status).toBe(200);
    expect(slow.headers.get('link')).toContain('rel="next"');
    expect(slow.headers.get('link')).toBe(clean.headers.get('link'));
    const text = await slow.text();
    const bodyAfter = Date.now() - started;
    expect(headersAfter).toBeLessThan(400);
    expect(bodyAfter).toBeGreaterThanOrEqual(600);
    // The same page, whole.
    expect(numbers(text)).toEqual(numbers(cleanText));
  });

  it('hits a page again on retry while `times` lasts, whether reached by cursor or by `page`', async () => {
    const path = `/orgs/${demo.org}/code-scanning/alerts`;
    gh.injectFault(badGatewayFault(path, 2, { page: 2 }));
    expect((await get(`${path}?per_page=40&page=2`)).status).toBe(502);
    expect((await get(`${path}?per_page=40&page=1`)).status).toBe(200);
    const first = await get(`${path}?per_page=40`);
    const second = nextLink(first) ?? '';
    expect(second).toContain(`/organizations/${demo.orgId}/code-scanning/alerts`);
    expect((await get(second)).status).toBe(502);
    expect((await get(second)).status).toBe(200);
  });

  it('targets the nth matching request with `nth`', async () => {
    gh.injectFault({ path: dependabotPath, nth: 3, status: 500 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(`${dependabotPath}?per_page=1`)).status);
    expect(statuses).toEqual([200, 200, 500, 200, 200]);
  });

  it('removes required fields from one item, which then fails the schema', async () => {
    gh.injectFault(missingFieldsFault(dependabotPath, ['number', 'state'], { page: 2, item: 1 }));
    const pages = await walkRaw(`${dependabotPath}?per_page=100`);
    const page2 = JSON.parse(pages[1]?.text ?? '[]') as Item[];
    expect('number' in (page2[1] ?? {})).toBe(false);
    expect('state' in (page2[1] ?? {})).toBe(false);
    expect(validateAgainstSchema('dependabot-alert-with-repository', page2[1]).errors).toMatch(
      /must have required property 'number'/,
    );
    const valid = [...(JSON.parse(pages[0]?.text ?? '[]') as Item[]), page2[0], ...page2.slice(2)];
    expect(valid.every((i) => validateAgainstSchema('dependabot-alert-with-repository', i).ok)).toBe(true);
  });
});

describe('faults as the client meets them', () => {
  it('retries 502 twice and then reads the page', async () => {
    gh.injectFault(badGatewayFault(dependabotPath, 2));
    const before = gh.stats.byPath[dependabotPath] ?? 0;
    const response = await client().request('GET /orgs/{org}/dependabot/alerts', {
      org: demo.org,
      per_page: 3,
    });
    expect(response.data).toHaveLength(3);
    expect(gh.stats.byPath[dependabotPath]).toBe(before + 3);
  });

  it('times out a slow answer, and a retry gets through', async () => {
    gh.injectFault(timeoutFault(dependabotPath, 1500));
    const error = await client({ timeoutMs: 200, retries: 0 })
      .request('GET /orgs/{org}/dependabot/alerts', { org: demo.org })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { status?: number }).status).toBe(500);
    expect(String((error as Error).message)).toMatch(/abort|timeout/i);

    gh.injectFault(timeoutFault(dependabotPath, 1500));
    const retried = await client({ timeoutMs: 300, retries: 1 }).request(
      'GET /orgs/{org}/dependabot/alerts',
      {
        org: demo.org,
        per_page: 2,
      },
    );
    expect(retried.data).toHaveLength(2);
  });

  it('serves a secondary rate limit the throttling plugin recognises and waits out', async () => {
    gh.injectFault(secondaryRateLimitFault(dependabotPath, 2));
    const raw = await get(dependabotPath);
    expect(raw.status).toBe(403);
    expect(raw.headers.get('retry-after')).toBe('2');
    expect(((await raw.json()) as Item).message).toMatch(/secondary rate limit/);

    gh.injectFault(secondaryRateLimitFault(dependabotPath, 2));
    const warnings: [string, Record<string, unknown>][] = [];
    const response = await client({ onWarning: (m, d) => warnings.push([m, d]) }).request(
      'GET /orgs/{org}/dependabot/alerts',
      { org: demo.org, per_page: 1 },
    );
    expect(response.status).toBe(200);
    expect(warnings.map(([m, d]) => [m, d.retryAfter])).toEqual([['secondary rate limit reached', 2]]);
  });

  it('serves primary rate limits (403 and 429) with remaining 0 and the reset time', async () => {
    const reset = Math.floor(Date.now() / 1000) + 1;
    gh.injectFault(primaryRateLimitFault(dependabotPath, { status: 429, resetInSeconds: 1 }));
    const raw = await get(dependabotPath);
    expect(raw.status).toBe(429);
    expect(raw.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(raw.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(reset);

    gh.injectFault(primaryRateLimitFault(dependabotPath, { status: 403, resetInSeconds: 1 }));
    const warnings: string[] = [];
    const response = await client({ onWarning: (m) => warnings.push(m) }).request(
      'GET /orgs/{org}/dependabot/alerts',
      { org: demo.org, per_page: 1 },
    );
    expect(response.status).toBe(200);
    expect(warnings).toEqual(['primary rate limit reached']);

    gh.injectFault(primaryRateLimitFault(dependabotPath, { resetInSeconds: 3600 }));
    const gaveUp = await client({ maxRateLimitWaitSeconds: 60 })
      .request('GET /orgs/{org}/dependabot/alerts', { org: demo.org })
      .catch((e: unknown) => e);
    expect((gaveUp as { status?: number }).status).toBe(403);
  });
});

describe('latency', () => {
  it('makes concurrent requests each wait their own latency, not one after another', async () => {
    const slow = await startSimulatedGitHub({ demo, token: TOKEN, latencyMs: 300 });
    try {
      const started = performance.now();
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => get(`/orgs/${demo.org}/code-scanning/alerts?per_page=5`, slow)),
      );
      const elapsed = performance.now() - started;
      expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(1200);
      expect(slow.stats.late).toBe(0);
    } finally {
      await slow.close();
    }
  });

  /** Makes working out every alert list take `ms` of the simulator's own time, as a slow host would. */
  function slowLists(ms: number) {
    const original = AlertLists.prototype.alerts;
    return vi.spyOn(AlertLists.prototype, 'alerts').mockImplementation(function (this: AlertLists, ...args) {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // Busy, as rendering a large page is.
      }
      return original.apply(this, args);
    });
  }

  it('works out the answer while the latency runs: its own time adds nothing below the latency', async () => {
    const slow = await startSimulatedGitHub({ demo, token: TOKEN, latencyMs: 400 });
    const spy = slowLists(300);
    try {
      const started = performance.now();
      const res = await get(`/orgs/${demo.org}/code-scanning/alerts?per_page=5`, slow);
      const elapsed = performance.now() - started;
      expect(res.status).toBe(200);
      expect(spy).toHaveBeenCalledTimes(1);
      // 400 ms after it arrived, not 400 ms and then 300 ms of work.
      expect(elapsed).toBeGreaterThanOrEqual(390);
      expect(elapsed).toBeLessThan(650);
      expect(slow.stats.late).toBe(0);
    } finally {
      spy.mockRestore();
      await slow.close();
    }
  });

  it('answers when ready, and counts the answer late, when its own work takes longer than the latency', async () => {
    const slow = await startSimulatedGitHub({ demo, token: TOKEN, latencyMs: 50 });
    const spy = slowLists(250);
    try {
      const started = performance.now();
      const res = await get(`/orgs/${demo.org}/code-scanning/alerts?per_page=5`, slow);
      const elapsed = performance.now() - started;
      expect(res.status).toBe(200);
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(slow.stats.late).toBe(1);
      expect(slow.stats.latestMs).toBeGreaterThanOrEqual(190);
      expect(slow.stats.latestMs).toBeLessThan(elapsed);
    } finally {
      spy.mockRestore();
      await slow.close();
    }
  });
});
