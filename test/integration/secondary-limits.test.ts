/**
 * GitHub's secondary rate limits (100 requests at once, 900 a minute per endpoint): the simulated
 * GitHub enforces them as documented, and the client paces each endpoint so that a snapshot never
 * meets the per-endpoint one. The window is shrunk to a second here; the logic is the minute's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient, reservePace } from '../../functions/github/client.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { takeSnapshot } from '../../functions/use-cases/take-snapshot.ts';
import type { DemoOrg } from '../../infra/local/github/demo-types.ts';
import { generateScaleOrg } from '../../infra/local/github/scale-org.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';
import { createTestStore } from '../support/dynamo.ts';

const TOKEN = 'secondary-limits-token';
const END = '2026-11-16T00:00:00.000Z';
/** The simulated GitHub's limit: four requests a second to one endpoint. */
const LIMIT = { perEndpoint: 4, windowMs: 1000 };
/**
 * The client's pace: four in 1.1 s, a margin as the default's 850 a minute has under GitHub's 900
 * (a request can reach the server sooner after the one before than it left the client).
 */
const PACE = { requests: 4, windowMs: 1100 };

let demo: DemoOrg;

beforeAll(() => {
  // 1,200 alerts: 600 Dependabot (6 pages on one endpoint), 420 code scanning, 180 secret scanning.
  demo = generateScaleOrg({ alerts: 1200, repositories: 40, endsAt: END });
});

/** A GitHub API request by hand, as any client would send it. */
const get = (gh: SimulatedGitHub, path: string) =>
  fetch(`${gh.url}${path}`, { headers: { authorization: `token ${TOKEN}` } });

describe('GitHub’s secondary rate limits', () => {
  let github: SimulatedGitHub;
  beforeAll(async () => {
    github = await startSimulatedGitHub({
      demo,
      token: TOKEN,
      secondaryLimits: LIMIT,
    });
  });
  afterAll(async () => {
    await github.close();
  });

  it('are enforced by the simulated GitHub per endpoint, as GitHub answers them', async () => {
    github.forgetRequests();
    const refusedBefore = github.stats.secondaryLimited;
    const path = `/orgs/${demo.org}/code-scanning/alerts`;
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await get(github, `${path}?per_page=1&page=${i + 1}`));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 403, 403]);
    const refused = answers[4] as Response;
    expect(Number(refused.headers.get('retry-after'))).toBe(1);
    const body = (await refused.json()) as { message: string; documentation_url: string };
    expect(body.message).toMatch(/^You have exceeded a secondary rate limit/);
    expect(body.documentation_url).toMatch(/#about-secondary-rate-limits$/);
    expect(github.stats.secondaryLimited - refusedBefore).toBe(2);
    // Another endpoint has its own window; the refused requests were not counted.
    expect((await get(github, `/orgs/${demo.org}/dependabot/alerts?per_page=1`)).status).toBe(200);
    expect(github.peakPerEndpoint()).toEqual({ endpoint: `GET ${path}`, requests: 4 });
    // Once the window has passed, the endpoint answers again.
    await new Promise((resolve) => setTimeout(resolve, LIMIT.windowMs + 50));
    expect((await get(github, `${path}?per_page=1`)).status).toBe(200);
  });

  it('are enforced by the simulated GitHub for requests at once', async () => {
    const busy = await startSimulatedGitHub({
      demo,
      token: TOKEN,
      latencyMs: 300,
      secondaryLimits: { concurrent: 3 },
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          get(busy, `/orgs/${demo.org}/code-scanning/alerts?page=${i + 1}`),
        ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 403, 403]);
      expect(busy.stats.secondaryLimited).toBe(2);
    } finally {
      await busy.close();
    }
  });

  it('are never met by a client paced like them, and are by one that is not', async () => {
    const ask = (gh: ReturnType<typeof createGitHubClient>) =>
      Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          gh.request('GET /orgs/{org}/code-scanning/alerts', { org: demo.org, per_page: 1, page: i + 1 }),
        ),
      );
    github.forgetRequests();
    let refusedBefore = github.stats.secondaryLimited;
    const started = performance.now();
    const paced = await ask(createGitHubClient({ token: TOKEN, baseUrl: github.url, endpointPace: PACE }));
    const pacedMs = performance.now() - started;
    expect(paced.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(github.stats.secondaryLimited - refusedBefore).toBe(0);
    // 4 at once, 4 a window later, 2 two windows later.
    expect(pacedMs).toBeGreaterThanOrEqual(2 * PACE.windowMs);

    await new Promise((resolve) => setTimeout(resolve, LIMIT.windowMs + 50));
    refusedBefore = github.stats.secondaryLimited;
    const unpaced = createGitHubClient({
      token: TOKEN,
      baseUrl: github.url,
      endpointPace: false,
      retryAfterBaseValue: 10,
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        unpaced.request('GET /orgs/{org}/code-scanning/alerts', { org: demo.org, per_page: 1, page: i + 1 }),
      ),
    );
    // Refused at once (and, with the retry-after waited for only 10 ms here, again).
    expect(github.stats.secondaryLimited - refusedBefore).toBeGreaterThanOrEqual(6);
    expect(outcomes.filter((o) => o.status === 'rejected').length).toBeGreaterThanOrEqual(3);
  });

  it('hold back only the paced endpoint’s requests, when their places are reserved before they queue', async () => {
    github.forgetRequests();
    const refusedBefore = github.stats.secondaryLimited;
    const gh = createGitHubClient({ token: TOKEN, baseUrl: github.url, endpointPace: PACE });
    const path = `${github.url}/orgs/${demo.org}/code-scanning/alerts`;
    // 15 pages of one endpoint, each reserving its place first as a snapshot's pages do: 4 go,
    // 11 wait for the window, outside the client (whose plugins queue at most 10 at once).
    const paced = Array.from({ length: 15 }, async (_, i) => {
      const place = await reservePace(gh, 'GET', path);
      try {
        return await gh.request('GET /orgs/{org}/code-scanning/alerts', {
          org: demo.org,
          per_page: 1,
          page: i + 1,
        });
      } finally {
        place?.dropped();
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    const other = await gh.request('GET /orgs/{org}/dependabot/alerts', { org: demo.org, per_page: 1 });
    expect(other.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
    const answers = await Promise.all(paced);
    expect(answers.map((a) => a.status)).toEqual(Array(15).fill(200));
    expect(github.stats.secondaryLimited - refusedBefore).toBe(0);
    // A client that does not pace reserves nothing.
    const unpaced = createGitHubClient({ token: TOKEN, baseUrl: github.url, endpointPace: false });
    expect(await reservePace(unpaced, 'GET', path)).toBeNull();
  });

  it('are never met by a full snapshot, which lists everything, paced', async () => {
    const { store } = await createTestStore('secondary');
    github.forgetRequests();
    const refusedBefore = github.stats.secondaryLimited;
    const requestsBefore = github.stats.requests;
    const gh = createGitHubClient({ token: TOKEN, baseUrl: github.url, endpointPace: PACE });
    const m = await takeSnapshot(
      { gh, store, log: silentLog },
      { org: demo.org, now: new Date(END), mode: 'full' },
    );
    expect(m.complete).toBe(true);
    expect(github.stats.secondaryLimited - refusedBefore).toBe(0);
    expect(m.alertsSeen).toBe(1200);
    // Dependabot's 6 pages, at 4 a window: the paced run waited for the window.
    expect(m.streams.find((s) => s.lane === 'dependabot')?.pages).toBe(6);
    expect(github.peakPerEndpoint().requests).toBe(LIMIT.perEndpoint);
    expect(github.stats.requests - requestsBefore).toBe(m.requests);
  });
});
