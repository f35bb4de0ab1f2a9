import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapGitHubError } from '../../functions/github/alerts.ts';
import { createGitHubClient, fetchAt, REQUEST_CONCURRENCY } from '../../functions/github/client.ts';
import { GitHubRateLimitError } from '../../functions/github/errors.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoOrg } from '../../infra/local/github/demo-types.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';
import { withServer } from '../support/http.ts';

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
  it('asks again after a 429 only as its retry-after allows, and never sooner', async () => {
    let hits = 0;
    let retryAfter = '120';
    await withServer(
      (_req, res) => {
        hits += 1;
        if (hits > 1 && retryAfter === '1') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"login":"octo"}');
          return;
        }
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': retryAfter });
        res.end('{"message":"You have exceeded a secondary rate limit."}');
      },
      async (url) => {
        const client = createGitHubClient({ token: TOKEN, baseUrl: url, retryAfterBaseValue: 10 });
        // Two minutes away, over the minute the client waits: one request, then the lane stops.
        const far = await client.request('GET /orgs/{org}', { org: 'octo' }).catch((e: unknown) => e);
        expect(hits).toBe(1);
        const stopped = mapGitHubError(far, 'read octo');
        expect(stopped).toBeInstanceOf(GitHubRateLimitError);
        // Until when: its retry-after, two minutes on.
        const until = Date.parse((stopped as GitHubRateLimitError).resetAt ?? '') - Date.now();
        expect(until).toBeGreaterThan(110_000);
        expect(until).toBeLessThanOrEqual(120_000);
        // A second away: waited out, and asked once more.
        hits = 0;
        retryAfter = '1';
        const near = await client.request('GET /orgs/{org}', { org: 'octo' });
        expect(near.data).toEqual({ login: 'octo' });
        expect(hits).toBe(2);
      },
    );
  });

  it('waits out one rate limit per request, and leaves a second to its caller', async () => {
    let hits = 0;
    await withServer(
      (_req, res) => {
        hits += 1;
        res.writeHead(403, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end('{"message":"You have exceeded a secondary rate limit."}');
      },
      async (url) => {
        const client = createGitHubClient({ token: TOKEN, baseUrl: url, retryAfterBaseValue: 10 });
        const error = await client.request('GET /orgs/{org}', { org: 'octo' }).catch((e: unknown) => e);
        expect(hits).toBe(2);
        expect(mapGitHubError(error, 'read octo')).toBeInstanceOf(GitHubRateLimitError);
      },
    );
  });

  it('quotes what GitHub said, never the raw body of an error page', async () => {
    await withServer(
      (req, res) => {
        if (req.url?.includes('proxy')) {
          // A proxy's error page that echoes the request's headers.
          res.writeHead(502, { 'content-type': 'text/html' });
          res.end(
            `<html><body>Bad gateway. Request headers: Authorization: token ghp_ECHOED${'x'.repeat(20)}</body></html>`,
          );
          return;
        }
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            message: 'Not Found',
            documentation_url: 'https://docs.github.com',
            secret: 'ghp_BODY',
          }),
        );
      },
      async (url) => {
        const client = createGitHubClient({ token: TOKEN, baseUrl: url, retries: 0 });
        const page = await client.request('GET /proxy').catch((e: unknown) => e);
        const failed = mapGitHubError(page, 'list the alerts of octo');
        expect(failed.message).toMatch(/\(502\)/);
        expect(failed.message).not.toMatch(/ghp_|<html>/);
        const missing = await client.request('GET /gone').catch((e: unknown) => e);
        const gap = mapGitHubError(missing, 'list the alerts of octo', 'dependabot');
        expect(gap.message).toMatch(/\(404: Not Found\)/);
        expect(gap.message).not.toContain('ghp_BODY');
      },
    );
  });

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
    await withServer(
      (_req, res) => {
        res.writeHead(204);
        res.end();
      },
      async (url) => {
        const client = createGitHubClient({ token: TOKEN, baseUrl: url, concurrency: 1 });
        const answers = await Promise.all(
          [1, 2, 3].map(() => client.request('GET /orgs/{org}', { org: 'any' })),
        );
        expect(answers.map((a) => a.status)).toEqual([204, 204, 204]);
      },
    );
  });

  it('asks for a compressed answer, and decodes gzip, deflate and br', async () => {
    const asked: (string | undefined)[] = [];
    const encoders: Record<string, (b: Buffer) => Buffer> = {
      gzip: gzipSync,
      deflate: deflateSync,
      br: brotliCompressSync,
    };
    await withServer(
      (req, res) => {
        asked.push(req.headers['accept-encoding']);
        const org = (req.url ?? '').split('/')[2] ?? '';
        const json = Buffer.from(JSON.stringify({ login: org, description: 'x'.repeat(5000) }));
        const encode = encoders[org];
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          ...(encode ? { 'content-encoding': org } : {}),
        });
        res.end(encode ? encode(json) : json);
      },
      async (url) => {
        const client = createGitHubClient({ token: TOKEN, baseUrl: url });
        for (const org of ['gzip', 'deflate', 'br', 'plain']) {
          const answer = await client.request('GET /orgs/{org}', { org });
          expect(answer.data).toEqual({ login: org, description: 'x'.repeat(5000) });
          // The headers describe the body as Octokit gets it.
          expect(answer.headers['content-encoding']).toBeUndefined();
        }
      },
    );
    expect(asked).toEqual(Array(4).fill('gzip, deflate, br'));
  });

  it('follows a redirect, and does not send the token to another host', async () => {
    const seen: Record<string, string | undefined> = {};
    await withServer(
      (req, res) => {
        seen.other = req.headers.authorization;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ login: 'moved', at: req.url }));
      },
      (other) =>
        withServer(
          (req, res) => {
            seen.github = req.headers.authorization;
            res.writeHead(301, { location: `${other}/orgs/renamed` });
            res.end();
          },
          async (url) => {
            const client = createGitHubClient({ token: TOKEN, baseUrl: url });
            const answer = await client.request('GET /orgs/{org}', { org: 'old-name' });
            expect(answer.status).toBe(200);
            expect(answer.data).toEqual({ login: 'moved', at: '/orgs/renamed' });
          },
        ),
    );
    expect(seen).toEqual({ github: `token ${TOKEN}`, other: undefined });
  });
});
