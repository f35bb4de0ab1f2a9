import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isListedByDefault } from '../../infra/local/github/alert-filters.ts';
import { alertStateAt } from '../../infra/local/github/alert-state.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoAlert, DemoOrg } from '../../infra/local/github/demo-types.ts';
import { generateOpenApiSubsetText, SUBSET_PATH } from '../../infra/local/github/generate-openapi-subset.ts';
import { toJsonSchema, validateAgainstSchema } from '../../infra/local/github/openapi.ts';
import type { SchemaName } from '../../infra/local/github/openapi-subset.ts';
import { renderAlertsAt } from '../../infra/local/github/render.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';

const TOKEN = 'simulated-token';
const ENDS_AT = '2026-11-16T00:00:00Z';
const MID_WINDOW = new Date('2026-10-07T12:00:00Z');

type Item = Record<string, unknown>;

let demo: DemoOrg;
let gh: SimulatedGitHub;

beforeAll(async () => {
  demo = generateDemoOrg({ endsAt: ENDS_AT });
  gh = await startSimulatedGitHub({ demo, token: TOKEN });
});

afterAll(async () => {
  await gh.close();
});

afterEach(() => {
  gh.setNow(new Date(ENDS_AT));
  gh.clearFaults();
});

function get(
  server: SimulatedGitHub,
  path: string,
  auth: string | null = `Bearer ${TOKEN}`,
): Promise<Response> {
  const url = path.startsWith('http') ? path : `${server.url}${path}`;
  return fetch(url, { headers: auth ? { authorization: auth } : {} });
}

function links(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of (response.headers.get('link') ?? '').matchAll(/<([^>]+)>;\s*rel="([a-z]+)"/g)) {
    const [, url, rel] = match;
    if (url && rel) out[rel] = url;
  }
  return out;
}

/** Follows rel="next" from `path` to the end, as a collector does. */
async function walk(path: string): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let next: string | undefined = path;
  let pages = 0;
  while (next) {
    const response = await get(gh, next);
    expect(response.status).toBe(200);
    items.push(...((await response.json()) as Item[]));
    pages += 1;
    next = links(response).next;
    expect(pages).toBeLessThan(50);
  }
  return { items, pages };
}

function identity(item: Item): string {
  const repository = item.repository as { full_name: string };
  return `${repository.full_name}#${String(item.number)}`;
}

function existing<T extends DemoAlert>(alerts: T[], at: Date): T[] {
  return alerts.filter((a) => alertStateAt(a, at) !== null);
}

function expectedIds(alerts: DemoAlert[], at: Date): string[] {
  return existing(alerts, at)
    .map((a) => `${demo.org}/${a.repository}#${a.number}`)
    .sort();
}

describe('authentication and routing', () => {
  it('answers 401 without a token and with a wrong one, in GitHub’s words', async () => {
    const missing = await get(gh, `/orgs/${demo.org}/dependabot/alerts`, null);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      message: 'Requires authentication',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
    const wrong = await get(gh, `/orgs/${demo.org}/dependabot/alerts`, 'token not-the-token');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as Item).message).toBe('Bad credentials');
  });

  it('accepts both "token X" and "Bearer X"', async () => {
    expect((await get(gh, `/orgs/${demo.org}`, `token ${TOKEN}`)).status).toBe(200);
    expect((await get(gh, `/orgs/${demo.org}`, `bearer ${TOKEN}`)).status).toBe(200);
  });

  it('answers 404 Not Found for an unknown org and an unknown path', async () => {
    const org = await get(gh, '/orgs/no-such-org/dependabot/alerts');
    expect(org.status).toBe(404);
    expect(((await org.json()) as Item).message).toBe('Not Found');
    expect((await get(gh, `/orgs/${demo.org}/teams`)).status).toBe(404);
  });

  it('returns the org, case-insensitively, with its id', async () => {
    const response = await get(gh, `/orgs/${demo.org.toUpperCase()}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Item;
    expect(body.login).toBe(demo.org);
    expect(body.id).toBe(demo.orgId);
    expect(body.type).toBe('Organization');
  });

  it('sends GitHub’s headers', async () => {
    const response = await get(gh, `/orgs/${demo.org}/code-scanning/alerts`);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(Number(response.headers.get('x-ratelimit-used'))).toBeGreaterThan(0);
    expect(Number(response.headers.get('x-ratelimit-remaining'))).toBe(
      5000 - Number(response.headers.get('x-ratelimit-used')),
    );
    expect(Number(response.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(response.headers.get('x-github-request-id')).toMatch(/^[0-9A-Z]+:[0-9A-F]+:\d+$/);
  });

  it('counts requests per path', async () => {
    const before = gh.stats.byPath[`/orgs/${demo.org}/secret-scanning/alerts`] ?? 0;
    const total = gh.stats.requests;
    await get(gh, `/orgs/${demo.org}/secret-scanning/alerts?per_page=1`);
    expect(gh.stats.byPath[`/orgs/${demo.org}/secret-scanning/alerts`]).toBe(before + 1);
    expect(gh.stats.requests).toBe(total + 1);
  });

  it('reports the rate limit without spending it', async () => {
    const first = (await (await get(gh, '/rate_limit')).json()) as { rate: { used: number; limit: number } };
    const second = (await (await get(gh, '/rate_limit')).json()) as { rate: { used: number } };
    expect(first.rate.limit).toBe(5000);
    expect(second.rate.used).toBe(first.rate.used);
  });
});

describe('pagination', () => {
  it('rejects `page` on the Dependabot list with GitHub’s 400', async () => {
    const response = await get(gh, `/orgs/${demo.org}/dependabot/alerts?page=2`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as Item).message).toBe(
      'Pagination using the `page` parameter is not supported.',
    );
  });

  it('walks every Dependabot alert exactly once with per_page=100', async () => {
    const { items, pages } = await walk(`/orgs/${demo.org}/dependabot/alerts?per_page=100`);
    const expected = expectedIds(demo.alerts.dependabot, new Date(ENDS_AT));
    expect(items.map(identity).sort()).toEqual(expected);
    expect(new Set(items.map(identity)).size).toBe(items.length);
    expect(pages).toBe(Math.ceil(expected.length / 100));
  });

  it('walks code scanning and (provider-pattern) secret scanning alerts exactly once', async () => {
    const code = await walk(`/orgs/${demo.org}/code-scanning/alerts?per_page=100`);
    expect(code.items.map(identity).sort()).toEqual(
      expectedIds(demo.alerts.code_scanning, new Date(ENDS_AT)),
    );
    const secrets = await walk(`/orgs/${demo.org}/secret-scanning/alerts?per_page=100`);
    const listed = demo.alerts.secret_scanning.filter((a) => a.secretType.providerPattern);
    expect(secrets.items.map(identity).sort()).toEqual(expectedIds(listed, new Date(ENDS_AT)));
  });

  it('shows the state as of setNow: fewer alerts earlier in the history', async () => {
    gh.setNow(MID_WINDOW);
    expect(gh.now().toISOString()).toBe(MID_WINDOW.toISOString());
    const { items } = await walk(`/orgs/${demo.org}/dependabot/alerts?per_page=100`);
    const expected = expectedIds(demo.alerts.dependabot, MID_WINDOW);
    expect(items.map(identity).sort()).toEqual(expected);
    expect(expected.length).toBeLessThan(existing(demo.alerts.dependabot, new Date(ENDS_AT)).length);
    for (const item of items) {
      const alert = demo.alerts.dependabot.find(
        (a) => `${demo.org}/${a.repository}#${a.number}` === identity(item),
      );
      expect(alert).toBeDefined();
      if (alert) expect(item.state).toBe(alertStateAt(alert, MID_WINDOW)?.state);
    }
  });

  it('caps per_page at 100 and defaults to 30', async () => {
    const capped = (await (
      await get(gh, `/orgs/${demo.org}/dependabot/alerts?per_page=500`)
    ).json()) as Item[];
    expect(capped).toHaveLength(100);
    const fallback = (await (await get(gh, `/orgs/${demo.org}/dependabot/alerts`)).json()) as Item[];
    expect(fallback).toHaveLength(30);
  });

  it('links to /organizations/{id}/… and the rel="prev" cursor gives back the previous page', async () => {
    const first = await get(gh, `/orgs/${demo.org}/code-scanning/alerts?per_page=25`);
    const firstItems = (await first.json()) as Item[];
    const next = links(first).next;
    expect(next).toContain(`/organizations/${demo.orgId}/code-scanning/alerts?`);
    expect(next).toContain('per_page=25');
    expect(links(first).prev).toBeUndefined();
    const second = await get(gh, next ?? '');
    const prev = links(second).prev;
    expect(prev).toContain('before=');
    const back = (await (await get(gh, prev ?? '')).json()) as Item[];
    expect(back.map(identity)).toEqual(firstItems.map(identity));
  });

  it('supports `page` for secret and code scanning, giving the same alerts as the cursors', async () => {
    for (const kind of ['code-scanning', 'secret-scanning']) {
      const byCursor = await walk(`/orgs/${demo.org}/${kind}/alerts?per_page=40`);
      const byPage: Item[] = [];
      let page = 1;
      for (;;) {
        const response = await get(gh, `/orgs/${demo.org}/${kind}/alerts?per_page=40&page=${page}`);
        byPage.push(...((await response.json()) as Item[]));
        const next = links(response).next;
        if (!next) {
          expect(links(response).last ?? `page=${page}`).toContain(`page=${page}`);
          break;
        }
        expect(next).toContain(`page=${page + 1}`);
        page += 1;
      }
      expect(byPage.map(identity)).toEqual(byCursor.items.map(identity));
    }
  });

  it('rejects a cursor it did not issue', async () => {
    const response = await get(gh, `/orgs/${demo.org}/dependabot/alerts?after=bm90LWEtY3Vyc29y`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as Item).message).toMatch(/Invalid cursor/);
  });
});

describe('sorting and filters', () => {
  it('sort=updated&direction=desc lists the most recently changed first, across pages', async () => {
    const { items } = await walk(
      `/orgs/${demo.org}/dependabot/alerts?per_page=50&sort=updated&direction=desc`,
    );
    const times = items.map((i) => Date.parse(String(i.updated_at)));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const newest = Math.max(
      ...demo.alerts.dependabot.map((a) => Date.parse(alertStateAt(a, new Date(ENDS_AT))?.updatedAt ?? '')),
    );
    expect(times[0]).toBe(newest);
  });

  it('sort=created&direction=asc lists the oldest first', async () => {
    const { items } = await walk(`/orgs/${demo.org}/code-scanning/alerts?per_page=100&direction=asc`);
    const times = items.map((i) => Date.parse(String(i.created_at)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('filters Dependabot by a comma list of states', async () => {
    const { items } = await walk(
      `/orgs/${demo.org}/dependabot/alerts?per_page=100&state=dismissed,auto_dismissed`,
    );
    const now = new Date(ENDS_AT);
    const expected = demo.alerts.dependabot.filter((a) =>
      ['dismissed', 'auto_dismissed'].includes(alertStateAt(a, now)?.state ?? ''),
    );
    expect(items.length).toBe(expected.length);
    expect(items.length).toBeGreaterThan(0);
    expect(new Set(items.map((i) => i.state))).toEqual(new Set(['dismissed', 'auto_dismissed']));
    const bad = await get(gh, `/orgs/${demo.org}/dependabot/alerts?state=closed`);
    expect(bad.status).toBe(400);
  });

  it('filters code scanning by state=closed (dismissed or fixed) and by severity', async () => {
    const { items } = await walk(`/orgs/${demo.org}/code-scanning/alerts?per_page=100&state=closed`);
    const now = new Date(ENDS_AT);
    const closed = demo.alerts.code_scanning.filter((a) =>
      ['dismissed', 'fixed'].includes(alertStateAt(a, now)?.state ?? ''),
    );
    expect(items.length).toBe(closed.length);
    const high = await walk(`/orgs/${demo.org}/code-scanning/alerts?per_page=100&severity=high`);
    expect(high.items.length).toBe(
      demo.alerts.code_scanning.filter((a) => a.rule.securitySeverityLevel === 'high').length,
    );
    const warning = await walk(`/orgs/${demo.org}/code-scanning/alerts?per_page=100&severity=warning`);
    expect(warning.items.every((i) => (i.rule as Item).severity === 'warning')).toBe(true);
  });

  it('filters secret scanning by state=resolved', async () => {
    const { items } = await walk(`/orgs/${demo.org}/secret-scanning/alerts?per_page=100&state=resolved`);
    const now = new Date(ENDS_AT);
    const resolved = demo.alerts.secret_scanning.filter(
      (a) => a.secretType.providerPattern && alertStateAt(a, now)?.state === 'resolved',
    );
    expect(items.length).toBe(resolved.length);
    expect(items.every((i) => i.state === 'resolved' && typeof i.resolution === 'string')).toBe(true);
  });

  it('returns the literal secret unless hide_secret=true, whichever form was asked for first', async () => {
    // The server keeps each listed alert's JSON, one per form: neither may leak into the other.
    const hiddenFirst = await walk(`/orgs/${demo.org}/secret-scanning/alerts?per_page=100&hide_secret=true`);
    const shown = await walk(`/orgs/${demo.org}/secret-scanning/alerts?per_page=100`);
    expect(shown.items.every((i) => /^demo-secret-value-\d+$/.test(String(i.secret)))).toBe(true);
    const hidden = await walk(`/orgs/${demo.org}/secret-scanning/alerts?per_page=100&hide_secret=true`);
    expect(hidden.items.length).toBe(shown.items.length);
    expect(hidden.items.some((i) => 'secret' in i)).toBe(false);
    expect(hidden.items).toEqual(hiddenFirst.items);
    expect(hidden.items).toEqual(shown.items.map(({ secret: _secret, ...rest }) => rest));
  });

  it('lists generic secret types (passwords, bearer headers) only when secret_type names them', async () => {
    const generic = ['password', 'http_bearer_authentication_header', 'rsa_private_key'];
    const byDefault = await walk(`/orgs/${demo.org}/secret-scanning/alerts?per_page=100`);
    expect(byDefault.items.some((i) => generic.includes(String(i.secret_type)))).toBe(false);
    expect(generic.every((t) => !isListedByDefault(t))).toBe(true);

    const named = await walk(
      `/orgs/${demo.org}/secret-scanning/alerts?per_page=100&secret_type=password,http_bearer_authentication_header`,
    );
    const expected = demo.alerts.secret_scanning.filter((a) =>
      ['password', 'http_bearer_authentication_header'].includes(a.secretType.type),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(named.items.map(identity).sort()).toEqual(expectedIds(expected, new Date(ENDS_AT)));

    const provider = await walk(
      `/orgs/${demo.org}/secret-scanning/alerts?per_page=100&secret_type=aws_access_key_id`,
    );
    expect(provider.items.every((i) => i.secret_type === 'aws_access_key_id')).toBe(true);
    expect(provider.items.length).toBe(
      demo.alerts.secret_scanning.filter((a) => a.secretType.type === 'aws_access_key_id').length,
    );
  });

  it('answers 422 for a value outside an enum', async () => {
    const response = await get(gh, `/orgs/${demo.org}/code-scanning/alerts?direction=sideways`);
    expect(response.status).toBe(422);
  });
});

describe('audit log', () => {
  it('filters by action, oldest first with order=asc, and validates against audit-log-event', async () => {
    const { items } = await walk(
      `/orgs/${demo.org}/audit-log?per_page=100&order=asc&phrase=${encodeURIComponent('action:secret_scanning_push_protection.bypass')}`,
    );
    const expected = demo.auditEvents.filter(
      (e) =>
        e.action === 'secret_scanning_push_protection.bypass' &&
        e['@timestamp'] > Date.parse(ENDS_AT) - 180 * 24 * 3600 * 1000,
    );
    expect(items.length).toBe(expected.length);
    expect(items.length).toBeGreaterThan(0);
    const times = items.map((i) => Number(i['@timestamp']));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const item of items) {
      expect(validateAgainstSchema('audit-log-event', item)).toEqual({ ok: true, errors: '' });
      expect((item.data as Item).reason).toMatch(/^(will_fix_later|false_positive|used_in_tests)$/);
    }
  });

  it('ORs several action qualifiers and matches a whole category', async () => {
    const phrase = encodeURIComponent(
      'action:secret_scanning_alert.reopen action:repository_vulnerability_alert',
    );
    const { items } = await walk(`/orgs/${demo.org}/audit-log?per_page=100&phrase=${phrase}`);
    const actions = new Set(items.map((i) => String(i.action)));
    expect(actions.has('secret_scanning_alert.reopen')).toBe(true);
    expect(actions.has('repository_vulnerability_alert.dismiss')).toBe(true);
    expect(
      [...actions].every(
        (a) => a === 'secret_scanning_alert.reopen' || a.startsWith('repository_vulnerability_alert.'),
      ),
    ).toBe(true);
  });

  it('keeps web events 180 days and returns git events only with include=git|all', async () => {
    const web = await walk(`/orgs/${demo.org}/audit-log?per_page=100`);
    const cutoff = Date.parse(ENDS_AT) - 180 * 24 * 3600 * 1000;
    const expectedWeb = demo.auditEvents.filter(
      (e) => !e.action.startsWith('git.') && e['@timestamp'] > cutoff,
    );
    expect(web.items.length).toBe(expectedWeb.length);
    expect(web.items.some((i) => String(i.action).startsWith('git.'))).toBe(false);
    const git = await walk(`/orgs/${demo.org}/audit-log?per_page=100&include=git`);
    expect(git.items.every((i) => i.action === 'git.push')).toBe(true);
    const all = await walk(`/orgs/${demo.org}/audit-log?per_page=100&include=all`);
    expect(all.items.length).toBe(web.items.length + git.items.length);
  });

  it('supports created: ranges and rejects unknown qualifiers', async () => {
    const phrase = encodeURIComponent('created:2026-10-01..2026-10-31');
    const { items } = await walk(`/orgs/${demo.org}/audit-log?per_page=100&phrase=${phrase}`);
    const from = Date.parse('2026-10-01T00:00:00Z');
    const to = Date.parse('2026-11-01T00:00:00Z');
    expect(items.length).toBe(
      demo.auditEvents.filter(
        (e) => !e.action.startsWith('git.') && e['@timestamp'] >= from && e['@timestamp'] < to,
      ).length,
    );
    const bad = await get(gh, `/orgs/${demo.org}/audit-log?phrase=${encodeURIComponent('colour:blue')}`);
    expect(bad.status).toBe(422);
  });

  it('hides events after now', async () => {
    gh.setNow(MID_WINDOW);
    const { items } = await walk(`/orgs/${demo.org}/audit-log?per_page=100&include=all`);
    expect(items.every((i) => Number(i['@timestamp']) <= MID_WINDOW.getTime())).toBe(true);
    expect(items.length).toBeGreaterThan(0);
  });
});

describe('schema conformance', () => {
  const lists: [string, SchemaName][] = [
    ['dependabot/alerts', 'dependabot-alert-with-repository'],
    ['secret-scanning/alerts', 'organization-secret-scanning-alert'],
    ['code-scanning/alerts', 'code-scanning-organization-alert-items'],
    ['audit-log', 'audit-log-event'],
  ];

  for (const at of [ENDS_AT, MID_WINDOW.toISOString()]) {
    it(`every item of every list validates against its OpenAPI schema at ${at}`, async () => {
      gh.setNow(new Date(at));
      for (const [path, schema] of lists) {
        const extra = path === 'secret-scanning/alerts' ? `&secret_type=${allSecretTypes().join(',')}` : '';
        const { items } = await walk(`/orgs/${demo.org}/${path}?per_page=100&include=all${extra}`);
        expect(items.length).toBeGreaterThan(0);
        const failures = items
          .map((item) => validateAgainstSchema(schema, item))
          .filter((r) => !r.ok)
          .map((r) => r.errors);
        expect(failures).toEqual([]);
      }
    });
  }

  it('error bodies validate against basic-error', async () => {
    const response = await get(gh, '/orgs/no-such-org');
    expect(validateAgainstSchema('basic-error', await response.json())).toEqual({ ok: true, errors: '' });
  });

  it('the validators reject what the schema forbids', () => {
    const alert = structuredClone(renderedDependabotAlert());
    expect(validateAgainstSchema('dependabot-alert-with-repository', alert).ok).toBe(true);
    const wrongReason = { ...alert, dismissed_reason: 'because' };
    expect(validateAgainstSchema('dependabot-alert-with-repository', wrongReason).ok).toBe(false);
    const extraField = { ...alert, surprise: true };
    expect(validateAgainstSchema('dependabot-alert-with-repository', extraField).errors).toMatch(
      /additional properties/,
    );
    // nullable enum: null is fine, and so is a listed value.
    expect(
      validateAgainstSchema('dependabot-alert-with-repository', { ...alert, dismissed_reason: null }).ok,
    ).toBe(true);
  });

  it('translates OpenAPI nullable into JSON Schema for enums and untyped schemas', () => {
    expect(toJsonSchema({ type: 'string', nullable: true, enum: ['a'] })).toEqual({
      anyOf: [{ type: 'null' }, { type: 'string', enum: ['a'] }],
    });
    expect(toJsonSchema({ oneOf: [{ type: 'object' }], nullable: true })).toEqual({
      anyOf: [{ type: 'null' }, { oneOf: [{ type: 'object' }] }],
    });
    expect(toJsonSchema({ type: 'object', properties: { nullable: { type: 'boolean' } } })).toEqual({
      type: 'object',
      properties: { nullable: { type: 'boolean' } },
    });
  });

  it('the committed OpenAPI subset is exactly what the installed @octokit/openapi produces', async () => {
    const committed = readFileSync(SUBSET_PATH, 'utf8');
    expect(await generateOpenApiSubsetText()).toBe(committed);
  });
});

describe('permissions, rate limits and faults', () => {
  it('answers 403 "Resource not accessible by integration" for a forbidden feature only', async () => {
    const limited = await startSimulatedGitHub({ demo, token: TOKEN, forbid: ['secret_scanning'] });
    try {
      const denied = await get(limited, `/orgs/${demo.org}/secret-scanning/alerts`);
      expect(denied.status).toBe(403);
      expect(((await denied.json()) as Item).message).toBe('Resource not accessible by integration');
      expect((await get(limited, `/orgs/${demo.org}/dependabot/alerts`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('enforces the primary rate limit with GitHub’s 403', async () => {
    const tiny = await startSimulatedGitHub({ demo, token: TOKEN, rateLimit: 2 });
    try {
      expect((await get(tiny, `/orgs/${demo.org}`)).status).toBe(200);
      expect((await get(tiny, `/orgs/${demo.org}`)).status).toBe(200);
      const third = await get(tiny, `/orgs/${demo.org}`);
      expect(third.status).toBe(403);
      expect(third.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(((await third.json()) as Item).message).toMatch(/^API rate limit exceeded/);
    } finally {
      await tiny.close();
    }
  });

  it('injects a 502 twice, then answers normally', async () => {
    gh.injectFault({ path: /dependabot\/alerts/, status: 502, times: 2 });
    const path = `/orgs/${demo.org}/dependabot/alerts?per_page=1`;
    expect((await get(gh, path)).status).toBe(502);
    expect((await get(gh, path)).status).toBe(502);
    expect((await get(gh, path)).status).toBe(200);
  });

  it('injects a secondary-rate-limit 403 with its headers, an invalid body, and a delay', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 60);
    gh.injectFault({
      path: /code-scanning/,
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset, 'retry-after': '60' },
    });
    const limited = await get(gh, `/orgs/${demo.org}/code-scanning/alerts`);
    expect(limited.status).toBe(403);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe(reset);

    gh.injectFault({ path: /secret-scanning/, status: 200, body: '[{"number": 1,' });
    const broken = await get(gh, `/orgs/${demo.org}/secret-scanning/alerts`);
    expect(broken.status).toBe(200);
    await expect(broken.json()).rejects.toThrow();

    gh.injectFault({ path: /^\/orgs\/[^/]+$/, delayMs: 150 });
    const started = performance.now();
    const slow = await get(gh, `/orgs/${demo.org}`);
    expect(slow.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

function allSecretTypes(): string[] {
  return [...new Set(demo.alerts.secret_scanning.map((a) => a.secretType.type))];
}

function renderedDependabotAlert(): Item {
  const first = renderAlertsAt(demo, new Date(ENDS_AT)).dependabot[0];
  if (!first) throw new Error('demo has no Dependabot alert');
  return first;
}
