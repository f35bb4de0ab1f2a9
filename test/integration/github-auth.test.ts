import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  checkAppCredentials,
  ExpiringTokenCache,
  findInstallationId,
  gitHubAuthFromEnv,
} from '../../functions/github/auth.ts';
import { createGitHubClient, type GitHubClient } from '../../functions/github/client.ts';
import {
  GitHubAuthError,
  GitHubPermissionError,
  GitHubUnavailableError,
} from '../../functions/github/errors.ts';
import { ConfigError, readRuntimeConfig } from '../../functions/runtime/config.ts';
import { createRuntime } from '../../functions/runtime/runtime.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoOrg } from '../../infra/local/github/demo-types.ts';
import { validateAgainstSchema } from '../../infra/local/github/openapi.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';

const ENDS_AT = '2026-11-16T00:00:00Z';
const APP_ID = 424242;
const INSTALLATION = 7001;
const OTHER_INSTALLATION = 7002;

type Item = Record<string, unknown>;

function rsaPair(): { privatePem: string; publicPem: string; privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** An RS256 JWT signed by hand, so the simulator's checks are tested apart from auth-app. */
function jwt(key: KeyObject, claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${sign('sha256', Buffer.from(unsigned), key).toString('base64url')}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

const keys = rsaPair();
const stranger = rsaPair();
let demo: DemoOrg;
let other: DemoOrg;
let gh: SimulatedGitHub;

beforeAll(async () => {
  demo = generateDemoOrg({ endsAt: ENDS_AT });
  other = generateDemoOrg({ endsAt: ENDS_AT, org: 'octo-other', seed: 43 });
  gh = await startSimulatedGitHub({
    demos: [demo, other],
    enterprise: 'octo-corp',
    token: 'person-token',
    app: {
      appId: APP_ID,
      publicKeyPem: keys.publicPem,
      installations: { [INSTALLATION]: demo.org, [OTHER_INSTALLATION]: other.org },
    },
  });
});

afterAll(async () => {
  await gh.close();
});

afterEach(() => {
  gh.clearFaults();
  vi.useRealTimers();
});

function appClient(overrides: { privateKey?: string; appId?: number; installationId?: number } = {}) {
  return createGitHubClient({
    auth: {
      kind: 'app',
      appId: overrides.appId ?? APP_ID,
      privateKey: overrides.privateKey ?? keys.privatePem,
      installationId: overrides.installationId ?? INSTALLATION,
    },
    baseUrl: gh.url,
    retries: 0,
  });
}

async function createToken(bearer: string, installation = INSTALLATION): Promise<Response> {
  return fetch(`${gh.url}/app/installations/${installation}/access_tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, accept: 'application/vnd.github+json' },
  });
}

describe('simulated GitHub App endpoints', () => {
  it('creates an installation token for a valid JWT, in GitHub’s shape, clearly fake', async () => {
    const before = gh.stats.tokensCreated;
    const response = await createToken(
      jwt(keys.privateKey, { iss: APP_ID, iat: nowSeconds() - 30, exp: nowSeconds() + 540 }),
    );
    expect(response.status).toBe(201);
    const body = (await response.json()) as Item;
    expect(validateAgainstSchema('installation-token', body)).toEqual({ ok: true, errors: '' });
    expect(body.token).toMatch(new RegExp(`^sim-inst-${INSTALLATION}-[0-9a-f]{24}$`));
    expect(String(body.token).startsWith('ghs_')).toBe(false);
    expect(Date.parse(String(body.expires_at)) - Date.now()).toBeGreaterThan(3500_000);
    expect(body.permissions).toEqual({
      metadata: 'read',
      vulnerability_alerts: 'read',
      secret_scanning_alerts: 'read',
      security_events: 'read',
      organization_administration: 'read',
    });
    expect(gh.stats.tokensCreated).toBe(before + 1);
    // The token reads its own org, and only that one.
    const own = await fetch(`${gh.url}/orgs/${demo.org}/dependabot/alerts?per_page=1`, {
      headers: { authorization: `token ${String(body.token)}` },
    });
    expect(own.status).toBe(200);
    const foreign = await fetch(`${gh.url}/orgs/${other.org}/dependabot/alerts?per_page=1`, {
      headers: { authorization: `token ${String(body.token)}` },
    });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as Item).message).toBe('Resource not accessible by integration');
  });

  it('refuses JWTs signed with another key, naming another app, expired or valid too long (401)', async () => {
    const iat = nowSeconds() - 30;
    const cases: [string, string][] = [
      [
        jwt(stranger.privateKey, { iss: APP_ID, iat, exp: iat + 540 }),
        'A JSON web token could not be decoded',
      ],
      [
        jwt(keys.privateKey, { iss: APP_ID + 1, iat, exp: iat + 540 }),
        'A JSON web token could not be decoded',
      ],
      [
        jwt(keys.privateKey, { iss: APP_ID, iat: iat - 700, exp: iat - 100 }),
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
      ],
      [
        jwt(keys.privateKey, { iss: APP_ID, iat, exp: iat + 3600 }),
        "'Expiration time' claim ('exp') is too far in the future",
      ],
      ['not-a-jwt', 'A JSON web token could not be decoded'],
    ];
    const before = gh.stats.tokensCreated;
    for (const [bearer, message] of cases) {
      const response = await createToken(bearer);
      expect(response.status).toBe(401);
      expect(((await response.json()) as Item).message).toBe(message);
    }
    expect(gh.stats.tokensCreated).toBe(before);
  });

  it('answers 404 for an installation the app does not have', async () => {
    const response = await createToken(
      jwt(keys.privateKey, { iss: APP_ID, iat: nowSeconds(), exp: nowSeconds() + 60 }),
      999,
    );
    expect(response.status).toBe(404);
  });

  it('returns the installation of an org to the app (JWT), validating against the schema', async () => {
    const bearer = jwt(keys.privateKey, { iss: String(APP_ID), iat: nowSeconds(), exp: nowSeconds() + 60 });
    const response = await fetch(`${gh.url}/orgs/${other.org}/installation`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Item;
    expect(validateAgainstSchema('installation', body)).toEqual({ ok: true, errors: '' });
    expect(body.id).toBe(OTHER_INSTALLATION);
    expect(body.app_id).toBe(APP_ID);
    expect((body.account as Item).login).toBe(other.org);
    const withToken = await fetch(`${gh.url}/orgs/${other.org}/installation`, {
      headers: { authorization: 'token person-token' },
    });
    expect(withToken.status).toBe(401);
  });

  it('refuses installation tokens on enterprise endpoints (403) but serves the person’s token', async () => {
    const created = (await (
      await createToken(jwt(keys.privateKey, { iss: APP_ID, iat: nowSeconds(), exp: nowSeconds() + 60 }))
    ).json()) as Item;
    const enterprise = `${gh.url}/enterprises/octo-corp/dependabot/alerts?per_page=1`;
    const refused = await fetch(enterprise, { headers: { authorization: `token ${String(created.token)}` } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as Item).message).toBe('Resource not accessible by integration');
    const served = await fetch(enterprise, { headers: { authorization: 'token person-token' } });
    expect(served.status).toBe(200);
  });
});

describe('createGitHubClient with a GitHub App', () => {
  it('creates an installation token once and reuses it', async () => {
    const before = gh.stats.tokensCreated;
    const client = appClient();
    const org = await client.request('GET /orgs/{org}', { org: demo.org });
    expect(org.data.login).toBe(demo.org);
    const page = await client.request('GET /orgs/{org}/code-scanning/alerts', { org: demo.org, per_page: 5 });
    expect(page.data).toHaveLength(5);
    expect(gh.stats.tokensCreated).toBe(before + 1);
  });

  it('renews an expired installation token transparently, before GitHub refuses it', async () => {
    const short = await startSimulatedGitHub({
      demo,
      app: {
        appId: APP_ID,
        publicKeyPem: keys.publicPem,
        installations: { [INSTALLATION]: demo.org },
        tokenTtlSeconds: 2,
      },
    });
    try {
      const client = createGitHubClient({
        auth: { kind: 'app', appId: APP_ID, privateKey: keys.privatePem, installationId: INSTALLATION },
        baseUrl: short.url,
        retries: 0,
      });
      const path = `/orgs/${demo.org}`;
      expect((await client.request('GET /orgs/{org}', { org: demo.org })).status).toBe(200);
      expect(short.stats.tokensCreated).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect((await client.request('GET /orgs/{org}', { org: demo.org })).status).toBe(200);
      expect(short.stats.tokensCreated).toBe(2);
      // Renewed ahead of expiry: GitHub never had to answer 401, so each call was one request.
      expect(short.stats.byPath[path]).toBe(2);
    } finally {
      await short.close();
    }
  });

  it('says enterprise lists need a token, not an App, when GitHub answers 403', async () => {
    const client = appClient();
    const error = await client
      .request('GET /enterprises/{enterprise}/dependabot/alerts', { enterprise: 'octo-corp' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubPermissionError);
    expect((error as GitHubPermissionError).status).toBe(403);
    expect((error as Error).message).toMatch(/cannot be read with a GitHub App/);
    expect((error as Error).message).toMatch(/Use a token for --enterprise/);
  });

  it('names the settings to check when the key belongs to another App (401), quoting no secret', async () => {
    const error = await appClient({ privateKey: stranger.privatePem })
      .request('GET /orgs/{org}', { org: demo.org })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubAuthError);
    const message = (error as Error).message;
    expect(message).toMatch(/GITHUB_APP_ID \(424242\).*GITHUB_APP_PRIVATE_KEY/);
    expect(message).not.toContain('PRIVATE KEY-----');
    expect(message).not.toMatch(/sim-inst-|eyJ/);
    const wrongId = await appClient({ appId: APP_ID + 5 })
      .request('GET /orgs/{org}', { org: demo.org })
      .catch((e: unknown) => e);
    expect(wrongId).toBeInstanceOf(GitHubAuthError);
    expect((wrongId as GitHubAuthError).status).toBe(401);
  });

  it('says the installation is unknown (404) with the setting to check', async () => {
    const error = await appClient({ installationId: 31337 })
      .request('GET /orgs/{org}', { org: demo.org })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubAuthError);
    expect((error as Error).message).toBe(
      `GitHub App ${APP_ID} has no installation 31337 (404): check GITHUB_APP_INSTALLATION_ID, and that the App is still installed on the organisation.`,
    );
  });

  it('rejects malformed credentials before any request, saying what to fix', () => {
    const requests = gh.stats.requests;
    expect(() => appClient({ privateKey: 'not a key' })).toThrow(
      /GITHUB_APP_PRIVATE_KEY is not a readable PEM private key/,
    );
    expect(() => appClient({ privateKey: keys.publicPem })).toThrow(GitHubAuthError);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(() => appClient({ privateKey: ec.toString() })).toThrow(/is a ec key; GitHub App keys are RSA/);
    expect(() => appClient({ appId: 0 })).toThrow(/GITHUB_APP_ID must be the GitHub App's numeric App ID/);
    expect(() => appClient({ installationId: -1 })).toThrow(/GITHUB_APP_INSTALLATION_ID must be/);
    expect(gh.stats.requests).toBe(requests);
  });

  it('accepts a PEM with escaped newlines, as environment variables carry it', () => {
    const escaped = `"${keys.privatePem.trim().replace(/\n/g, '\\n')}"`;
    expect(checkAppCredentials({ kind: 'app', appId: 1, installationId: 2, privateKey: escaped })).toBe(
      keys.privatePem,
    );
  });
});

describe('a GitHub App installed on several organisations', () => {
  const app = { kind: 'app' as const, appId: APP_ID, privateKey: keys.privatePem, installationId: null };

  it("finds the App's installation on each organisation, as the App (JWT)", async () => {
    expect(await findInstallationId(app, demo.org, gh.url)).toBe(INSTALLATION);
    expect(await findInstallationId(app, other.org.toUpperCase(), gh.url)).toBe(OTHER_INSTALLATION);
  });

  it('names the organisation the App is not installed on, and what to do', async () => {
    const error = await findInstallationId(app, 'octo-elsewhere', gh.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubAuthError);
    expect((error as Error).message).toBe(
      `GitHub App ${APP_ID} is not installed on the organisation octo-elsewhere (404): install it there (https://github.com/organizations/octo-elsewhere/settings/installations), or remove octo-elsewhere from ORGS.`,
    );
    const stranger401 = await findInstallationId(
      { ...app, privateKey: stranger.privatePem },
      demo.org,
      gh.url,
    ).catch((e: unknown) => e);
    expect(stranger401).toBeInstanceOf(GitHubAuthError);
    expect((stranger401 as Error).message).toMatch(
      /^GitHub refused the GitHub App's credentials \(401\) when looking up its installation on octo-demo/,
    );
    expect((stranger401 as Error).message).not.toContain('PRIVATE KEY-----');
  });

  it('says to run again when GitHub fails while looking up an installation', async () => {
    gh.injectFault({ path: `/orgs/${demo.org}/installation`, status: 502 });
    const error = await findInstallationId(app, demo.org, gh.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubUnavailableError);
    expect((error as Error).message).toMatch(
      new RegExp(`look up GitHub App ${APP_ID}'s installation on ${demo.org} \\(502.*run again later`),
    );
  });

  it('reads each organisation through its own installation, without GITHUB_APP_INSTALLATION_ID', async () => {
    const rt = createRuntime(
      readRuntimeConfig({
        TABLE_NAME: 'unused',
        ORGS: `${demo.org},${other.org}`,
        GITHUB_API_URL: gh.url,
        GITHUB_APP_ID: String(APP_ID),
        GITHUB_APP_PRIVATE_KEY: keys.privatePem,
      }),
    );
    const tokensBefore = gh.stats.tokensCreated;
    const first = await rt.github(demo.org);
    const second = await rt.github(other.org);
    expect(second).not.toBe(first);
    expect(await rt.github(demo.org.toUpperCase())).toBe(first); // one client per organisation
    const count = async (client: GitHubClient, org: string) =>
      (await client.request('GET /orgs/{org}/dependabot/alerts', { org, per_page: 3 })).data.length;
    expect(await count(first, demo.org)).toBe(3);
    expect(await count(second, other.org)).toBe(3);
    expect(gh.stats.tokensCreated).toBe(tokensBefore + 2);
    // An installation's token reaches its own organisation only.
    expect(await count(first, other.org).catch((e: unknown) => e)).toBeInstanceOf(Error);
    // After GitHub refused it (an App reinstalled), the client is built and looked up again.
    rt.forgetGitHub(demo.org);
    const renewed = await rt.github(demo.org);
    expect(renewed).not.toBe(first);
    expect(await rt.github(other.org)).toBe(second);
    expect(await count(renewed, demo.org)).toBe(3);
    expect(gh.stats.tokensCreated).toBe(tokensBefore + 3);
    // Nothing to look up without an organisation.
    const none = await rt.github().catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ConfigError);
    expect((none as Error).message).toMatch(
      /pass an organisation \(--org, ORGS\), or set GITHUB_APP_INSTALLATION_ID/,
    );
  });
});

describe('credentials from the environment', () => {
  it('prefers GITHUB_TOKEN, else reads the three App variables', () => {
    expect(gitHubAuthFromEnv({ GITHUB_TOKEN: ' t0k ', GITHUB_APP_ID: '1' })).toEqual({
      kind: 'token',
      token: 't0k',
    });
    expect(
      gitHubAuthFromEnv({
        GITHUB_APP_ID: '12',
        GITHUB_APP_PRIVATE_KEY: 'pem',
        GITHUB_APP_INSTALLATION_ID: '34',
      }),
    ).toEqual({ kind: 'app', appId: 12, privateKey: 'pem', installationId: 34 });
    // Without an installation id, each organisation's installation is looked up.
    expect(gitHubAuthFromEnv({ GITHUB_APP_ID: '12', GITHUB_APP_PRIVATE_KEY: 'pem' })).toEqual({
      kind: 'app',
      appId: 12,
      privateKey: 'pem',
      installationId: null,
    });
  });

  it('says which variables are missing or wrong', () => {
    expect(() => gitHubAuthFromEnv({})).toThrow(/No GitHub credentials: set GITHUB_TOKEN/);
    expect(() => gitHubAuthFromEnv({ GITHUB_APP_ID: '12' })).toThrow(
      'GitHub App credentials are incomplete: set GITHUB_APP_PRIVATE_KEY.',
    );
    expect(() =>
      gitHubAuthFromEnv({
        GITHUB_APP_ID: 'my-app',
        GITHUB_APP_PRIVATE_KEY: 'k',
        GITHUB_APP_INSTALLATION_ID: '3',
      }),
    ).toThrow('GITHUB_APP_ID must be a number.');
  });
});

describe('ExpiringTokenCache', () => {
  it('drops a token a tenth of its life (at most five minutes) before it expires', () => {
    let now = Date.parse('2026-11-16T10:00:00Z');
    const cache = new ExpiringTokenCache(() => now);
    cache.set('k', 'tok|2026-11-16T10:00:00.000Z|2026-11-16T11:00:00Z|all|');
    now = Date.parse('2026-11-16T10:54:59Z');
    expect(cache.get('k')).toBe('tok|2026-11-16T10:00:00.000Z|2026-11-16T11:00:00Z|all|');
    now = Date.parse('2026-11-16T10:55:00Z');
    expect(cache.get('k')).toBe('');
    cache.set('short', 'tok|2026-11-16T10:55:00.000Z|2026-11-16T10:55:10Z|all|');
    now = Date.parse('2026-11-16T10:55:08Z');
    expect(cache.get('short')).not.toBe('');
    now = Date.parse('2026-11-16T10:55:09Z');
    expect(cache.get('short')).toBe('');
  });
});

describe('createGitHubClient with a token', () => {
  it('keeps the `token` shorthand working and refuses missing credentials', async () => {
    const client: GitHubClient = createGitHubClient({ token: 'person-token', baseUrl: gh.url });
    expect((await client.request('GET /orgs/{org}', { org: other.org })).data.login).toBe(other.org);
    expect(() => createGitHubClient({ baseUrl: gh.url })).toThrow(GitHubAuthError);
    expect(() => createGitHubClient({ auth: { kind: 'token', token: ' ' } })).toThrow(/token is empty/);
  });
});

describe('createGitHubClient with a GitHub App, after a revocation (moves the clock: keep last)', () => {
  it('creates a new token when GitHub refuses a revoked one (401), without failing the call', async () => {
    const client = appClient();
    expect((await client.request('GET /orgs/{org}', { org: demo.org })).status).toBe(200);
    const before = gh.stats.tokensCreated;
    expect((await client.request('DELETE /installation/token')).status).toBe(204);
    // auth-app retries a 401 with the same token for 5 s after creating it (replication delay);
    // a token that old is past that, so the client's own renewal is what recovers.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 10_000 });
    // Keep this test last in the file: the throttling plugin's scheduler (module-wide) remembers
    // the moved clock, and any later request would wait for real time to catch up.
    const again = await client.request('GET /orgs/{org}', { org: demo.org });
    expect(again.status).toBe(200);
    expect(gh.stats.tokensCreated).toBe(before + 1);
  });
});
