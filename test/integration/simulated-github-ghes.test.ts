import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../functions/github/client.ts';
import { detectGhesVersion, supportsHideSecret } from '../../functions/github/ghes.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoOrg } from '../../infra/local/github/demo-types.ts';
import { validateAgainstSchema } from '../../infra/local/github/openapi.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';

const TOKEN = 'ghes-token';
const ENDS_AT = '2026-11-16T00:00:00Z';

type Item = Record<string, unknown>;

let demo: DemoOrg;
let ghes317: SimulatedGitHub;
let ghes318: SimulatedGitHub;
let dotcom: SimulatedGitHub;

beforeAll(async () => {
  demo = generateDemoOrg({ endsAt: ENDS_AT });
  [ghes317, ghes318, dotcom] = await Promise.all([
    startSimulatedGitHub({ demo, token: TOKEN, ghes: { version: '3.17' } }),
    startSimulatedGitHub({ demo, token: TOKEN, ghes: { version: '3.18' } }),
    startSimulatedGitHub({ demo, token: TOKEN }),
  ]);
});

afterAll(async () => {
  await Promise.all([ghes317.close(), ghes318.close(), dotcom.close()]);
});

function get(url: string): Promise<Response> {
  return fetch(url, { headers: { authorization: `token ${TOKEN}` } });
}

async function secretsOf(server: SimulatedGitHub, query: string): Promise<Item[]> {
  const response = await get(`${server.url}/orgs/${demo.org}/secret-scanning/alerts?per_page=100${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Item[];
}

describe('simulated GHES', () => {
  it('serves the API under /api/v3 with x-github-enterprise-version, and nothing at the root', async () => {
    expect(ghes317.url).toBe(`${ghes317.origin}/api/v3`);
    const org = await get(`${ghes317.url}/orgs/${demo.org}`);
    expect(org.status).toBe(200);
    expect(org.headers.get('x-github-enterprise-version')).toBe('3.17.0');
    expect(((await org.json()) as Item).login).toBe(demo.org);
    expect((await get(`${ghes317.origin}/orgs/${demo.org}`)).status).toBe(404);
    expect(
      (await get(`${dotcom.url}/orgs/${demo.org}`)).headers.get('x-github-enterprise-version'),
    ).toBeNull();
  });

  it('answers /meta with installed_version, valid against the GHES api-overview schema', async () => {
    const meta = (await (await fetch(`${ghes317.url}/meta`)).json()) as Item;
    expect(meta.installed_version).toBe('3.17.0');
    expect(validateAgainstSchema('api-overview', meta)).toEqual({ ok: true, errors: '' });
    const dotcomMeta = (await (await fetch(`${dotcom.url}/meta`)).json()) as Item;
    expect('installed_version' in dotcomMeta).toBe(false);
  });

  it('links pages and alerts under the /api/v3 prefix', async () => {
    const response = await get(`${ghes317.url}/orgs/${demo.org}/dependabot/alerts?per_page=10`);
    expect(response.headers.get('link')).toContain(
      `${ghes317.url}/organizations/${demo.orgId}/dependabot/alerts?`,
    );
    const [first] = (await response.json()) as Item[];
    expect(String(first?.url)).toMatch(new RegExp(`^${ghes317.url}/repos/${demo.org}/`));
    expect(validateAgainstSchema('dependabot-alert-with-repository', first)).toEqual({
      ok: true,
      errors: '',
    });
  });

  it('ignores hide_secret on 3.17 (the secret comes back) and honours it from 3.18', async () => {
    const on317 = await secretsOf(ghes317, '&hide_secret=true');
    expect(on317.length).toBeGreaterThan(0);
    expect(on317.every((i) => /^demo-secret-value-\d+$/.test(String(i.secret)))).toBe(true);
    const on318 = await secretsOf(ghes318, '&hide_secret=true');
    expect(on318.length).toBe(on317.length);
    expect(on318.some((i) => 'secret' in i)).toBe(false);
  });

  it('accepts a GitHub App under the prefix (token endpoint included)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const server = await startSimulatedGitHub({
      demo,
      ghes: { version: '3.19' },
      app: {
        appId: 5,
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        installations: { 9: demo.org },
      },
    });
    try {
      const gh = createGitHubClient({
        auth: {
          kind: 'app',
          appId: 5,
          installationId: 9,
          privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        },
        baseUrl: server.url,
      });
      const response = await gh.request('GET /orgs/{org}/code-scanning/alerts', {
        org: demo.org,
        per_page: 2,
      });
      expect(response.data).toHaveLength(2);
      expect(server.stats.tokensCreated).toBe(1);
      expect(server.stats.byPath['/api/v3/app/installations/9/access_tokens']).toBe(1);
      expect(await detectGhesVersion(gh)).toBe('3.19.0');
    } finally {
      await server.close();
    }
  });
});

describe('detectGhesVersion and supportsHideSecret', () => {
  it('reads the version from GHES and gives null for github.com', async () => {
    const onGhes = createGitHubClient({ token: TOKEN, baseUrl: ghes317.url });
    expect(await detectGhesVersion(onGhes)).toBe('3.17.0');
    const onDotcom = createGitHubClient({ token: TOKEN, baseUrl: dotcom.url });
    expect(await detectGhesVersion(onDotcom)).toBeNull();
    // A GHES URL without /api/v3 has no /meta: not an API that names a version.
    const wrongRoot = createGitHubClient({ token: TOKEN, baseUrl: ghes317.origin });
    expect(await detectGhesVersion(wrongRoot)).toBeNull();
  });

  it('knows hide_secret exists on github.com and from GHES 3.18', () => {
    expect(supportsHideSecret(null)).toBe(true);
    expect(supportsHideSecret('3.17.0')).toBe(false);
    expect(supportsHideSecret('3.17.12')).toBe(false);
    expect(supportsHideSecret('3.18.0')).toBe(true);
    expect(supportsHideSecret('3.19.2')).toBe(true);
    expect(supportsHideSecret('4.0.0')).toBe(true);
    expect(supportsHideSecret('2.22.0')).toBe(false);
    expect(supportsHideSecret('enterprise')).toBe(false);
  });
});
