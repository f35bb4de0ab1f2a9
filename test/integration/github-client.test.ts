import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient, fetchAt, REQUEST_CONCURRENCY } from '../../functions/github/client.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoOrg } from '../../infra/local/github/demo-types.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';

const TOKEN = 'client-token';

let demo: DemoOrg;
let gh: SimulatedGitHub;

beforeAll(async () => {
  demo = generateDemoOrg({ endsAt: '2026-11-16T00:00:00Z' });
  gh = await startSimulatedGitHub({ demo, token: TOKEN, latencyMs: 60 });
});

afterAll(async () => {
  await gh.close();
});

describe('the GitHub client', () => {
  it('keeps at most its concurrency on the wire, however many requests are asked for at once', async () => {
    const client = createGitHubClient({ token: TOKEN, baseUrl: gh.url, concurrency: 3 });
    gh.stats.maxInFlight = 0;
    const pages = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        client.request('GET /orgs/{org}/code-scanning/alerts', { org: demo.org, per_page: 5, page: i + 1 }),
      ),
    );
    expect(pages.map((p) => p.status)).toEqual(Array(12).fill(200));
    // Every answer is whole: the place on the wire is held until the body has arrived.
    expect(pages.map((p) => (p.data as unknown[]).length)).toEqual(Array(12).fill(5));
    expect(gh.stats.maxInFlight).toBe(3);
    expect(gh.stats.inFlight).toBe(0);
  });

  it('sends waiting requests highest priority first, in order of arrival within one', async () => {
    const client = createGitHubClient({ token: TOKEN, baseUrl: gh.url, concurrency: 1 });
    const order: number[] = [];
    const ask = (page: number, priority: number) =>
      client
        .request('GET /orgs/{org}/code-scanning/alerts', {
          org: demo.org,
          per_page: 1,
          page,
          request: priority === 0 ? {} : { fetch: fetchAt(client, priority) },
        })
        .then(() => order.push(page));
    // Page 1 takes the only place; the others wait for it and go by priority.
    await Promise.all([ask(1, 0), ask(2, 0), ask(3, 5), ask(4, 9), ask(5, 5)]);
    expect(order).toEqual([1, 4, 3, 5, 2]);
    // A client that createGitHubClient did not make has no such fetch.
    expect(fetchAt(new Octokit(), 3)).toBeUndefined();
  });

  it('keeps the default of REQUEST_CONCURRENCY requests at once', async () => {
    const client = createGitHubClient({ token: TOKEN, baseUrl: gh.url });
    gh.stats.maxInFlight = 0;
    await Promise.all(
      Array.from({ length: 3 * REQUEST_CONCURRENCY }, () =>
        client.request('GET /orgs/{org}', { org: demo.org }),
      ),
    );
    expect(gh.stats.maxInFlight).toBe(REQUEST_CONCURRENCY);
  });

  it('passes on an answer that has no body (204) without holding its place', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = createGitHubClient({
        token: TOKEN,
        baseUrl: `http://127.0.0.1:${port}`,
        concurrency: 1,
      });
      const answers = await Promise.all(
        [1, 2, 3].map(() => client.request('GET /orgs/{org}', { org: 'any' })),
      );
      expect(answers.map((a) => a.status)).toEqual([204, 204, 204]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
