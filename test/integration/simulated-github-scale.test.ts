import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../functions/github/client.ts';
import { SECRET_TYPES } from '../../infra/local/github/demo-catalog.ts';
import type { DemoAlertType, DemoOrg } from '../../infra/local/github/demo-types.ts';
import { validateAgainstSchema } from '../../infra/local/github/openapi.ts';
import type { SchemaName } from '../../infra/local/github/openapi-subset.ts';
import { type AlertChange, changeAlerts, generateScaleOrg } from '../../infra/local/github/scale-org.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';

const TOKEN = 'scale-token';
const ENDS_AT = '2026-11-16T00:00:00Z';
const CHANGED_AT = '2026-11-16T06:00:00Z';

type Item = Record<string, unknown>;

let org: DemoOrg;
let gh: SimulatedGitHub;

beforeAll(async () => {
  org = generateScaleOrg({ endsAt: ENDS_AT });
  gh = await startSimulatedGitHub({ demo: org, token: TOKEN, rateLimit: 100_000 });
});

afterAll(async () => {
  await gh.close();
});

const LISTS: Record<DemoAlertType, { route: string; schema: SchemaName }> = {
  dependabot: { route: 'GET /orgs/{org}/dependabot/alerts', schema: 'dependabot-alert-with-repository' },
  code_scanning: {
    route: 'GET /orgs/{org}/code-scanning/alerts',
    schema: 'code-scanning-organization-alert-items',
  },
  secret_scanning: {
    route: 'GET /orgs/{org}/secret-scanning/alerts',
    schema: 'organization-secret-scanning-alert',
  },
};

const client = () => createGitHubClient({ token: TOKEN, baseUrl: gh.url });

/** What an incremental snapshot reads: newest update first, stopping at the first older item. */
async function updatedSince(
  type: DemoAlertType,
  since: number,
  extra: Record<string, unknown> = {},
): Promise<Item[]> {
  const out: Item[] = [];
  for await (const page of client().paginate.iterator(LISTS[type].route, {
    org: org.org,
    per_page: 100,
    sort: 'updated',
    direction: 'desc',
    ...extra,
  })) {
    const items = page.data as Item[];
    const fresh = items.filter((i) => Date.parse(String(i.updated_at)) >= since);
    out.push(...fresh);
    if (fresh.length < items.length) break;
  }
  return out;
}

describe('a 100,000-alert org', () => {
  it('walks all 50,000 Dependabot alerts exactly once by cursor', async () => {
    // Raw fetch: Octokit's own per-page overhead would triple the time without testing more.
    const seen = new Set<string>();
    let count = 0;
    let pages = 0;
    let next: string | undefined = `${gh.url}/orgs/${org.org}/dependabot/alerts?per_page=100`;
    while (next) {
      const response: Response = await fetch(next, { headers: { authorization: `token ${TOKEN}` } });
      expect(response.status).toBe(200);
      for (const item of (await response.json()) as Item[]) {
        seen.add(`${(item.repository as { name: string }).name}#${String(item.number)}`);
        count += 1;
      }
      pages += 1;
      next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    }
    expect(count).toBe(50_000);
    expect(seen.size).toBe(50_000);
    expect(pages).toBe(500);
  });

  it('serves items that validate against the OpenAPI schemas, first and last pages alike', async () => {
    for (const type of Object.keys(LISTS) as DemoAlertType[]) {
      for (const direction of ['desc', 'asc']) {
        const response = await client().request(LISTS[type].route, {
          org: org.org,
          per_page: 100,
          direction,
        });
        const items = response.data as Item[];
        expect(items).toHaveLength(100);
        expect(items.map((i) => validateAgainstSchema(LISTS[type].schema, i)).filter((r) => !r.ok)).toEqual(
          [],
        );
      }
    }
  });

  it('after changeAlerts, an incremental read finds exactly the changed alerts', async () => {
    const changes = changeAlerts(org, 1_000, CHANGED_AT, 17);
    gh.setNow(new Date('2026-11-16T07:00:00Z'));
    const since = Date.parse(ENDS_AT);
    const seen: Item[] = [
      ...(await updatedSince('dependabot', since)),
      ...(await updatedSince('code_scanning', since)),
      ...(await updatedSince('secret_scanning', since, { hide_secret: true })),
      ...(await updatedSince('secret_scanning', since, {
        hide_secret: true,
        // The generic patterns GitHub lists only when asked for by name.
        secret_type: SECRET_TYPES.filter(([t]) => !t.providerPattern)
          .map(([t]) => t.type)
          .join(','),
      })),
    ];
    expect(seen).toHaveLength(1_000);
    expect(seen.every((i) => i.updated_at === CHANGED_AT)).toBe(true);
    const key = (type: string, repo: string, n: unknown) => `${type}/${repo}#${String(n)}`;
    const typeOf = (i: Item): string =>
      'dependency' in i ? 'dependabot' : 'secret_type' in i ? 'secret_scanning' : 'code_scanning';
    const byKey = new Map<string, AlertChange>(
      changes.map((c) => [key(c.alertType, c.repository, c.number), c]),
    );
    for (const item of seen) {
      const change = byKey.get(key(typeOf(item), (item.repository as { name: string }).name, item.number));
      expect(change).toBeDefined();
      expect(item.state).toBe(change?.to);
    }
    expect(
      new Set(seen.map((i) => key(typeOf(i), (i.repository as { name: string }).name, i.number))).size,
    ).toBe(1_000);
  });
});
